# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9375 -0.30000000000000004
1 0.4566532258064516 0.7
EOD
$band0 << EOD
0 0.8485644601448974 1.0264355398551026 -0.30000000000000004
1 0.38442188793910376 0.5288845636737994 0.7
EOD
$data1 << EOD
0 0.9947916666666666 -0.1
1 0.634744623655914 0.9
EOD
$band1 << EOD
0 0.9835868418489583 1.0059964914843749 -0.1
1 0.4267727505654981 0.8427164967463299 0.9
EOD
$data2 << EOD
0 0.9921875 0.1
1 0.6545698924731183 1.1
EOD
$band2 << EOD
0 0.9921875 0.9921875 0.1
1 0.6064446147663 0.7026951701799365 1.1
EOD
$data3 << EOD
0 0.578125 0.30000000000000004
1 0.2553763440860215 1.3
EOD
$band3 << EOD
0 0.51089605109375 0.64535394890625 0.30000000000000004
1 0.24907431840079997 0.26167836977124304 1.3
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
