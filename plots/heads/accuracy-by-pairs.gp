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
2 0.96875
3 0.9583333333333334
4 0.8541666666666666
5 0.53125
6 0.36458333333333337
7 0.2916666666666667
8 0.19791666666666669
EOD
$band0 << EOD
1 1 1
2 0.90625 1
3 0.90625 1
4 0.71875 1
5 0.34375 0.8125
6 0.15625 0.625
7 0.09375 0.5625
8 0.03125 0.46875
EOD
$data1 << EOD
1 1
2 0.40625
3 0.19791666666666669
4 0.09375
5 0.020833333333333332
6 0.020833333333333336
7 0.020833333333333332
8 0
EOD
$band1 << EOD
1 1 1
2 0.25 0.59375
3 0.03125 0.3125
4 0.0625 0.125
5 0 0.0625
6 0 0.03125
7 0 0.0625
8 0 0
EOD
$data2 << EOD
1 1
2 0.65625
3 0.46875
4 0.3645833333333333
5 0.21875
6 0.08333333333333333
7 0.03125
8 0.010416666666666666
EOD
$band2 << EOD
1 1 1
2 0.25 0.9375
3 0.15625 0.9375
4 0.0625 0.8125
5 0.125 0.375
6 0.0625 0.09375
7 0 0.09375
8 0 0.03125
EOD
$data3 << EOD
1 1
2 1
3 0.9791666666666666
4 0.9791666666666666
5 0.7604166666666666
6 0.5833333333333334
7 0.4791666666666667
8 0.3229166666666667
EOD
$band3 << EOD
1 1 1
2 1 1
3 0.9375 1
4 0.9375 1
5 0.71875 0.8125
6 0.40625 0.71875
7 0.25 0.59375
8 0.125 0.5
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
