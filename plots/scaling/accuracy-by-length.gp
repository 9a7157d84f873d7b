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
3 0.9166666666666666
4 0.9895833333333334
5 0.9479166666666666
6 0.9270833333333334
7 0.8541666666666666
8 0.8854166666666666
9 0.9270833333333334
10 0.9791666666666666
11 0.9791666666666666
12 0.9583333333333334
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
$band0 << EOD
2 1 1
3 0.875 0.96875
4 0.96875 1
5 0.90625 1
6 0.84375 1
7 0.59375 1
8 0.71875 0.96875
9 0.875 0.96875
10 0.9375 1
11 0.9375 1
12 0.90625 1
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
$data1 << EOD
2 0.9791666666666666
3 0.9375
4 0.9270833333333334
5 0.8854166666666666
6 0.96875
7 0.9479166666666666
8 0.9270833333333334
9 0.9166666666666666
10 0.875
11 0.9375
12 0.8229166666666666
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
$band1 << EOD
2 0.9375 1
3 0.8125 1
4 0.78125 1
5 0.65625 1
6 0.9375 1
7 0.875 1
8 0.84375 0.96875
9 0.90625 0.9375
10 0.8125 0.96875
11 0.90625 1
12 0.75 0.875
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
$data2 << EOD
2 0.9375
3 0.9270833333333334
4 0.9270833333333334
5 0.90625
6 0.9270833333333334
7 0.8541666666666666
8 0.90625
9 0.84375
10 0.8541666666666666
11 0.7395833333333334
12 0.7916666666666666
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
$band2 << EOD
2 0.84375 1
3 0.8125 1
4 0.90625 0.96875
5 0.84375 0.9375
6 0.84375 1
7 0.75 0.9375
8 0.875 0.96875
9 0.78125 0.96875
10 0.8125 0.90625
11 0.6875 0.78125
12 0.6875 0.875
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
$data3 << EOD
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
$band3 << EOD
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
$data4 << EOD
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
$band4 << EOD
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
$data5 << EOD
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
$band5 << EOD
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
$data6 << EOD
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
$band6 << EOD
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
$data7 << EOD
2 0.96875
3 0.5520833333333333
4 0.14583333333333334
5 0.10416666666666666
6 0.04166666666666667
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
$band7 << EOD
2 0.90625 1
3 0.3125 0.8125
4 0.0625 0.1875
5 0.03125 0.15625
6 0.03125 0.0625
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
     $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#0072B2' title 'baseline', \
     $data1 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#E69F00' title 'd_model=16,attention_scale=sqrt_dk', \
     $data2 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#009E73' title 'd_model=16,attention_scale=none', \
     $data3 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#D55E00' title 'd_model=32,attention_scale=sqrt_dk', \
     $data4 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#CC79A7' title 'd_model=32,attention_scale=none', \
     $data5 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#56B4E9' title 'd_model=64,attention_scale=none', \
     $data6 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#F0E442' title 'd_model=128,attention_scale=sqrt_dk', \
     $data7 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#000000' title 'd_model=128,attention_scale=none'
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'accuracy-by-length.svg'
replot
unset output
