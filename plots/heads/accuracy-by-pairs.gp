# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
1 1
2 1
3 1
4 0.8958333333333334
5 0.6145833333333333
6 0.34375
7 0.26041666666666663
8 0.125
EOD
$band0 << EOD
1 1 1
2 1 1
3 1 1
4 0.6875 1
5 0.21875 0.96875
6 0 0.625
7 0.03125 0.5625
8 0 0.28125
EOD
$data1 << EOD
1 1
2 0.34375
3 0.3125
4 0.19791666666666666
5 0.10416666666666666
6 0.13541666666666666
7 0.04166666666666667
8 0.010416666666666666
EOD
$band1 << EOD
1 1 1
2 0.21875 0.40625
3 0.09375 0.625
4 0.0625 0.375
5 0.03125 0.15625
6 0 0.375
7 0 0.0625
8 0 0.03125
EOD
$data2 << EOD
1 1
2 0.71875
3 0.6979166666666667
4 0.6458333333333333
5 0.6041666666666666
6 0.5416666666666666
7 0.4479166666666667
8 0.34375
EOD
$band2 << EOD
1 1 1
2 0.15625 1
3 0.09375 1
4 0.03125 1
5 0.09375 1
6 0.0625 0.96875
7 0 0.9375
8 0 0.84375
EOD
$data3 << EOD
1 1
2 1
3 0.9791666666666666
4 0.9375
5 0.7083333333333334
6 0.5208333333333334
7 0.34375
8 0.19791666666666669
EOD
$band3 << EOD
1 1 1
2 1 1
3 0.9375 1
4 0.9375 0.9375
5 0.6875 0.71875
6 0.34375 0.625
7 0.3125 0.40625
8 0.125 0.28125
EOD
set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
set output ablate_dir.'accuracy-by-pairs.png'
set title 'Test exact match by pairs' noenhanced
set xlabel 'pairs' noenhanced
set ylabel 'test exact match' noenhanced
set key outside right top noenhanced
set grid back lc rgb '#dddddd'
set yrange [-0.02:1.02]
set object 1 rect from 0.5, graph 0 to 4.5, graph 1 behind fillcolor rgb '#eeeeee' fillstyle solid 1.0 noborder
set label 1 'seen in training' at 2.5, graph 0.97 center front noenhanced textcolor rgb '#777777'
plot $band0 using 1:2:3 with filledcurves fillcolor rgb '#0072B2' fillstyle transparent solid 0.2 noborder notitle, \
     $band1 using 1:2:3 with filledcurves fillcolor rgb '#E69F00' fillstyle transparent solid 0.2 noborder notitle, \
     $band2 using 1:2:3 with filledcurves fillcolor rgb '#009E73' fillstyle transparent solid 0.2 noborder notitle, \
     $band3 using 1:2:3 with filledcurves fillcolor rgb '#D55E00' fillstyle transparent solid 0.2 noborder notitle, \
     $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#0072B2' title 'baseline', \
     $data1 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#E69F00' title 'heads=1', \
     $data2 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#009E73' title 'heads=2', \
     $data3 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#D55E00' title 'heads=8'
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'accuracy-by-pairs.svg'
replot
unset output
