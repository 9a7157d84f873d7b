# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9375 -0.34285714285714286
1 0.4566532258064516 0.6571428571428571
EOD
$band0 << EOD
0 0.8485644601448974 1.0264355398551026 -0.34285714285714286
1 0.38442188793910376 0.5288845636737994 0.6571428571428571
EOD
$data1 << EOD
0 0.05729166666666667 -0.2285714285714286
1 0.02553763440860215 0.7714285714285714
EOD
$band1 << EOD
0 0.008450967606199497 0.10613236572713385 -0.2285714285714286
1 0.017487850626435715 0.03358741819076858 0.7714285714285714
EOD
$data2 << EOD
0 0.9322916666666666 -0.1142857142857143
1 0.4479166666666667 0.8857142857142857
EOD
$band2 << EOD
0 0.77542411921875 1.0891592141145834 -0.1142857142857143
1 0.395012039647801 0.5008212936855324 0.8857142857142857
EOD
$data3 << EOD
0 0.9557291666666666 0
1 0.520497311827957 1
EOD
$band3 << EOD
0 0.9260839867149657 0.9853743466183675 0
1 0.4603798183332636 0.5806148053226504 1
EOD
$data4 << EOD
0 0.23697916666666666 0.1142857142857143
1 0.10080645161290323 1.1142857142857143
EOD
$band4 << EOD
0 0.1585453929427083 0.315412940390625 0.1142857142857143
1 0.08779439698588709 0.11381850623991938 1.1142857142857143
EOD
$data5 << EOD
0 0.640625 0.2285714285714286
1 0.280241935483871 1.2285714285714286
EOD
$band5 << EOD
0 0.5047737188807433 0.7764762811192567 0.2285714285714286
1 0.2715672323991935 0.2889166385685485 1.2285714285714286
EOD
$data6 << EOD
0 0.3932291666666667 0.34285714285714286
1 0.15490591397849462 1.342857142857143
EOD
$band6 << EOD
0 0.33393880676326493 0.45251952657006844 0.34285714285714286
1 0.14860388829327306 0.1612079396637162 1.342857142857143
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
set boxwidth 0.1142857142857143 absolute
set style fill solid 0.8 noborder
set pointintervalbox 0.0001
set xrange [-0.6:1.6]
plot $data0 using 3:2 with boxes linecolor rgb '#0072B2' title 'baseline', \
     $band0 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data1 using 3:2 with boxes linecolor rgb '#E69F00' title 'none', \
     $band1 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data2 using 3:2 with boxes linecolor rgb '#009E73' title 'learned', \
     $band2 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data3 using 3:2 with boxes linecolor rgb '#D55E00' title 'rope', \
     $band3 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data4 using 3:2 with boxes linecolor rgb '#CC79A7' title 'alibi', \
     $band4 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data5 using 3:2 with boxes linecolor rgb '#56B4E9' title 'alibi-decoder-only', \
     $band5 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data6 using 3:2 with boxes linecolor rgb '#F0E442' title 'none-decoder-only', \
     $band6 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'final-accuracy.svg'
replot
unset output
