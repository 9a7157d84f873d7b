# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
2 0.9791666666666666
3 0.9583333333333334
4 0.9791666666666666
5 0.9166666666666666
6 0.9166666666666666
7 0.90625
8 0.9479166666666666
9 0.8958333333333334
10 0.9270833333333334
11 0.8541666666666666
12 0.8125
13 0.05208333333333333
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band0 << EOD
2 0.9375 1
3 0.90625 1
4 0.9375 1
5 0.84375 1
6 0.8125 1
7 0.8125 0.96875
8 0.84375 1
9 0.8125 1
10 0.84375 1
11 0.65625 0.96875
12 0.6875 0.90625
13 0 0.125
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data1 << EOD
2 0.9166666666666666
3 0.7291666666666666
4 0.5833333333333334
5 0.4270833333333333
6 0.4166666666666667
7 0.28125
8 0.25
9 0.2604166666666667
10 0.10416666666666667
11 0.03125
12 0.010416666666666666
13 0
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band1 << EOD
2 0.84375 1
3 0.5 0.84375
4 0.34375 0.9375
5 0.125 0.9375
6 0 0.875
7 0 0.71875
8 0 0.6875
9 0 0.71875
10 0 0.28125
11 0 0.09375
12 0 0.03125
13 0 0
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data2 << EOD
2 0.9895833333333334
3 1
4 0.9791666666666666
5 0.9375
6 0.9479166666666666
7 0.9166666666666666
8 0.9375
9 0.9270833333333334
10 0.8333333333333333
11 0.78125
12 0.6458333333333333
13 0.010416666666666666
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band2 << EOD
2 0.96875 1
3 1 1
4 0.9375 1
5 0.875 1
6 0.875 1
7 0.75 1
8 0.84375 1
9 0.78125 1
10 0.53125 1
11 0.40625 1
12 0.15625 0.96875
13 0 0.03125
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data3 << EOD
2 0.8125
3 0.19791666666666666
4 0.14583333333333334
5 0.010416666666666666
6 0.010416666666666666
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
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band3 << EOD
2 0.8125 0.8125
3 0.125 0.25
4 0.09375 0.1875
5 0 0.03125
6 0 0.03125
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
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data4 << EOD
2 0.875
3 0.84375
4 0.7395833333333333
5 0.6145833333333333
6 0.5833333333333334
7 0.5833333333333334
8 0.5625
9 0.53125
10 0.4895833333333333
11 0.3645833333333333
12 0.17708333333333334
13 0
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band4 << EOD
2 0.8125 0.9375
3 0.75 0.90625
4 0.3125 1
5 0.15625 0.90625
6 0.03125 0.9375
7 0.03125 0.90625
8 0.03125 0.9375
9 0.03125 0.90625
10 0 0.9375
11 0 0.75
12 0 0.4375
13 0 0
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data5 << EOD
2 0.9895833333333334
3 0.9583333333333334
4 0.8645833333333334
5 0.75
6 0.7916666666666666
7 0.7708333333333334
8 0.59375
9 0.6041666666666666
10 0.5729166666666666
11 0.34375
12 0.10416666666666667
13 0
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band5 << EOD
2 0.96875 1
3 0.9375 1
4 0.8125 0.90625
5 0.59375 0.875
6 0.6875 0.9375
7 0.65625 0.90625
8 0.53125 0.65625
9 0.53125 0.65625
10 0.40625 0.6875
11 0.09375 0.625
12 0 0.1875
13 0 0
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data6 << EOD
2 1
3 0.9479166666666666
4 0.9270833333333334
5 0.9166666666666666
6 0.9375
7 0.84375
8 0.8958333333333334
9 0.8541666666666666
10 0.9166666666666666
11 0.8854166666666666
12 0.84375
13 0.052083333333333336
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band6 << EOD
2 1 1
3 0.875 1
4 0.90625 0.96875
5 0.84375 1
6 0.90625 0.96875
7 0.78125 0.9375
8 0.84375 0.96875
9 0.84375 0.875
10 0.875 0.96875
11 0.75 0.96875
12 0.78125 0.9375
13 0.03125 0.09375
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data7 << EOD
2 0.96875
3 0.625
4 0.3541666666666667
5 0.15625
6 0.09375
7 0.041666666666666664
8 0.010416666666666666
9 0
10 0
11 0
12 0
13 0
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band7 << EOD
2 0.9375 1
3 0.3125 0.78125
4 0.25 0.5
5 0.125 0.21875
6 0.0625 0.125
7 0.03125 0.0625
8 0 0.03125
9 0 0
10 0 0
11 0 0
12 0 0
13 0 0
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data8 << EOD
2 1
3 0.9791666666666666
4 0.9583333333333334
5 0.9583333333333334
6 0.90625
7 0.96875
8 0.9791666666666666
9 0.9583333333333334
10 0.96875
11 0.875
12 0.7395833333333334
13 0
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band8 << EOD
2 1 1
3 0.9375 1
4 0.9375 0.96875
5 0.9375 1
6 0.875 0.9375
7 0.90625 1
8 0.96875 1
9 0.9375 1
10 0.9375 1
11 0.78125 0.9375
12 0.5 0.90625
13 0 0
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data9 << EOD
2 0.9791666666666666
3 0.8958333333333334
4 0.9270833333333334
5 0.8958333333333334
6 0.9270833333333334
7 0.9583333333333334
8 0.9479166666666666
9 0.9479166666666666
10 0.9479166666666666
11 0.9791666666666666
12 0.90625
13 0.05208333333333333
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band9 << EOD
2 0.9375 1
3 0.78125 0.96875
4 0.875 1
5 0.875 0.9375
6 0.90625 0.9375
7 0.9375 0.96875
8 0.9375 0.96875
9 0.875 1
10 0.9375 0.96875
11 0.96875 1
12 0.875 0.9375
13 0.03125 0.0625
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data10 << EOD
2 1
3 0.6458333333333334
4 0.6770833333333334
5 0.3125
6 0.13541666666666669
7 0.10416666666666667
8 0.08333333333333334
9 0.11458333333333334
10 0.10416666666666667
11 0.03125
12 0
13 0
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band10 << EOD
2 1 1
3 0.5625 0.71875
4 0.53125 0.84375
5 0.1875 0.4375
6 0.0625 0.25
7 0 0.1875
8 0 0.21875
9 0 0.3125
10 0.03125 0.1875
11 0 0.0625
12 0 0
13 0 0
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data11 << EOD
2 0.84375
3 0.2708333333333333
4 0.08333333333333333
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
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band11 << EOD
2 0.5625 1
3 0.21875 0.375
4 0 0.1875
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
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data12 << EOD
2 1
3 0.96875
4 0.9895833333333334
5 0.8958333333333334
6 0.9270833333333334
7 0.8125
8 0.8958333333333334
9 0.9479166666666666
10 0.7708333333333334
11 0.8020833333333334
12 0.8125
13 0.2708333333333333
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band12 << EOD
2 1 1
3 0.9375 1
4 0.96875 1
5 0.8125 0.9375
6 0.90625 0.9375
7 0.75 0.90625
8 0.84375 0.9375
9 0.90625 1
10 0.71875 0.84375
11 0.625 0.90625
12 0.71875 0.875
13 0.21875 0.34375
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data13 << EOD
2 0.96875
3 0.9583333333333334
4 1
5 0.8958333333333334
6 0.8854166666666666
7 0.8541666666666666
8 0.8645833333333334
9 0.8229166666666666
10 0.8020833333333334
11 0.8229166666666666
12 0.8020833333333334
13 0.6041666666666666
14 0.041666666666666664
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band13 << EOD
2 0.90625 1
3 0.9375 1
4 1 1
5 0.875 0.9375
6 0.875 0.90625
7 0.8125 0.9375
8 0.78125 0.90625
9 0.6875 0.9375
10 0.71875 0.875
11 0.78125 0.84375
12 0.75 0.90625
13 0.4375 0.71875
14 0 0.125
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data14 << EOD
2 0.84375
3 0.17708333333333331
4 0.10416666666666666
5 0.04166666666666667
6 0
7 0.010416666666666668
8 0
9 0
10 0
11 0
12 0
13 0
14 0
15 0
16 0
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band14 << EOD
2 0.6875 0.9375
3 0.09375 0.28125
4 0 0.15625
5 0.03125 0.0625
6 0 0
7 0 0.03125
8 0 0
9 0 0
10 0 0
11 0 0
12 0 0
13 0 0
14 0 0
15 0 0
16 0 0
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
EOD
$data15 << EOD
2 0.11458333333333333
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
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
EOD
$band15 << EOD
2 0.09375 0.15625
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
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
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
     $band12 using 1:2:3 with filledcurves fillcolor rgb '#DDCC77' fillstyle transparent solid 0.2 noborder notitle, \
     $band13 using 1:2:3 with filledcurves fillcolor rgb '#CC6677' fillstyle transparent solid 0.2 noborder notitle, \
     $band14 using 1:2:3 with filledcurves fillcolor rgb '#AA4499' fillstyle transparent solid 0.2 noborder notitle, \
     $band15 using 1:2:3 with filledcurves fillcolor rgb '#882255' fillstyle transparent solid 0.2 noborder notitle, \
     $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#0072B2' title 'baseline', \
     $data1 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#E69F00' title 'd_model=16,attention_scale=sqrt_dk,lr=0.001', \
     $data2 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#009E73' title 'd_model=16,attention_scale=sqrt_dk,lr=0.003', \
     $data3 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#D55E00' title 'd_model=16,attention_scale=none,lr=0.001', \
     $data4 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#CC79A7' title 'd_model=16,attention_scale=none,lr=0.003', \
     $data5 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#56B4E9' title 'd_model=32,attention_scale=sqrt_dk,lr=0.001', \
     $data6 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#F0E442' title 'd_model=32,attention_scale=sqrt_dk,lr=0.003', \
     $data7 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#000000' title 'd_model=32,attention_scale=none,lr=0.001', \
     $data8 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#332288' title 'd_model=32,attention_scale=none,lr=0.003', \
     $data9 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#117733' title 'd_model=64,attention_scale=sqrt_dk,lr=0.003', \
     $data10 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#44AA99' title 'd_model=64,attention_scale=none,lr=0.001', \
     $data11 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#88CCEE' title 'd_model=64,attention_scale=none,lr=0.003', \
     $data12 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#DDCC77' title 'd_model=128,attention_scale=sqrt_dk,lr=0.001', \
     $data13 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#CC6677' title 'd_model=128,attention_scale=sqrt_dk,lr=0.003', \
     $data14 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#AA4499' title 'd_model=128,attention_scale=none,lr=0.001', \
     $data15 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#882255' title 'd_model=128,attention_scale=none,lr=0.003'
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'accuracy-by-length.svg'
replot
unset output
