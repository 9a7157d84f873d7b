# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.6145833333333333 -0.35000000000000003
1 0.4408967391304348 0.6499999999999999
EOD
$band0 << EOD
0 0.3374861319393971 0.8916805347272694 -0.35000000000000003
1 0.4283442791288311 0.4534491991320385 0.6499999999999999
EOD
$data1 << EOD
0 0.39518229166666663 -0.25
1 0.30797101449275366 0.75
EOD
$band1 << EOD
0 0.1430826836738423 0.6472818996594909 -0.25
1 0.13455723066455472 0.4813847983209526 0.75
EOD
$data2 << EOD
0 0.275390625 -0.15000000000000002
1 0.2341485507246377 0.85
EOD
$band2 << EOD
0 0.03084405442280297 0.519937195577197 -0.15000000000000002
1 0.022380836712925706 0.4459162647363497 0.85
EOD
$data3 << EOD
0 0.5182291666666666 -0.05
1 0.3858695652173913 0.95
EOD
$band3 << EOD
0 0.26875661188106326 0.76770172145227 -0.05
1 0.3026401566643122 0.4690989737704704 0.95
EOD
$data4 << EOD
0 0.287109375 0.05
1 0.2658514492753623 1.05
EOD
$band4 << EOD
0 0.042077823984374985 0.532140926015625 0.05
1 0.07617263680879119 0.45553026174193345 1.05
EOD
$data5 << EOD
0 0.0763888888888889 0.15000000000000002
1 0.10461956521739131 1.15
EOD
$band5 << EOD
0 0.009129243450216276 0.14364853432756153 0.15000000000000002
1 0.07036515724079016 0.13887397319399247 1.15
EOD
$data6 << EOD
0 0.580078125 0.25
1 0.43591485507246375 1.25
EOD
$band6 << EOD
0 0.34471716193557034 0.8154390880644297 0.25
1 0.4198230083792781 0.4520067017656494 1.25
EOD
$data7 << EOD
0 0.06705729166666667 0.35000000000000003
1 0.06114130434782609 1.35
EOD
$band7 << EOD
0 0.029345380438730785 0.10476920289460256 0.35000000000000003
1 0.030176745775677444 0.09210586291997473 1.35
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
set boxwidth 0.1 absolute
set style fill solid 0.8 noborder
set pointintervalbox 0.0001
set xrange [-0.6:1.6]
plot $data0 using 3:2 with boxes linecolor rgb '#0072B2' title 'baseline', \
     $band0 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data1 using 3:2 with boxes linecolor rgb '#E69F00' title 'd_model=16,attention_scale=sqrt_dk', \
     $band1 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data2 using 3:2 with boxes linecolor rgb '#009E73' title 'd_model=16,attention_scale=none', \
     $band2 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data3 using 3:2 with boxes linecolor rgb '#D55E00' title 'd_model=32,attention_scale=sqrt_dk', \
     $band3 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data4 using 3:2 with boxes linecolor rgb '#CC79A7' title 'd_model=32,attention_scale=none', \
     $band4 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data5 using 3:2 with boxes linecolor rgb '#56B4E9' title 'd_model=64,attention_scale=none', \
     $band5 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data6 using 3:2 with boxes linecolor rgb '#F0E442' title 'd_model=128,attention_scale=sqrt_dk', \
     $band6 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data7 using 3:2 with boxes linecolor rgb '#000000' title 'd_model=128,attention_scale=none', \
     $band7 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'final-accuracy.svg'
replot
unset output
