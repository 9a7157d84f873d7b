# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9791666666666666 -0.36666666666666664
1 0.7215277777777778 0.6333333333333333
EOD
$band0 << EOD
0 0.9387670962538278 1.0195662370795056 -0.36666666666666664
1 0.7057170151368707 0.7373385404186849 0.6333333333333333
EOD
$data1 << EOD
0 0.9739583333333334 -0.3
1 0.7194444444444444 0.7
EOD
$band1 << EOD
0 0.9335587629204946 1.0143579037461723 -0.3
1 0.6645929134878982 0.7742959754009907 0.7
EOD
$data2 << EOD
0 0.9140625 -0.23333333333333334
1 0.6548611111111111 0.7666666666666666
EOD
$band2 << EOD
0 0.8440883914410068 0.9840366085589932 -0.23333333333333334
1 0.6030220590910714 0.7067001631311508 0.7666666666666666
EOD
$data3 << EOD
0 0.015625 -0.16666666666666666
1 0.004166666666666667 0.8333333333333334
EOD
$band3 << EOD
0 -0.00378232587417952 0.035032325874179523 -0.16666666666666666
1 -0.0010086202331145398 0.009341953566447873 0.8333333333333334
EOD
$data4 << EOD
0 0.005208333333333334 -0.1
1 0.002777777777777778 0.9
EOD
$band4 << EOD
0 -0.005996491484375 0.01641315815104167 -0.1
1 -0.005127603542675791 0.010683159098231348 0.9
EOD
$data5 << EOD
0 0.010416666666666668 -0.03333333333333333
1 0.004861111111111111 0.9666666666666667
EOD
$band5 << EOD
0 -0.0007881581510416676 0.021621491484375005 -0.03333333333333333
1 -0.011775108705366185 0.021497330927588407 0.9666666666666667
EOD
$data6 << EOD
0 0.7109375 0.03333333333333333
1 0.53125 1.0333333333333334
EOD
$band6 << EOD
0 0.4685400775229669 0.9533349224770331 0.03333333333333333
1 0.21293830060024094 0.849561699399759 1.0333333333333334
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
0 0.0026041666666666665 0.16666666666666666
1 0 1.1666666666666667
EOD
$band8 << EOD
0 -0.00860065815104167 0.013808991484375002 0.16666666666666666
1 0 0 1.1666666666666667
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
