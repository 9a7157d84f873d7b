# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.953125 -0.30000000000000004
1 0.6847222222222222 0.7
EOD
$band0 << EOD
0 0.7990841263723953 1.1071658736276047 -0.30000000000000004
1 0.5600489986657627 0.8093954457786817 0.7
EOD
$data1 << EOD
0 0.1796875 -0.1
1 0.14444444444444446 0.9
EOD
$band1 << EOD
0 -0.10620026220099338 0.4655752622009934 -0.1
1 -0.050048134570380653 0.33893702345926957 0.9
EOD
$data2 << EOD
0 0.9817708333333334 0.1
1 0.7368055555555556 1.1
EOD
$band2 << EOD
0 0.9521256533816325 1.0114160132850343 0.1
1 0.6976189155994512 0.77599219551166 1.1
EOD
$data3 << EOD
0 0.0078125 0.30000000000000004
1 0.002777777777777778 1.3
EOD
$band3 << EOD
0 0.0078125 0.0078125 0.30000000000000004
1 -0.005127603542675791 0.010683159098231348 1.3
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
