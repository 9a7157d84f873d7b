# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9505208333333334 -0.30000000000000004
1 0.6458333333333334 0.7
EOD
$band0 << EOD
0 0.8436336169471188 1.057408049719548 -0.30000000000000004
1 0.3040861763932292 0.9875804902734375 0.7
EOD
$data1 << EOD
0 0.4140625 -0.1
1 0.22005208333333334 0.9
EOD
$band1 << EOD
0 0.23619142028979467 0.5919335797102053 -0.1
1 0.11720546278980928 0.3228987038768574 0.9
EOD
$data2 << EOD
0 0.5963541666666667 0.1
1 0.35416666666666663 1.1
EOD
$band2 << EOD
0 0.007274421490810146 1.1854339118425234 0.1
1 -0.0359559848799777 0.744289318213311 1.1
EOD
$data3 << EOD
0 0.9947916666666666 0.30000000000000004
1 0.7630208333333334 1.3
EOD
$band3 << EOD
0 0.9835868418489583 1.0059964914843749 0.30000000000000004
1 0.5834812152306622 0.9425604514360045 1.3
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
