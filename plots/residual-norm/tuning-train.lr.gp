# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0.0003 0.15625
0.001 0.9296875
0.003 0.984375
0.01 0.984375
EOD
$data1 << EOD
0.0003 0.2109375
0.001 0.96875
0.003 0.9921875
0.01 0.90625
EOD
$data2 << EOD
0.0003 0.1015625
0.001 0.59375
0.003 0.9140625
0.01 0.9375
EOD
$data3 << EOD
0.0003 0.0078125
0.001 0.0078125
0.003 0.0078125
0.01 0.0078125
EOD
$data4 << EOD
0.0003 0.0078125
0.001 0.0078125
0.003 0.0078125
0.01 0.0078125
EOD
$data5 << EOD
0.0003 0.0078125
0.001 0.015625
0.003 0.015625
0.01 0.0078125
EOD
$data6 << EOD
0.0003 0.078125
0.001 0.3515625
0.003 0.7890625
0.01 0.0078125
EOD
$data7 << EOD
0.0003 0.3046875
0.001 0.984375
0.003 0.9453125
0.01 0.9765625
EOD
$data8 << EOD
0.0003 0
0.001 0
0.003 0
0.01 0
EOD
$data9 << EOD
0.0003 0
0.001 0.0078125
0.003 0
0.01 0
EOD
$data10 << EOD
0.0003 0.0078125
0.001 0.0078125
0.003 0
0.01 0
EOD
$data11 << EOD
0.0003 0.0078125
0.001 0.0078125
0.003 0.0078125
0.01 0
EOD
set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
set output ablate_dir.'tuning-train.lr.png'
set title 'Tuning train.lr: validation exact match after 1,200 steps' noenhanced
set xlabel 'train.lr (log scale)' noenhanced
set ylabel 'validation exact match (1,200 steps)' noenhanced
set key outside right top noenhanced
set grid back lc rgb '#dddddd'
set logscale x
set format x '%g'
set xtics ('0.0003' 0.0003, '0.001' 0.001, '0.003' 0.003, '0.01' 0.01) nomirror noenhanced
set yrange [-0.02:1.02]
set xrange [0.00023999999999999998:0.0125]
plot $data0 using 1:2 with linespoints linewidth 2 pointtype 7 pointsize 0.6 linecolor rgb '#0072B2' title 'baseline', \
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
set output ablate_dir.'tuning-train.lr.svg'
replot
unset output
