# Written by ablate (Plots). Re-render with: gnuplot <this file>
reset
ablate_dir = ''
if (exists("ARG0") && strlen(ARG0) > 0) {
    ablate_i = strlen(ARG0)
    while (ablate_i > 0 && ARG0[ablate_i:ablate_i] ne '/') { ablate_i = ablate_i - 1 }
    if (ablate_i > 0) { ablate_dir = ARG0[1:ablate_i] }
}
$data0 << EOD
0 0.9427083333333334 -0.375
1 0.4411231884057971 0.625
EOD
$band0 << EOD
0 0.7799488514889339 1.1054678151777328 -0.375
1 0.3540634225675846 0.5281829542440096 0.625
EOD
$data1 << EOD
0 0.35677083333333337 -0.325
1 0.17436594202898553 0.675
EOD
$band1 << EOD
0 -0.318128050857026 1.0316697175236929 -0.325
1 -0.1089152901290612 0.45764717418703227 0.675
EOD
$data2 << EOD
0 0.8828125 -0.275
1 0.43070652173913043 0.725
EOD
$band2 << EOD
0 0.44539358960175063 1.3202314103982493 -0.275
1 0.2667057668326695 0.5947072766455914 0.725
EOD
$data3 << EOD
0 0.09635416666666667 -0.225
1 0.051177536231884056 0.775
EOD
$band3 << EOD
0 0.04751346760619948 0.14519486572713386 -0.225
1 0.041434210303442034 0.06092086216032608 0.775
EOD
$data4 << EOD
0 0.5572916666666667 -0.17500000000000002
1 0.27672101449275366 0.825
EOD
$band4 << EOD
0 -0.2772985647264491 1.3918818980597827 -0.17500000000000002
1 -0.12306891307537238 0.6765109420608797 0.825
EOD
$data5 << EOD
0 0.6927083333333334 -0.125
1 0.31929347826086957 0.875
EOD
$band5 << EOD
0 0.4677730449150871 0.9176436217515797 -0.125
1 0.21261407008045102 0.4259728864412881 0.875
EOD
$data6 << EOD
0 0.8958333333333334 -0.07500000000000001
1 0.43568840579710144 0.925
EOD
$band6 << EOD
0 0.7666129897607912 1.0250536769058756 -0.07500000000000001
1 0.393218232701043 0.4781585788931599 0.925
EOD
$data7 << EOD
0 0.1796875 -0.025
1 0.09782608695652174 0.975
EOD
$band7 << EOD
0 0.10205819650328192 0.2573168034967181 -0.025
1 0.07419977719665102 0.12145239671639246 0.975
EOD
$data8 << EOD
0 0.9114583333333334 0.025
1 0.447463768115942 1.025
EOD
$band8 << EOD
0 0.7557959321417231 1.0671207345249436 0.025
1 0.399572570724646 0.495354965507238 1.025
EOD
$data9 << EOD
0 0.9010416666666666 0.07500000000000001
1 0.45063405797101447 1.075
EOD
$band9 << EOD
0 0.8898368418489583 0.912246491484375 0.07500000000000001
1 0.43699340167119566 0.4642747142708333 1.075
EOD
$data10 << EOD
0 0.3177083333333333 0.125
1 0.13949275362318841 1.125
EOD
$band10 << EOD
0 0.11852701054982456 0.5168896561168421 0.125
1 0.03855641138776093 0.24042909585861588 1.125
EOD
$data11 << EOD
0 0.10416666666666666 0.17500000000000002
1 0.05208333333333333 1.175
EOD
$band11 << EOD
0 0.0045760052749122815 0.20375732805842103 0.17500000000000002
1 0.009613160237274918 0.09455350642939174 1.175
EOD
$data12 << EOD
0 0.8802083333333334 0.225
1 0.4388586956521739 1.225
EOD
$band12 << EOD
0 0.8577986836979167 0.9026179829687501 0.225
1 0.43301270009510867 0.4447046912092391 1.225
EOD
$data13 << EOD
0 0.875 0.275
1 0.44882246376811596 1.275
EOD
$band13 << EOD
0 0.8361853482516409 0.9138146517483591 0.275
1 0.43287195178899 0.4647729757472419 1.275
EOD
$data14 << EOD
0 0.08333333333333333 0.325
1 0.051177536231884056 1.325
EOD
$band14 << EOD
0 0.02094750902154347 0.1457191576451232 0.325
1 0.01508775194285688 0.08726732052091124 1.325
EOD
$data15 << EOD
0 0.018229166666666668 0.375
1 0.005434782608695652 1.375
EOD
$band15 << EOD
0 -0.011416013285034214 0.04787434661836755 0.375
1 -0.00041121294836956625 0.01128077816576087 1.375
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
