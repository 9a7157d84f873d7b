# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9635416666666666 -0.34285714285714286
1 0.47244623655913975 0.6571428571428571
EOD
$band0 << EOD
0 0.8953853781069548 1.0316979552263785 -0.34285714285714286
1 0.46232574962701606 0.48256672349126345 0.6571428571428571
EOD
$data1 << EOD
0 0.052083333333333336 -0.2285714285714286
1 0.0228494623655914 0.7714285714285714
EOD
$band1 << EOD
0 0.040878508515625 0.06328815815104168 -0.2285714285714286
1 0.01654743668036983 0.029151488050812968 0.7714285714285714
EOD
$data2 << EOD
0 0.9296875 -0.1142857142857143
1 0.4442204301075269 0.8857142857142857
EOD
$band2 << EOD
0 0.8783405421241318 0.9810344578758682 -0.1142857142857143
1 0.42095274109924885 0.4674881191158049 0.8857142857142857
EOD
$data3 << EOD
0 0.9270833333333334 0
1 0.5231854838709677 1
EOD
$band3 << EOD
0 0.8974381533816325 0.9567285132850343 0
1 0.4051701946489634 0.6412007730929721 1
EOD
$data4 << EOD
0 0.1171875 0.1142857142857143
1 0.05342741935483871 1.1142857142857143
EOD
$band4 << EOD
0 0.09778017412582048 0.1365948258741795 0.1142857142857143
1 0.03386921798464188 0.07298562072503553 1.1142857142857143
EOD
$data5 << EOD
0 0.4583333333333333 0.2285714285714286
1 0.1821236559139785 1.2285714285714286
EOD
$band5 << EOD
0 0.30267093214172314 0.6139957345249435 0.2285714285714286
1 0.15534736434470026 0.20889994748325674 1.2285714285714286
EOD
$data6 << EOD
0 0.21614583333333334 0.34285714285714286
1 0.07997311827956989 1.342857142857143
EOD
$band6 << EOD
0 -0.08845233689344037 0.5207440035601071 0.34285714285714286
1 -0.036365326761819874 0.19631156332095967 1.342857142857143
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
