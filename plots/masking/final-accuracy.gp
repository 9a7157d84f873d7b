# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9322916666666666 -0.30000000000000004
1 0.6861111111111111 0.7
EOD
$band0 << EOD
0 0.8588167167489709 1.0057666165843624 -0.30000000000000004
1 0.6156562117327473 0.7565660104894749 0.7
EOD
$data1 << EOD
0 0.16666666666666666 -0.1
1 0.13541666666666666 0.9
EOD
$band1 << EOD
0 -0.057429829687500045 0.39076316302083336 -0.1
1 -0.026678077849128956 0.29751141118246227 0.9
EOD
$data2 << EOD
0 0.9713541666666666 0.1
1 0.7243055555555555 1.1
EOD
$band2 << EOD
0 0.9265348673958332 1.0161734659375 0.1
1 0.7033898825625 0.7452212285486111 1.1
EOD
$data3 << EOD
0 0.0078125 0.30000000000000004
1 0.004861111111111111 1.3
EOD
$band3 << EOD
0 -0.01159482587417952 0.02721982587417952 0.30000000000000004
1 -0.005912107665645915 0.015634329887868136 1.3
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
     $data1 using 3:2 with boxes linecolor rgb '#E69F00' title 'no-mask', \
     $band1 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data2 using 3:2 with boxes linecolor rgb '#009E73' title 'encoder-decoder', \
     $band2 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data3 using 3:2 with boxes linecolor rgb '#D55E00' title 'encoder-decoder-no-mask', \
     $band3 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'final-accuracy.svg'
replot
unset output
