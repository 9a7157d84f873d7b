# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
2 1
3 0.9895833333333334
4 1
5 0.9375
6 0.9583333333333334
7 0.9166666666666666
8 0.8854166666666666
9 0.9166666666666666
10 0.9375
11 0.8541666666666666
12 0.8541666666666666
13 0.020833333333333332
14 0
15 0
16 0
EOD
$band0 << EOD
2 1 1
3 0.96875 1
4 1 1
5 0.84375 1
6 0.9375 0.96875
7 0.78125 1
8 0.71875 0.96875
9 0.84375 0.96875
10 0.90625 0.96875
11 0.59375 1
12 0.71875 0.96875
13 0 0.0625
14 0 0
15 0 0
16 0 0
EOD
$data1 << EOD
2 0.8958333333333334
3 0.6770833333333333
4 0.5520833333333334
5 0.041666666666666664
6 0
7 0
8 0
9 0
10 0
11 0
12 0
13 0
14 0
15 0
16 0
EOD
$band1 << EOD
2 0.6875 1
3 0.0625 1
4 0.0625 0.8125
5 0 0.09375
6 0 0
7 0 0
8 0 0
9 0 0
10 0 0
11 0 0
12 0 0
13 0 0
14 0 0
15 0 0
16 0 0
EOD
$data2 << EOD
2 0.9895833333333334
3 0.96875
4 0.96875
5 0.9791666666666666
6 1
7 0.9791666666666666
8 0.9895833333333334
9 0.9791666666666666
10 0.9583333333333334
11 0.96875
12 0.9895833333333334
13 0.28125
14 0
15 0
16 0
EOD
$band2 << EOD
2 0.96875 1
3 0.90625 1
4 0.90625 1
5 0.96875 1
6 1 1
7 0.96875 1
8 0.96875 1
9 0.9375 1
10 0.90625 1
11 0.9375 1
12 0.96875 1
13 0.28125 0.28125
14 0 0
15 0 0
16 0 0
EOD
$data3 << EOD
2 0.041666666666666664
3 0
4 0
5 0
6 0
7 0
8 0
9 0
10 0
11 0
12 0
13 0
14 0
15 0
16 0
EOD
$band3 << EOD
2 0 0.09375
3 0 0
4 0 0
5 0 0
6 0 0
7 0 0
8 0 0
9 0 0
10 0 0
11 0 0
12 0 0
13 0 0
14 0 0
15 0 0
16 0 0
EOD
set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
set output ablate_dir.'accuracy-by-length.png'
set title 'Test exact match by length' noenhanced
set xlabel 'length' noenhanced
set ylabel 'test exact match' noenhanced
set key outside right top noenhanced
set grid back lc rgb '#dddddd'
set yrange [-0.02:1.02]
set object 1 rect from 1.5, graph 0 to 12.5, graph 1 behind fillcolor rgb '#eeeeee' fillstyle solid 1.0 noborder
set label 1 'seen in training' at 7, graph 0.97 center front noenhanced textcolor rgb '#777777'
plot $band0 using 1:2:3 with filledcurves fillcolor rgb '#0072B2' fillstyle transparent solid 0.2 noborder notitle, \
     $band1 using 1:2:3 with filledcurves fillcolor rgb '#E69F00' fillstyle transparent solid 0.2 noborder notitle, \
     $band2 using 1:2:3 with filledcurves fillcolor rgb '#009E73' fillstyle transparent solid 0.2 noborder notitle, \
     $band3 using 1:2:3 with filledcurves fillcolor rgb '#D55E00' fillstyle transparent solid 0.2 noborder notitle, \
     $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#0072B2' title 'baseline', \
     $data1 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#E69F00' title 'no-mask', \
     $data2 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#009E73' title 'encoder-decoder', \
     $data3 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#D55E00' title 'encoder-decoder-no-mask'
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'accuracy-by-length.svg'
replot
unset output
