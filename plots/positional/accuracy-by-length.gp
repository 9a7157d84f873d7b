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
5 0.9895833333333334
6 0.9895833333333334
7 0.9791666666666666
8 0.96875
9 1
10 0.96875
11 1
12 0.9895833333333334
13 0.96875
14 0.9791666666666666
15 0.8958333333333334
16 0.8645833333333334
17 0.0625
18 0
19 0
20 0
21 0
22 0
23 0
24 0
25 0
26 0
27 0
28 0
29 0
30 0
31 0
32 0
EOD
$band0 << EOD
2 1 1
3 1 1
4 0.96875 1
5 0.96875 1
6 0.96875 1
7 0.96875 1
8 0.96875 0.96875
9 1 1
10 0.9375 1
11 1 1
12 0.96875 1
13 0.9375 1
14 0.9375 1
15 0.84375 1
16 0.78125 0.96875
17 0 0.09375
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
25 0 0
26 0 0
27 0 0
28 0 0
29 0 0
30 0 0
31 0 0
32 0 0
EOD
$data1 << EOD
2 0.4166666666666667
3 0.23958333333333334
4 0.041666666666666664
5 0.010416666666666668
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
25 0
26 0
27 0
28 0
29 0
30 0
31 0
32 0
EOD
$band1 << EOD
2 0.34375 0.46875
3 0.21875 0.28125
4 0.03125 0.0625
5 0 0.03125
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
25 0 0
26 0 0
27 0 0
28 0 0
29 0 0
30 0 0
31 0 0
32 0 0
EOD
$data2 << EOD
2 1
3 1
4 1
5 0.9166666666666666
6 0.9791666666666666
7 0.9791666666666666
8 0.9791666666666666
9 0.9479166666666666
10 0.90625
11 0.8958333333333334
12 0.9166666666666666
13 0.8541666666666666
14 0.8333333333333334
15 0.8645833333333334
16 0.6979166666666666
17 0
18 0
19 0
20 0
21 0
22 0
23 0
24 0
25 0
26 0
27 0
28 0
29 0
30 0
31 0
32 0
EOD
$band2 << EOD
2 1 1
3 1 1
4 1 1
5 0.8125 1
6 0.96875 1
7 0.96875 1
8 0.9375 1
9 0.90625 1
10 0.875 0.9375
11 0.875 0.9375
12 0.875 0.96875
13 0.84375 0.875
14 0.78125 0.875
15 0.84375 0.90625
16 0.625 0.78125
17 0 0
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
25 0 0
26 0 0
27 0 0
28 0 0
29 0 0
30 0 0
31 0 0
32 0 0
EOD
$data3 << EOD
2 1
3 0.9583333333333334
4 1
5 0.9583333333333334
6 0.9895833333333334
7 0.9479166666666666
8 0.96875
9 0.9791666666666666
10 0.9791666666666666
11 0.9479166666666666
12 0.9583333333333334
13 0.9270833333333334
14 0.9791666666666666
15 0.9166666666666666
16 0.8333333333333334
17 0.7395833333333334
18 0.4791666666666667
19 0.3125
20 0.21875
21 0.09375
22 0.03125
23 0
24 0
25 0
26 0
27 0
28 0
29 0
30 0
31 0
32 0
EOD
$band3 << EOD
2 1 1
3 0.90625 1
4 1 1
5 0.9375 0.96875
6 0.96875 1
7 0.9375 0.96875
8 0.9375 1
9 0.96875 1
10 0.9375 1
11 0.90625 0.96875
12 0.90625 1
13 0.84375 1
14 0.96875 1
15 0.90625 0.9375
16 0.71875 0.90625
17 0.46875 0.9375
18 0.09375 0.75
19 0.03125 0.71875
20 0.0625 0.53125
21 0 0.28125
22 0 0.09375
23 0 0
24 0 0
25 0 0
26 0 0
27 0 0
28 0 0
29 0 0
30 0 0
31 0 0
32 0 0
EOD
$data4 << EOD
2 0.3125
3 0.34375
4 0.3333333333333333
5 0.20833333333333334
6 0.17708333333333334
7 0.10416666666666667
8 0.0625
9 0.052083333333333336
10 0.03125
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
25 0
26 0
27 0
28 0
29 0
30 0
31 0
32 0
EOD
$band4 << EOD
2 0.21875 0.375
3 0.28125 0.375
4 0.28125 0.375
5 0.15625 0.25
6 0.15625 0.1875
7 0.0625 0.125
8 0.03125 0.09375
9 0 0.125
10 0 0.0625
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
25 0 0
26 0 0
27 0 0
28 0 0
29 0 0
30 0 0
31 0 0
32 0 0
EOD
$data5 << EOD
2 0.9895833333333334
3 0.9166666666666666
4 0.8958333333333334
5 0.6458333333333334
6 0.6354166666666666
7 0.42708333333333337
8 0.3645833333333333
9 0.25
10 0.1875
11 0.14583333333333334
12 0.0625
13 0.052083333333333336
14 0.03125
15 0.03125
16 0
17 0.010416666666666666
18 0
19 0
20 0
21 0
22 0
23 0
24 0
25 0
26 0
27 0
28 0
29 0
30 0
31 0
32 0
EOD
$band5 << EOD
2 0.96875 1
3 0.875 0.96875
4 0.8125 0.96875
5 0.5 0.78125
6 0.53125 0.78125
7 0.28125 0.59375
8 0.34375 0.375
9 0.1875 0.3125
10 0.125 0.25
11 0.125 0.15625
12 0 0.15625
13 0.03125 0.09375
14 0 0.0625
15 0.03125 0.03125
16 0 0
17 0 0.03125
18 0 0
19 0 0
20 0 0
21 0 0
22 0 0
23 0 0
24 0 0
25 0 0
26 0 0
27 0 0
28 0 0
29 0 0
30 0 0
31 0 0
32 0 0
EOD
$data6 << EOD
2 0.8229166666666666
3 0.6145833333333333
4 0.48958333333333337
5 0.3333333333333333
6 0.13541666666666669
7 0.0625
8 0.010416666666666668
9 0.010416666666666668
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
25 0
26 0
27 0
28 0
29 0
30 0
31 0
32 0
EOD
$band6 << EOD
2 0.625 1
3 0.09375 0.875
4 0.03125 0.75
5 0.0625 0.5
6 0 0.34375
7 0 0.15625
8 0 0.03125
9 0 0.03125
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
25 0 0
26 0 0
27 0 0
28 0 0
29 0 0
30 0 0
31 0 0
32 0 0
EOD
set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
set output ablate_dir.'accuracy-by-length.png'
set title 'Test exact match by length' noenhanced
set xlabel 'length' noenhanced
set ylabel 'test exact match' noenhanced
set key outside right top noenhanced
set grid back lc rgb '#dddddd'
set yrange [-0.02:1.02]
set object 1 rect from 1.5, graph 0 to 16.5, graph 1 behind fillcolor rgb '#eeeeee' fillstyle solid 1.0 noborder
set label 1 'seen in training' at 9, graph 0.97 center front noenhanced textcolor rgb '#777777'
plot $band0 using 1:2:3 with filledcurves fillcolor rgb '#0072B2' fillstyle transparent solid 0.2 noborder notitle, \
     $band1 using 1:2:3 with filledcurves fillcolor rgb '#E69F00' fillstyle transparent solid 0.2 noborder notitle, \
     $band2 using 1:2:3 with filledcurves fillcolor rgb '#009E73' fillstyle transparent solid 0.2 noborder notitle, \
     $band3 using 1:2:3 with filledcurves fillcolor rgb '#D55E00' fillstyle transparent solid 0.2 noborder notitle, \
     $band4 using 1:2:3 with filledcurves fillcolor rgb '#CC79A7' fillstyle transparent solid 0.2 noborder notitle, \
     $band5 using 1:2:3 with filledcurves fillcolor rgb '#56B4E9' fillstyle transparent solid 0.2 noborder notitle, \
     $band6 using 1:2:3 with filledcurves fillcolor rgb '#F0E442' fillstyle transparent solid 0.2 noborder notitle, \
     $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#0072B2' title 'baseline', \
     $data1 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#E69F00' title 'none', \
     $data2 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#009E73' title 'learned', \
     $data3 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#D55E00' title 'rope', \
     $data4 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#CC79A7' title 'alibi', \
     $data5 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#56B4E9' title 'alibi-decoder-only', \
     $data6 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#F0E442' title 'none-decoder-only'
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'accuracy-by-length.svg'
replot
unset output
