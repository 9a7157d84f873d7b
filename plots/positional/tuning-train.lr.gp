# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0.0003 0.9140625
0.001 0.9609375
0.003 0.9765625
0.01 0.9296875
EOD
$data1 << EOD
0.0003 0.046875
0.001 0.0546875
0.003 0.078125
0.01 0.0546875
EOD
$data2 << EOD
0.0003 0.421875
0.001 0.9140625
0.003 0.9375
0.01 0.96875
EOD
$data3 << EOD
0.0003 0.625
0.001 0.9296875
0.003 0.96875
0.01 0.8828125
EOD
$data4 << EOD
0.0003 0.0546875
0.001 0.125
0.003 0.203125
0.01 0.2734375
EOD
$data5 << EOD
0.0003 0.109375
0.001 0.453125
0.003 0.6640625
0.01 0.6171875
EOD
$data6 << EOD
0.0003 0.0703125
0.001 0.2578125
0.003 0.3671875
0.01 0.3359375
EOD
set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
set output ablate_dir.'tuning-train.lr.png'
set title 'Tuning train.lr: validation exact match after 2,000 steps' noenhanced
set xlabel 'train.lr (log scale)' noenhanced
set ylabel 'validation exact match (2,000 steps)' noenhanced
set key outside right top noenhanced
set grid back lc rgb '#dddddd'
set logscale x
set format x '%g'
set xtics ('0.0003' 0.0003, '0.001' 0.001, '0.003' 0.003, '0.01' 0.01) nomirror noenhanced
set yrange [-0.02:1.02]
set xrange [0.00023999999999999998:0.0125]
plot $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#0072B2' title 'baseline', \
     $data1 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#E69F00' title 'none', \
     $data2 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#009E73' title 'learned', \
     $data3 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#D55E00' title 'rope', \
     $data4 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#CC79A7' title 'alibi', \
     $data5 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#56B4E9' title 'alibi-decoder-only', \
     $data6 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#F0E442' title 'none-decoder-only'
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'tuning-train.lr.svg'
replot
unset output
