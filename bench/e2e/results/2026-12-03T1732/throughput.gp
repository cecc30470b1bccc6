set terminal pngcairo size 1000,560
set output 'throughput.png'
set title 'RFC 2544 throughput (loss <= 0.1%) by frame size'
set ylabel 'million frames per second'
set xlabel 'frame size (bytes)'
set style data histograms
set style histogram clustered gap 1
set style fill solid border -1
set key outside right
set grid ytics
set yrange [0:*]
plot for [i=2:5] 'throughput.dat' using i:xtic(1) title columnheader
