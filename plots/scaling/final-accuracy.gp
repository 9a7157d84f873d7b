# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9322916666666666 -0.35000000000000003
1 0.45063405797101447 0.6499999999999999
EOD
$band0 << EOD
0 0.8001887303322345 1.0643946030010987 -0.35000000000000003
1 0.39985646460528257 0.5014116513367464 0.6499999999999999
EOD
$data1 << EOD
0 0.9088541666666666 -0.25
1 0.4411231884057971 0.75
EOD
$band1 << EOD
0 0.7223687155527458 1.0953396177805874 -0.25
1 0.35939532489277737 0.5228510519188169 0.75
EOD
$data2 << EOD
0 0.90625 -0.15000000000000002
1 0.4180253623188406 0.85
EOD
$band2 << EOD
0 0.8362758914410068 0.9762241085589932 -0.15000000000000002
1 0.37146082624924237 0.4645898983884388 0.85
EOD
$data3 << EOD
0 0.9609375 -0.05
1 0.4533514492753623 0.95
EOD
$band3 << EOD
0 0.9415301741258205 0.9803448258741795 -0.05
1 0.42940585057971437 0.47729704797101025 0.95
EOD
$data4 << EOD
0 0.9114583333333334 0.05
1 0.43025362318840576 1.05
EOD
$band4 << EOD
0 0.7944765278578105 1.0284401388088562 0.05
1 0.3702233482464033 0.49028389813040824 1.05
EOD
$data5 << EOD
0 0.1875 0.15000000000000002
1 0.10461956521739131 1.15
EOD
$band5 << EOD
0 0.09856446014489734 0.27643553985510266 0.15000000000000002
1 0.07036515724079016 0.13887397319399247 1.15
EOD
$data6 << EOD
0 0.8958333333333334 0.25
1 0.4470108695652174 1.25
EOD
$band6 << EOD
0 0.7666129897607912 1.0250536769058756 0.25
1 0.43351012113100557 0.46051161799942925 1.25
EOD
$data7 << EOD
0 0.13020833333333334 0.35000000000000003
1 0.0792572463768116 1.35
EOD
$band7 << EOD
0 -0.016741566502058186 0.2771582331687249 0.35000000000000003
1 0.03007516065683387 0.12843933209678932 1.35
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
