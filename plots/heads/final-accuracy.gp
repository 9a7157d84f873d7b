# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9791666666666666 -0.30000000000000004
1 0.6549479166666666 0.7
EOD
$band0 << EOD
0 0.9056917167489709 1.0526416165843624 -0.30000000000000004
1 0.31072993541672683 0.9991658979166065 0.7
EOD
$data1 << EOD
0 0.4713541666666667 -0.1
1 0.2682291666666667 0.9
EOD
$band1 << EOD
0 0.2920769695833333 0.6506313637500001 -0.1
1 0.03126632703732321 0.5051920062960101 0.9
EOD
$data2 << EOD
0 0.7552083333333334 0.1
1 0.625 1.1
EOD
$band2 << EOD
0 -0.16686093074184816 1.6772775974085148 0.1
1 -0.379129864429558 1.629129864429558 1.1
EOD
$data3 << EOD
0 0.9557291666666666 0.30000000000000004
1 0.7109375 1.3
EOD
$band3 << EOD
0 0.9153295962538278 0.9961287370795054 0.30000000000000004
1 0.6605157883203125 0.7613592116796875 1.3
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
