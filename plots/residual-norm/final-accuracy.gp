# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.8619791666666666 -0.36666666666666664
1 0.6423611111111112 0.6333333333333333
EOD
$band0 << EOD
0 0.6193229107763542 1.104635422556979 -0.36666666666666664
1 0.5215058800922088 0.7632163421300135 0.6333333333333333
EOD
$data1 << EOD
0 0.9322916666666666 -0.3
1 0.6861111111111111 0.7
EOD
$band1 << EOD
0 0.8514925258409889 1.0130908074923444 -0.3
1 0.6317500656899011 0.7404721565323211 0.7
EOD
$data2 << EOD
0 0.5677083333333334 -0.23333333333333334
1 0.4375 0.7666666666666666
EOD
$band2 << EOD
0 0.43848798976079123 0.6969286769058756 -0.23333333333333334
1 0.3068816640232126 0.5681183359767874 0.7666666666666666
EOD
$data3 << EOD
0 0.0078125 -0.16666666666666666
1 0.002777777777777778 0.8333333333333334
EOD
$band3 << EOD
0 -0.01159482587417952 0.02721982587417952 -0.16666666666666666
1 -0.005127603542675791 0.010683159098231348 0.8333333333333334
EOD
$data4 << EOD
0 0.0078125 -0.1
1 0.002777777777777778 0.9
EOD
$band4 << EOD
0 -0.01159482587417952 0.02721982587417952 -0.1
1 -0.005127603542675791 0.010683159098231348 0.9
EOD
$data5 << EOD
0 0.010416666666666668 -0.03333333333333333
1 0.004166666666666667 0.9666666666666667
EOD
$band5 << EOD
0 -0.01199298296875 0.03282631630208334 -0.03333333333333333
1 -0.009525855433564857 0.01785918876689819 0.9666666666666667
EOD
$data6 << EOD
0 0.3125 0.03333333333333333
1 0.17083333333333334 1.0333333333333334
EOD
$band6 << EOD
0 0.14442762773437498 0.480572372265625 0.03333333333333333
1 0.13851367700306227 0.2031529896636044 1.0333333333333334
EOD
$data7 << EOD
0 0.9244791666666666 0.1
1 0.6694444444444444 1.1
EOD
$band7 << EOD
0 0.7952588230941244 1.0536995102392088 0.1
1 0.599562100015181 0.7393267888737078 1.1
EOD
$data8 << EOD
0 0 0.16666666666666666
1 0.0020833333333333333 1.1666666666666667
EOD
$band8 << EOD
0 0 0 0.16666666666666666
1 -0.006880526520833336 0.011047193187500002 1.1666666666666667
EOD
$data9 << EOD
0 0.005208333333333334 0.23333333333333334
1 0.002777777777777778 1.2333333333333334
EOD
$band9 << EOD
0 -0.005996491484375 0.01641315815104167 0.23333333333333334
1 -0.005127603542675791 0.010683159098231348 1.2333333333333334
EOD
$data10 << EOD
0 0.005208333333333334 0.3
1 0.002777777777777778 1.3
EOD
$band10 << EOD
0 -0.005996491484375 0.01641315815104167 0.3
1 -0.005127603542675791 0.010683159098231348 1.3
EOD
$data11 << EOD
0 0.005208333333333334 0.36666666666666664
1 0.002777777777777778 1.3666666666666667
EOD
$band11 << EOD
0 -0.005996491484375 0.01641315815104167 0.36666666666666664
1 -0.005127603542675791 0.010683159098231348 1.3666666666666667
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
