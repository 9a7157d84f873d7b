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
3 1
4 0.9895833333333334
5 0.9791666666666666
6 1
7 1
8 0.9895833333333334
9 0.9791666666666666
10 0.9791666666666666
11 0.9270833333333334
12 0.875
13 0.10416666666666667
14 0
15 0
16 0
EOD
$band0 << EOD
2 1 1
3 1 1
4 0.96875 1
5 0.96875 1
6 1 1
7 1 1
8 0.96875 1
9 0.96875 1
10 0.9375 1
11 0.875 0.96875
12 0.8125 0.9375
13 0.0625 0.15625
14 0 0
15 0 0
16 0 0
EOD
$data1 << EOD
2 1
3 0.9895833333333334
4 0.9895833333333334
5 0.9895833333333334
6 1
7 0.9895833333333334
8 0.96875
9 0.9375
10 0.96875
11 0.9166666666666666
12 0.9270833333333334
13 0.11458333333333333
14 0
15 0
16 0
EOD
$band1 << EOD
2 1 1
3 0.96875 1
4 0.96875 1
5 0.96875 1
6 1 1
7 0.96875 1
8 0.9375 1
9 0.84375 1
10 0.96875 0.96875
11 0.875 0.96875
12 0.875 0.96875
13 0.03125 0.21875
14 0 0
15 0 0
16 0 0
EOD
$data2 << EOD
2 1
3 0.9895833333333334
4 0.9583333333333334
5 0.9375
6 0.8958333333333334
7 0.8333333333333334
8 0.9375
9 0.875
10 0.875
11 0.8333333333333334
12 0.6770833333333334
13 0.010416666666666668
14 0
15 0
16 0
EOD
$band2 << EOD
2 1 1
3 0.96875 1
4 0.9375 1
5 0.90625 0.96875
6 0.84375 0.96875
7 0.6875 0.96875
8 0.875 0.96875
9 0.8125 0.9375
10 0.8125 0.96875
11 0.78125 0.875
12 0.5625 0.75
13 0 0.03125
14 0 0
15 0 0
16 0 0
EOD
$data3 << EOD
2 0.05208333333333333
3 0.010416666666666666
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
2 0.03125 0.09375
3 0 0.03125
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
$data4 << EOD
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
$band4 << EOD
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
$data5 << EOD
2 0.0625
3 0.010416666666666666
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
$band5 << EOD
2 0 0.15625
3 0 0.03125
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
$data6 << EOD
2 0.96875
3 0.84375
4 0.8333333333333334
5 0.8020833333333334
6 0.7708333333333334
7 0.8333333333333334
8 0.71875
9 0.71875
10 0.6979166666666666
11 0.44791666666666663
12 0.3125
13 0.020833333333333332
14 0
15 0
16 0
EOD
$band6 << EOD
2 0.90625 1
3 0.65625 0.96875
4 0.5 1
5 0.53125 0.9375
6 0.53125 0.90625
7 0.65625 1
8 0.59375 0.78125
9 0.53125 0.84375
10 0.375 0.875
11 0.21875 0.625
12 0.25 0.40625
13 0 0.0625
14 0 0
15 0 0
16 0 0
EOD
$data7 << EOD
2 1
3 0.96875
4 1
5 0.9895833333333334
6 0.96875
7 0.9791666666666666
8 0.9791666666666666
9 0.9479166666666666
10 0.8958333333333334
11 0.7708333333333334
12 0.5104166666666666
13 0.03125
14 0
15 0
16 0
EOD
$band7 << EOD
2 1 1
3 0.9375 1
4 1 1
5 0.96875 1
6 0.9375 1
7 0.96875 1
8 0.96875 1
9 0.90625 1
10 0.84375 0.96875
11 0.59375 0.90625
12 0.375 0.625
13 0 0.0625
14 0 0
15 0 0
16 0 0
EOD
$data8 << EOD
2 0
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
$band8 << EOD
2 0 0
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
$data9 << EOD
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
$band9 << EOD
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
$data10 << EOD
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
$band10 << EOD
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
$data11 << EOD
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
$band11 << EOD
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
     $band4 using 1:2:3 with filledcurves fillcolor rgb '#CC79A7' fillstyle transparent solid 0.2 noborder notitle, \
     $band5 using 1:2:3 with filledcurves fillcolor rgb '#56B4E9' fillstyle transparent solid 0.2 noborder notitle, \
     $band6 using 1:2:3 with filledcurves fillcolor rgb '#F0E442' fillstyle transparent solid 0.2 noborder notitle, \
     $band7 using 1:2:3 with filledcurves fillcolor rgb '#000000' fillstyle transparent solid 0.2 noborder notitle, \
     $band8 using 1:2:3 with filledcurves fillcolor rgb '#332288' fillstyle transparent solid 0.2 noborder notitle, \
     $band9 using 1:2:3 with filledcurves fillcolor rgb '#117733' fillstyle transparent solid 0.2 noborder notitle, \
     $band10 using 1:2:3 with filledcurves fillcolor rgb '#44AA99' fillstyle transparent solid 0.2 noborder notitle, \
     $band11 using 1:2:3 with filledcurves fillcolor rgb '#88CCEE' fillstyle transparent solid 0.2 noborder notitle, \
     $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#0072B2' title 'baseline', \
     $data1 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#E69F00' title 'layers=2,residual=true,norm=pre', \
     $data2 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#009E73' title 'layers=2,residual=true,norm=none', \
     $data3 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#D55E00' title 'layers=2,residual=false,norm=post', \
     $data4 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#CC79A7' title 'layers=2,residual=false,norm=pre', \
     $data5 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#56B4E9' title 'layers=2,residual=false,norm=none', \
     $data6 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#F0E442' title 'layers=6,residual=true,norm=post', \
     $data7 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#000000' title 'layers=6,residual=true,norm=pre', \
     $data8 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#332288' title 'layers=6,residual=true,norm=none', \
     $data9 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#117733' title 'layers=6,residual=false,norm=post', \
     $data10 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#44AA99' title 'layers=6,residual=false,norm=pre', \
     $data11 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#88CCEE' title 'layers=6,residual=false,norm=none'
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'accuracy-by-length.svg'
replot
unset output
