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
3 0.9947916666666666
4 0.9947916666666666
5 0.984375
6 0.9791666666666666
7 0.96875
8 0.9114583333333334
9 0.90625
10 0.8802083333333334
11 0.8645833333333334
12 0.6822916666666666
13 0.0625
14 0
15 0
16 0
EOD
$band0 << EOD
2 1 1
3 0.96875 1
4 0.96875 1
5 0.96875 1
6 0.9375 1
7 0.875 1
8 0.65625 1
9 0.6875 1
10 0.6875 1
11 0.6875 0.96875
12 0.34375 0.9375
13 0 0.15625
14 0 0
15 0 0
16 0 0
EOD
$data1 << EOD
2 0.984375
3 0.984375
4 0.9895833333333334
5 0.9739583333333334
6 0.9791666666666666
7 0.9635416666666666
8 0.96875
9 0.9479166666666666
10 0.8645833333333334
11 0.84375
12 0.6979166666666666
13 0.05208333333333333
14 0
15 0
16 0
EOD
$band1 << EOD
2 0.90625 1
3 0.96875 1
4 0.96875 1
5 0.90625 1
6 0.96875 1
7 0.875 1
8 0.9375 1
9 0.84375 1
10 0.78125 0.9375
11 0.6875 0.90625
12 0.4375 0.8125
13 0 0.25
14 0 0
15 0 0
16 0 0
EOD
$data2 << EOD
2 0.9947916666666666
3 0.9375
4 0.9114583333333334
5 0.8541666666666666
6 0.7760416666666666
7 0.7708333333333334
8 0.7916666666666666
9 0.6354166666666666
10 0.625
11 0.5104166666666666
12 0.3802083333333333
13 0.005208333333333333
14 0
15 0
16 0
EOD
$band2 << EOD
2 0.96875 1
3 0.84375 1
4 0.78125 1
5 0.65625 0.96875
6 0.625 0.96875
7 0.53125 0.96875
8 0.5625 0.96875
9 0.1875 0.9375
10 0.28125 0.96875
11 0.09375 0.875
12 0.0625 0.75
13 0 0.03125
14 0 0
15 0 0
16 0 0
EOD
$data3 << EOD
2 0.046875
3 0.005208333333333333
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
3 0.005208333333333333
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
2 0.875
3 0.8072916666666666
4 0.6510416666666666
5 0.5520833333333333
6 0.4635416666666667
7 0.4583333333333333
8 0.359375
9 0.359375
10 0.3489583333333333
11 0.22395833333333334
12 0.15625
13 0.010416666666666666
14 0
15 0
16 0
EOD
$band6 << EOD
2 0.71875 1
3 0.65625 0.96875
4 0.4375 1
5 0.28125 0.9375
6 0.15625 0.90625
7 0.03125 1
8 0 0.78125
9 0 0.84375
10 0 0.875
11 0 0.625
12 0 0.40625
13 0 0.0625
14 0 0
15 0 0
16 0 0
EOD
$data7 << EOD
2 0.9947916666666666
3 0.9635416666666666
4 0.984375
5 0.9791666666666666
6 0.96875
7 0.96875
8 0.96875
9 0.953125
10 0.921875
11 0.84375
12 0.6666666666666666
13 0.109375
14 0
15 0
16 0
EOD
$band7 << EOD
2 0.96875 1
3 0.90625 1
4 0.9375 1
5 0.90625 1
6 0.9375 1
7 0.90625 1
8 0.90625 1
9 0.90625 1
10 0.84375 1
11 0.59375 0.96875
12 0.375 0.875
13 0 0.21875
14 0 0
15 0 0
16 0 0
EOD
$data8 << EOD
2 0.03125
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
