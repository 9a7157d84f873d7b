# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9713541666666666 -0.34285714285714286
1 0.47580645161290325 0.6571428571428571
EOD
$band0 << EOD
0 0.8978792167489709 1.0448291165843624 -0.34285714285714286
1 0.4396907826792293 0.5119221205465772 0.6571428571428571
EOD
$data1 << EOD
0 0.059895833333333336 -0.2285714285714286
1 0.02049731182795699 0.7714285714285714
EOD
$band1 << EOD
0 0.03748618369791666 0.08230548296875001 -0.2285714285714286
1 0.019051527980510755 0.021943095675403222 0.7714285714285714
EOD
$data2 << EOD
0 0.9244791666666666 -0.1142857142857143
1 0.4375 0.8857142857142857
EOD
$band2 << EOD
0 0.8796598673958332 0.9692984659375 -0.1142857142857143
1 0.4199708024362249 0.4550291975637751 0.8857142857142857
EOD
$data3 << EOD
0 0.9270833333333334 0
1 0.4963037634408602 1
EOD
$band3 << EOD
0 0.8646975090215435 0.9894691576451232 0
1 0.36319739262167333 0.6294101342600471 1
EOD
$data4 << EOD
0 0.11458333333333333 0.1142857142857143
1 0.052083333333333336 1.1142857142857143
EOD
$band4 << EOD
0 0.103378508515625 0.12578815815104166 0.1142857142857143
1 0.02577960167790918 0.0783870649887575 1.1142857142857143
EOD
$data5 << EOD
0 0.4583333333333333 0.2285714285714286
1 0.1821236559139785 1.2285714285714286
EOD
$band5 << EOD
0 0.2833083745311386 0.6333582921355281 0.2285714285714286
1 0.15453985813689083 0.20970745369106616 1.2285714285714286
EOD
$data6 << EOD
0 0.20833333333333334 0.34285714285714286
1 0.08299731182795698 1.342857142857143
EOD
$band6 << EOD
0 -0.10117143187423397 0.5178380985409007 0.34285714285714286
1 -0.028215328882238946 0.19420995253815293 1.342857142857143
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
