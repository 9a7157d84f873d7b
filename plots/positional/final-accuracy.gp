# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.6315104166666667 -0.34285714285714286
1 0.4645497311827957 0.6571428571428571
EOD
$band0 << EOD
0 0.3856055025966322 0.8774153307367013 -0.34285714285714286
1 0.4430515540842624 0.486047908281329 0.6571428571428571
EOD
$data1 << EOD
0 0.03993055555555555 -0.2285714285714286
1 0.0228494623655914 0.7714285714285714
EOD
$band1 << EOD
0 0.03230815786747224 0.04755295324363887 -0.2285714285714286
1 0.01654743668036983 0.029151488050812968 0.7714285714285714
EOD
$data2 << EOD
0 0.51171875 -0.1142857142857143
1 0.4302755376344086 0.8857142857142857
EOD
$band2 << EOD
0 0.23760294477638028 0.7858345552236197 -0.1142857142857143
1 0.4002683596016812 0.460282715667136 0.8857142857142857
EOD
$data3 << EOD
0 0.6315104166666667 0
1 0.5218413978494624 1
EOD
$band3 << EOD
0 0.37869766778109853 0.884323165552235 0
1 0.4864204762320911 0.5572623194668336 1
EOD
$data4 << EOD
0 0.12044270833333333 0.1142857142857143
1 0.08988575268817203 1.1142857142857143
EOD
$band4 << EOD
0 0.0526638598344259 0.18822155683224076 0.1142857142857143
1 0.04671924555126228 0.1330522598250818 1.1142857142857143
EOD
$data5 << EOD
0 0.3430989583333333 0.2285714285714286
1 0.2380712365591398 1.2285714285714286
EOD
$band5 << EOD
0 0.19100725794161486 0.49519065872505175 0.2285714285714286
1 0.16896714498846352 0.30717532812981607 1.2285714285714286
EOD
$data6 << EOD
0 0.18359375 0.34285714285714286
1 0.11743951612903226 1.342857142857143
EOD
$band6 << EOD
0 0.09651754049179169 0.2706699595082083 0.34285714285714286
1 0.060435552765911095 0.17444347949215344 1.342857142857143
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
set boxwidth 0.1142857142857143 absolute
set style fill solid 0.8 noborder
set pointintervalbox 0.0001
set xrange [-0.6:1.6]
plot $data0 using 3:2 with boxes linecolor rgb '#0072B2' title 'baseline', \
     $band0 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data1 using 3:2 with boxes linecolor rgb '#E69F00' title 'none', \
     $band1 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data2 using 3:2 with boxes linecolor rgb '#009E73' title 'learned', \
     $band2 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data3 using 3:2 with boxes linecolor rgb '#D55E00' title 'rope', \
     $band3 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data4 using 3:2 with boxes linecolor rgb '#CC79A7' title 'alibi', \
     $band4 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data5 using 3:2 with boxes linecolor rgb '#56B4E9' title 'alibi-decoder-only', \
     $band5 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data6 using 3:2 with boxes linecolor rgb '#F0E442' title 'none-decoder-only', \
     $band6 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'final-accuracy.svg'
replot
unset output
