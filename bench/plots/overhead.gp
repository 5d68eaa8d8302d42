# overhead.gp - horizontal bars of each application's overhead in vmlet against native, in percent (overhead.dat -> overhead.png).
if (!exists("dir")) dir = 'bench/results'
data = dir.'/overhead.dat'
set terminal pngcairo size 1000,520 font "sans,10" noenhanced
set output dir.'/overhead.png'
set title "Debian's programs in vmlet (--root /) vs native: overhead, median of interleaved rounds"
set xlabel "overhead % (vmlet time / native time - 1; rates inverted); dashed: the 2% target\nrows that cannot run in vmlet yet are left out (overhead.md says why)"
set style fill solid 0.9 border rgb "#404040"
set yrange [] reverse
set offsets 0, 0, 0.6, 0.6
set grid xtics lc rgb "#d0d0d0"
set ytics nomirror
set arrow from 2, graph 0 to 2, graph 1 nohead dt 2 lc rgb "#e15759"
set arrow from 0, graph 0 to 0, graph 1 nohead lc rgb "#404040"
plot data using ($2 / 2.0):0:(abs($2) / 2.0):(0.32):yticlabels(1) with boxxyerror lc rgb "#4e79a7" notitle, \
     data using ($2 > 0 ? $2 : 0):0:(sprintf(" %+.1f%%", $2)) with labels left notitle
