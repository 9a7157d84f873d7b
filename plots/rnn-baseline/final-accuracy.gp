# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.6315104166666667 -0.30000000000000004
1 0.4645497311827957 0.7
EOD
$band0 << EOD
0 0.3856055025966322 0.8774153307367013 -0.30000000000000004
1 0.4430515540842624 0.486047908281329 0.7
EOD
$data1 << EOD
0 0.681640625 -0.1
1 0.7016129032258065 0.9
EOD
$band1 << EOD
0 0.4428499337008156 0.9204313162991844 -0.1
1 0.5860043559838725 0.8172214504677405 0.9
EOD
$data2 << EOD
0 0.744140625 0.1
1 0.6770833333333334 1.1
EOD
$band2 << EOD
0 0.5262341256014984 0.9620471243985016 0.1
1 0.6204499995402966 0.7337166671263702 1.1
EOD
$data3 << EOD
0 0.376953125 0.30000000000000004
1 0.22799059139784947 1.3
EOD
$band3 << EOD
0 0.25923755428836975 0.49466869571163025 0.30000000000000004
1 0.19643457282717283 0.2595466099685261 1.3
EOD
set terminal pngcairo noenhanced size 1000,650 font 'Sans,11'
set output ablate_dir.'final-accuracy.png'
set title 'Final exact match' noenhanced
set xlabel '' noenhanced
set ylabel 'exact match' noenhanced
set key outside right top noenhanced
set grid back lc rgb '#dddddd'
set xtics ('validation' 0, 'test' 1) nomirror rotate by -30 left noenhanced
set yrange [0:1.05]
set boxwidth 0.2 absolute
set style fill solid 0.8 noborder
set pointintervalbox 0.0001
set xrange [-0.6:1.6]
plot $data0 using 3:2 with boxes linecolor rgb '#0072B2' title 'baseline', \
     $band0 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data1 using 3:2 with boxes linecolor rgb '#E69F00' title 'gru-additive', \
     $band1 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data2 using 3:2 with boxes linecolor rgb '#009E73' title 'lstm-dot', \
     $band2 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data3 using 3:2 with boxes linecolor rgb '#D55E00' title 'gru-no-attention', \
     $band3 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'final-accuracy.svg'
replot
unset output
