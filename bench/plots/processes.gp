# processes.gp - fork, exec, posix_spawn and pipe round-trip latency in vmlet against native, microseconds per iteration (processes.dat -> processes.png).
if (!exists("dir")) dir = 'bench/results'
data = dir.'/processes.dat'
set terminal pngcairo size 1000,520 font "sans,10" noenhanced
set output dir.'/processes.png'
set title "Process latency in vmlet (one micro-VM per guest process) vs native, median of interleaved rounds"
set ylabel "microseconds per iteration (log scale)"
set xlabel "each: a loop inside one program, N iterations less 0, divided by N\nrows that cannot run in vmlet yet are left out (processes.md says why)"
set logscale y
stats data using 2 nooutput
vm_min = STATS_min; vm_max = STATS_max
stats data using 3 nooutput
set yrange [(vm_min < STATS_min ? vm_min : STATS_min) / 3 : (vm_max > STATS_max ? vm_max : STATS_max) * 3]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border rgb "#404040"
set boxwidth 0.9
set grid ytics lc rgb "#d0d0d0"
set xtics nomirror
set key top left
plot data using 2:xticlabels(1) title "vmlet" lc rgb "#4e79a7", \
     data using 3 title "native" lc rgb "#f28e2b", \
     data using ($0 - 0.17):2:(sprintf("%.1f", $2)) with labels offset 0,0.7 notitle, \
     data using ($0 + 0.17):3:(sprintf("%.1f", $3)) with labels offset 0,0.7 notitle
