# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.028645833333333336 -0.30000000000000004
1 0.01875 0.7
EOD
$band0 << EOD
0 -0.0009993466183675463 0.05829101328503422 -0.30000000000000004
1 0.013574713100218795 0.023925286899781205 0.7
EOD
$data1 << EOD
0 0.028645833333333336 -0.1
1 0.017361111111111112 0.9
EOD
$band1 << EOD
0 -0.011753737079505507 0.06904540374617218 -0.1
1 0.011385204541666668 0.023337017680555558 0.9
EOD
$data2 << EOD
0 0.03125 0.1
1 0.020833333333333332 1.1
EOD
$band2 << EOD
0 -0.002364474453125001 0.064864474453125 0.1
1 0.007140811233101809 0.03452585543356486 1.1
EOD
$data3 << EOD
0 0.026041666666666668 0.30000000000000004
1 0.020138888888888887 1.3
EOD
$band3 << EOD
0 -0.014357903746172181 0.06644123707950551 0.30000000000000004
1 0.012233507568435319 0.028044270209342456 1.3
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
set boxwidth 0.2 absolute
set style fill solid 0.8 noborder
set pointintervalbox 0.0001
set xrange [-0.6:1.6]
plot $data0 using 3:2 with boxes linecolor rgb '#0072B2' title 'baseline', \
     $band0 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data1 using 3:2 with boxes linecolor rgb '#E69F00' title 'heads=1', \
     $band1 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data2 using 3:2 with boxes linecolor rgb '#009E73' title 'heads=2', \
     $band2 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data3 using 3:2 with boxes linecolor rgb '#D55E00' title 'heads=8', \
     $band3 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'final-accuracy.svg'
replot
unset output
