# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.572265625 -0.36666666666666664
1 0.6819444444444445 0.6333333333333333
EOD
$band0 << EOD
0 0.2987418775989579 0.8457893724010421 -0.36666666666666664
1 0.6259870708600144 0.7379018180288746 0.6333333333333333
EOD
$data1 << EOD
0 0.587890625 -0.3
1 0.6833333333333333 0.7
EOD
$band1 << EOD
0 0.32006035270693317 0.8557208972930668 -0.3
1 0.6557821776447775 0.7108844890218892 0.7
EOD
$data2 << EOD
0 0.4713541666666667 -0.23333333333333334
1 0.5461805555555556 0.7666666666666666
EOD
$band2 << EOD
0 0.2416163978999668 0.7010919354333666 -0.23333333333333334
1 0.4157215292640093 0.6766395818471018 0.7666666666666666
EOD
$data3 << EOD
0 0.008463541666666666 -0.16666666666666666
1 0.0034722222222222225 0.8333333333333334
EOD
$band3 << EOD
0 0.003994427543544069 0.012932655789789263 -0.16666666666666666
1 0.0008244520662362789 0.006119992378208166 0.8333333333333334
EOD
$data4 << EOD
0 0.006510416666666667 -0.1
1 0.0027777777777777783 0.9
EOD
$band4 << EOD
0 0.0036445505729166667 0.009376282760416667 -0.1
1 -0.00020930981543857384 0.0057648653709941305 0.9
EOD
$data5 << EOD
0 0.0078125 -0.03333333333333333
1 0.004513888888888889 0.9666666666666667
EOD
$band5 << EOD
0 0.00414647177499947 0.01147852822500053 -0.03333333333333333
1 -0.0012567923789439375 0.010284570156721715 0.9666666666666667
EOD
$data6 << EOD
0 0.275390625 0.03333333333333333
1 0.3510416666666667 1.0333333333333334
EOD
$band6 << EOD
0 0.08866144946942756 0.46211980053057244 0.03333333333333333
1 0.12693010018324927 0.5751532331500842 1.0333333333333334
EOD
$data7 << EOD
0 0.578125 0.1
1 0.6881944444444444 1.1
EOD
$band7 << EOD
0 0.3092273900214565 0.8470226099785435 0.1
1 0.6560720903935695 0.7203167984953194 1.1
EOD
$data8 << EOD
0 0.0008680555555555555 0.16666666666666666
1 0.0020833333333333333 1.1666666666666667
EOD
$band8 << EOD
0 -0.0011336841449652774 0.0028697952560763885 0.16666666666666666
1 -0.006880526520833336 0.011047193187500002 1.1666666666666667
EOD
$data9 << EOD
0 0.002604166666666667 0.23333333333333334
1 0.002777777777777778 1.2333333333333334
EOD
$band9 << EOD
0 -0.0003984428841145829 0.005606776217447916 0.23333333333333334
1 -0.005127603542675791 0.010683159098231348 1.2333333333333334
EOD
$data10 << EOD
0 0.002604166666666667 0.3
1 0.002777777777777778 1.3
EOD
$band10 << EOD
0 -0.0003984428841145829 0.005606776217447916 0.3
1 -0.005127603542675791 0.010683159098231348 1.3
EOD
$data11 << EOD
0 0.002604166666666667 0.36666666666666664
1 0.0027777777777777783 1.3666666666666667
EOD
$band11 << EOD
0 0.00016014784999964643 0.0050481854833336875 0.36666666666666664
1 -0.00020930981543857384 0.0057648653709941305 1.3666666666666667
EOD
set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
set output ablate_dir.'final-accuracy.png'
set title 'Final exact match' noenhanced
set xlabel '' noenhanced
set ylabel 'exact match' noenhanced
set key outside right top noenhanced
set grid back lc rgb '#dddddd'
set xtics ('validation' 0, 'test' 1) nomirror rotate by -30 left noenhanced
set yrange [0:1.05]
set boxwidth 0.06666666666666667 absolute
set style fill solid 0.8 noborder
set pointintervalbox 0.0001
set xrange [-0.6:1.6]
plot $data0 using 3:2 with boxes linecolor rgb '#0072B2' title 'baseline', \
     $band0 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data1 using 3:2 with boxes linecolor rgb '#E69F00' title 'layers=2,residual=true,norm=pre', \
     $band1 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data2 using 3:2 with boxes linecolor rgb '#009E73' title 'layers=2,residual=true,norm=none', \
     $band2 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data3 using 3:2 with boxes linecolor rgb '#D55E00' title 'layers=2,residual=false,norm=post', \
     $band3 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data4 using 3:2 with boxes linecolor rgb '#CC79A7' title 'layers=2,residual=false,norm=pre', \
     $band4 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data5 using 3:2 with boxes linecolor rgb '#56B4E9' title 'layers=2,residual=false,norm=none', \
     $band5 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data6 using 3:2 with boxes linecolor rgb '#F0E442' title 'layers=6,residual=true,norm=post', \
     $band6 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data7 using 3:2 with boxes linecolor rgb '#000000' title 'layers=6,residual=true,norm=pre', \
     $band7 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data8 using 3:2 with boxes linecolor rgb '#332288' title 'layers=6,residual=true,norm=none', \
     $band8 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data9 using 3:2 with boxes linecolor rgb '#117733' title 'layers=6,residual=false,norm=post', \
     $band9 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data10 using 3:2 with boxes linecolor rgb '#44AA99' title 'layers=6,residual=false,norm=pre', \
     $band10 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data11 using 3:2 with boxes linecolor rgb '#88CCEE' title 'layers=6,residual=false,norm=none', \
     $band11 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'final-accuracy.svg'
replot
unset output
