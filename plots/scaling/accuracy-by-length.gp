# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
2 0.9895833333333334
3 0.96875
4 0.96875
5 0.9166666666666666
6 0.9270833333333334
7 0.8645833333333334
8 0.9270833333333334
9 0.875
10 0.9166666666666666
11 0.8020833333333334
12 0.8854166666666666
13 0.020833333333333336
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
2 0.96875 1
3 0.9375 1
4 0.9375 1
5 0.875 0.96875
6 0.90625 0.96875
7 0.75 0.9375
8 0.875 0.96875
9 0.8125 0.90625
10 0.84375 1
11 0.6875 0.875
12 0.78125 0.9375
13 0 0.0625
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
2 0.8958333333333334
3 0.7083333333333334
4 0.6041666666666666
5 0.4166666666666667
6 0.40625
7 0.3020833333333333
8 0.25
9 0.2708333333333333
10 0.11458333333333333
11 0.041666666666666664
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
2 0.78125 1
3 0.5 0.84375
4 0.375 0.9375
5 0.125 0.9375
6 0 0.84375
7 0 0.78125
8 0 0.6875
9 0 0.75
10 0 0.3125
11 0 0.125
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
2 0.9791666666666666
3 0.9791666666666666
4 0.9791666666666666
5 0.9583333333333334
6 0.9583333333333334
7 0.8854166666666666
8 0.90625
9 0.9166666666666666
10 0.8020833333333334
11 0.71875
12 0.5520833333333333
13 0.020833333333333332
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
2 0.9375 1
3 0.96875 1
4 0.9375 1
5 0.875 1
6 0.875 1
7 0.6875 1
8 0.71875 1
9 0.8125 0.96875
10 0.5625 0.9375
11 0.375 0.90625
12 0.09375 0.8125
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
2 0.8020833333333334
3 0.1875
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
2 0.78125 0.8125
3 0.15625 0.21875
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
2 0.8333333333333334
3 0.8020833333333334
4 0.75
5 0.6041666666666666
6 0.5833333333333333
7 0.6145833333333334
8 0.5625
9 0.5625
10 0.4895833333333333
11 0.4270833333333333
12 0.15625
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
2 0.75 0.9375
3 0.75 0.875
4 0.34375 1
5 0.09375 0.875
6 0.09375 0.84375
7 0.0625 0.90625
8 0 0.875
9 0.03125 0.90625
10 0 0.84375
11 0 0.6875
12 0 0.40625
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
3 0.9479166666666666
4 0.8541666666666666
5 0.7395833333333334
6 0.7916666666666666
7 0.7604166666666666
8 0.5833333333333334
9 0.59375
10 0.5520833333333334
11 0.3854166666666667
12 0.11458333333333333
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
3 0.90625 1
4 0.8125 0.90625
5 0.59375 0.875
6 0.65625 0.96875
7 0.6875 0.90625
8 0.5 0.6875
9 0.5 0.6875
10 0.375 0.6875
11 0.125 0.65625
12 0.0625 0.1875
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
3 0.9375
4 0.9375
5 0.9479166666666666
6 0.96875
7 0.9583333333333334
8 0.9479166666666666
9 0.9270833333333334
10 0.96875
11 0.9166666666666666
12 0.8541666666666666
13 0.0625
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
3 0.90625 0.96875
4 0.84375 1
5 0.90625 1
6 0.9375 1
7 0.90625 1
8 0.9375 0.96875
9 0.90625 0.96875
10 0.9375 1
11 0.875 0.9375
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
2 0.90625
3 0.6770833333333334
4 0.3333333333333333
5 0.23958333333333331
6 0.125
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
2 0.84375 1
3 0.5 0.8125
4 0.25 0.5
5 0.1875 0.3125
6 0.0625 0.21875
7 0 0.09375
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
2 0.9895833333333334
3 0.8854166666666666
4 0.9583333333333334
5 0.9270833333333334
6 0.9375
7 0.8854166666666666
8 0.90625
9 0.9479166666666666
10 0.9375
11 0.8541666666666666
12 0.6666666666666667
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
2 0.96875 1
3 0.84375 0.9375
4 0.9375 1
5 0.875 0.96875
6 0.84375 1
7 0.84375 0.96875
8 0.8125 0.96875
9 0.90625 0.96875
10 0.90625 0.96875
11 0.8125 0.90625
12 0.375 0.84375
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
2 0.9583333333333334
3 0.9375
4 0.96875
5 0.9166666666666666
6 0.875
7 0.90625
8 0.90625
9 0.9270833333333334
10 0.8958333333333334
11 0.9479166666666666
12 0.9270833333333334
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
$band9 << EOD
2 0.875 1
3 0.90625 0.96875
4 0.9375 1
5 0.8125 0.96875
6 0.8125 0.9375
7 0.84375 0.96875
8 0.84375 0.96875
9 0.875 0.96875
10 0.8125 0.9375
11 0.90625 0.96875
12 0.90625 0.9375
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
3 0.5520833333333334
4 0.4270833333333333
5 0.22916666666666666
6 0.125
7 0.03125
8 0.010416666666666666
9 0
10 0.020833333333333332
11 0.010416666666666666
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
3 0.40625 0.65625
4 0.375 0.5
5 0.1875 0.28125
6 0.0625 0.1875
7 0.03125 0.03125
8 0 0.03125
9 0 0
10 0 0.0625
11 0 0.03125
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
2 0.75
3 0.41666666666666663
4 0.19791666666666666
5 0.052083333333333336
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
$band11 << EOD
2 0.5625 1
3 0.28125 0.625
4 0.0625 0.34375
5 0 0.125
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
$data12 << EOD
2 1
3 0.96875
4 0.9791666666666666
5 0.9479166666666666
6 0.9479166666666666
7 0.9166666666666666
8 0.9479166666666666
9 0.8229166666666666
10 0.8541666666666666
11 0.875
12 0.8125
13 0.20833333333333331
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
5 0.9375 0.96875
6 0.90625 0.96875
7 0.875 0.96875
8 0.90625 0.96875
9 0.71875 0.875
10 0.78125 0.90625
11 0.8125 0.9375
12 0.75 0.875
13 0.125 0.28125
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
2 0.9895833333333334
3 0.90625
4 0.96875
5 0.8541666666666666
6 0.8854166666666666
7 0.8541666666666666
8 0.8854166666666666
9 0.7604166666666666
10 0.7708333333333334
11 0.7708333333333334
12 0.7395833333333334
13 0.375
14 0.010416666666666668
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
2 0.96875 1
3 0.875 0.9375
4 0.90625 1
5 0.75 0.96875
6 0.8125 0.9375
7 0.8125 0.875
8 0.84375 0.90625
9 0.65625 0.84375
10 0.71875 0.84375
11 0.75 0.78125
12 0.625 0.9375
13 0.21875 0.5
14 0 0.03125
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
2 0.59375
3 0.23958333333333334
4 0.125
5 0.020833333333333336
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
$band14 << EOD
2 0.34375 0.9375
3 0.125 0.46875
4 0 0.28125
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
$data15 << EOD
2 0.1875
3 0.020833333333333332
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
2 0.125 0.25
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
