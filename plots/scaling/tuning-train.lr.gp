# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0.0003 0.3828125
0.001 0.96875
0.003 0.9765625
0.01 0.9921875
EOD
$data1 << EOD
0.0003 0.03125
0.001 0.15625
0.003 0.671875
0.01 0.9765625
EOD
$data2 << EOD
0.0003 0.0078125
0.001 0.078125
0.003 0.1953125
0.01 0.875
EOD
$data3 << EOD
0.0003 0.1640625
0.001 0.6171875
0.003 0.9609375
0.01 0.9375
EOD
$data4 << EOD
0.0003 0.03125
0.001 0.1640625
0.003 0.8671875
0.01 0.03125
EOD
$data5 << EOD
0.0003 0.0546875
0.001 0.1484375
0.003 0.078125
0.01 0.0078125
EOD
$data6 << EOD
0.0003 0.8046875
0.001 0.9296875
0.003 0.8125
0.01 0.5625
EOD
$data7 << EOD
0.0003 0.171875
0.001 0.1328125
0.003 0.03125
0.01 0
EOD
set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
set output ablate_dir.'tuning-train.lr.png'
set title 'Tuning train.lr: validation exact match after 1,500 steps' noenhanced
set xlabel 'train.lr (log scale)' noenhanced
set ylabel 'validation exact match (1,500 steps)' noenhanced
set key outside right top noenhanced
set grid back lc rgb '#dddddd'
set logscale x
set format x '%g'
set xtics ('0.0003' 0.0003, '0.001' 0.001, '0.003' 0.003, '0.01' 0.01) nomirror noenhanced
set yrange [-0.02:1.02]
set xrange [0.00023999999999999998:0.0125]
plot $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#0072B2' title 'baseline', \
     $data1 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#E69F00' title 'd_model=16,attention_scale=sqrt_dk', \
     $data2 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#009E73' title 'd_model=16,attention_scale=none', \
     $data3 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#D55E00' title 'd_model=32,attention_scale=sqrt_dk', \
     $data4 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#CC79A7' title 'd_model=32,attention_scale=none', \
     $data5 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#56B4E9' title 'd_model=64,attention_scale=none', \
     $data6 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#F0E442' title 'd_model=128,attention_scale=sqrt_dk', \
     $data7 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#000000' title 'd_model=128,attention_scale=none'
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'tuning-train.lr.svg'
replot
unset output
