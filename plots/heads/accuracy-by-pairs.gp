# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
2 0.10416666666666666
3 0.09375
4 0.020833333333333336
5 0
6 0.010416666666666666
7 0.020833333333333336
8 0
9 0.020833333333333336
10 0.010416666666666668
11 0
12 0
13 0
14 0
15 0
16 0
EOD
$band0 << EOD
2 0.0625 0.15625
3 0.03125 0.125
4 0 0.0625
5 0 0
6 0 0.03125
7 0 0.03125
8 0 0
9 0 0.03125
10 0 0.03125
11 0 0
12 0 0
13 0 0
14 0 0
15 0 0
16 0 0
EOD
$data1 << EOD
2 0.09375
3 0.08333333333333333
4 0.020833333333333336
5 0.010416666666666666
6 0
7 0.020833333333333336
8 0
9 0.020833333333333336
10 0.010416666666666668
11 0
12 0
13 0
14 0
15 0
16 0
EOD
$band1 << EOD
2 0.0625 0.15625
3 0 0.15625
4 0 0.0625
5 0 0.03125
6 0 0
7 0 0.03125
8 0 0
9 0 0.03125
10 0 0.03125
11 0 0
12 0 0
13 0 0
14 0 0
15 0 0
16 0 0
EOD
$data2 << EOD
2 0.125
3 0.08333333333333333
4 0.020833333333333336
5 0.010416666666666666
6 0.010416666666666666
7 0.020833333333333336
8 0
9 0.03125
10 0.010416666666666668
11 0
12 0
13 0
14 0
15 0
16 0
EOD
$band2 << EOD
2 0.0625 0.21875
3 0 0.15625
4 0 0.0625
5 0 0.03125
6 0 0.03125
7 0 0.03125
8 0 0
9 0 0.0625
10 0 0.03125
11 0 0
12 0 0
13 0 0
14 0 0
15 0 0
16 0 0
EOD
$data3 << EOD
2 0.10416666666666666
3 0.10416666666666667
4 0.020833333333333336
5 0
6 0.010416666666666666
7 0.03125
8 0
9 0.020833333333333336
10 0.010416666666666668
11 0
12 0
13 0
14 0
15 0
16 0
EOD
$band3 << EOD
2 0.0625 0.15625
3 0.03125 0.15625
4 0 0.0625
5 0 0
6 0 0.03125
7 0 0.0625
8 0 0
9 0 0.03125
10 0 0.03125
11 0 0
12 0 0
13 0 0
14 0 0
15 0 0
16 0 0
EOD
set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
set output ablate_dir.'accuracy-by-pairs.png'
set title 'Test exact match by pairs' noenhanced
set xlabel 'pairs' noenhanced
set ylabel 'test exact match' noenhanced
set key outside right top noenhanced
set grid back lc rgb '#dddddd'
set yrange [-0.02:1.02]
set object 1 rect from 1.5, graph 0 to 8.5, graph 1 behind fillcolor rgb '#eeeeee' fillstyle solid 1.0 noborder
set label 1 'seen in training' at 5, graph 0.97 center front noenhanced textcolor rgb '#777777'
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
