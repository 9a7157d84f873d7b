# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9453125 -0.375
1 0.4375 0.625
EOD
$band0 << EOD
0 0.8753383914410068 1.0152866085589933 -0.375
1 0.3953439265257334 0.4796560734742666 0.625
EOD
$data1 << EOD
0 0.3671875 -0.325
1 0.17481884057971014 0.675
EOD
$band1 << EOD
0 -0.33336051388294363 1.0677355138829436 -0.325
1 -0.11904219540582334 0.4686798765652436 0.675
EOD
$data2 << EOD
0 0.8697916666666666 -0.275
1 0.41983695652173914 0.725
EOD
$band2 << EOD
0 0.4400460978510843 1.299537235482249 -0.275
1 0.25600994968281665 0.5836639633606616 0.725
EOD
$data3 << EOD
0 0.09895833333333333 -0.225
1 0.050271739130434784 0.775
EOD
$band3 << EOD
0 0.05011763427286614 0.14779903239380052 -0.225
1 0.040146177804775904 0.060397300456093664 0.775
EOD
$data4 << EOD
0 0.5963541666666667 -0.17500000000000002
1 0.2776268115942029 0.825
EOD
$band4 << EOD
0 -0.2742398115134206 1.466948144846754 -0.17500000000000002
1 -0.10526482346241323 0.6605184466508189 0.825
EOD
$data5 << EOD
0 0.6953125 -0.125
1 0.3179347826086956 0.875
EOD
$band5 << EOD
0 0.4665035024397268 0.9241214975602732 -0.125
1 0.21125537442827713 0.4246141907891141 0.875
EOD
$data6 << EOD
0 0.9609375 -0.07500000000000001
1 0.4533514492753623 0.925
EOD
$band6 << EOD
0 0.9415301741258205 0.9803448258741795 -0.07500000000000001
1 0.42940585057971437 0.47729704797101025 0.925
EOD
$data7 << EOD
0 0.1953125 -0.025
1 0.10144927536231885 0.975
EOD
$band7 << EOD
0 0.11768319650328192 0.2729418034967181 -0.025
1 0.09755194499094204 0.10534660573369566 0.975
EOD
$data8 << EOD
0 0.9114583333333334 0.025
1 0.43025362318840576 1.025
EOD
$band8 << EOD
0 0.7944765278578105 1.0284401388088562 0.025
1 0.3702233482464033 0.49028389813040824 1.025
EOD
$data9 << EOD
0 0.9557291666666666 0.07500000000000001
1 0.44429347826086957 1.075
EOD
$band9 << EOD
0 0.9068884676061995 1.0045698657271338 0.07500000000000001
1 0.429581378739146 0.45900557778259315 1.075
EOD
$data10 << EOD
0 0.1875 0.125
1 0.10461956521739131 1.125
EOD
$band10 << EOD
0 0.09856446014489734 0.27643553985510266 0.125
1 0.07036515724079016 0.13887397319399247 1.125
EOD
$data11 << EOD
0 0.10677083333333333 0.17500000000000002
1 0.06204710144927536 1.175
EOD
$band11 << EOD
0 -0.0512926720684861 0.2648343387351528 0.17500000000000002
1 -0.0058213010306247814 0.1299155039291755 1.175
EOD
$data12 << EOD
0 0.8958333333333334 0.225
1 0.4470108695652174 1.225
EOD
$band12 << EOD
0 0.7666129897607912 1.0250536769058756 0.225
1 0.43351012113100557 0.46051161799942925 1.225
EOD
$data13 << EOD
0 0.8177083333333334 0.275
1 0.42481884057971014 1.275
EOD
$band13 << EOD
0 0.7773087629204946 0.8581079037461722 0.275
1 0.39067546825336247 0.4589622129060578 1.275
EOD
$data14 << EOD
0 0.07552083333333334 0.325
1 0.043025362318840576 1.325
EOD
$band14 << EOD
0 -0.06079174378609031 0.211833410452757 0.325
1 -0.02723476013827046 0.11328548477595161 1.325
EOD
$data15 << EOD
0 0.015625 0.375
1 0.009057971014492754 1.375
EOD
$band15 << EOD
0 -0.017989474453125 0.049239474453125 0.375
1 0.0039022875446317294 0.014213654484353778 1.375
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
set boxwidth 0.05 absolute
set style fill solid 0.8 noborder
set pointintervalbox 0.0001
set xrange [-0.6:1.6]
plot $data0 using 3:2 with boxes linecolor rgb '#0072B2' title 'baseline', \
     $band0 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data1 using 3:2 with boxes linecolor rgb '#E69F00' title 'd_model=16,attention_scale=sqrt_dk,lr=0.001', \
     $band1 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data2 using 3:2 with boxes linecolor rgb '#009E73' title 'd_model=16,attention_scale=sqrt_dk,lr=0.003', \
     $band2 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data3 using 3:2 with boxes linecolor rgb '#D55E00' title 'd_model=16,attention_scale=none,lr=0.001', \
     $band3 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data4 using 3:2 with boxes linecolor rgb '#CC79A7' title 'd_model=16,attention_scale=none,lr=0.003', \
     $band4 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data5 using 3:2 with boxes linecolor rgb '#56B4E9' title 'd_model=32,attention_scale=sqrt_dk,lr=0.001', \
     $band5 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data6 using 3:2 with boxes linecolor rgb '#F0E442' title 'd_model=32,attention_scale=sqrt_dk,lr=0.003', \
     $band6 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data7 using 3:2 with boxes linecolor rgb '#000000' title 'd_model=32,attention_scale=none,lr=0.001', \
     $band7 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data8 using 3:2 with boxes linecolor rgb '#332288' title 'd_model=32,attention_scale=none,lr=0.003', \
     $band8 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data9 using 3:2 with boxes linecolor rgb '#117733' title 'd_model=64,attention_scale=sqrt_dk,lr=0.003', \
     $band9 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data10 using 3:2 with boxes linecolor rgb '#44AA99' title 'd_model=64,attention_scale=none,lr=0.001', \
     $band10 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data11 using 3:2 with boxes linecolor rgb '#88CCEE' title 'd_model=64,attention_scale=none,lr=0.003', \
     $band11 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data12 using 3:2 with boxes linecolor rgb '#DDCC77' title 'd_model=128,attention_scale=sqrt_dk,lr=0.001', \
     $band12 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data13 using 3:2 with boxes linecolor rgb '#CC6677' title 'd_model=128,attention_scale=sqrt_dk,lr=0.003', \
     $band13 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data14 using 3:2 with boxes linecolor rgb '#AA4499' title 'd_model=128,attention_scale=none,lr=0.001', \
     $band14 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle, \
     $data15 using 3:2 with boxes linecolor rgb '#882255' title 'd_model=128,attention_scale=none,lr=0.003', \
     $band15 using 4:(($2+$3)/2):2:3 with yerrorbars pointtype -1 linewidth 1.5 linecolor rgb '#333333' notitle
set terminal svg noenhanced size 1000,650 dynamic font 'Sans,11'
set output ablate_dir.'final-accuracy.svg'
replot
unset output
