# scale.gp - a cold hello run and memory per idle VM against the number of idle VMs (scale.dat -> scale.png).
if (!exists("dir")) dir = 'bench/results'
data = dir.'/scale.dat'
set terminal pngcairo size 1200,600 font "sans,10" noenhanced
set output dir.'/scale.png'
set key autotitle columnhead
set multiplot layout 1,2 title "N idle VMs (16 MiB, created, never run) in the same process"
set logscale x
set xrange [0.7:*]
set xlabel "idle VMs alive (N)"
set grid
set key below
set logscale y
set ylabel "milliseconds"
set title "latency next to N idle VMs (median, bars min..p90)"
plot data index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#e15759" title "cold hello run (create+run+destroy)", \
     data index 0 using 1:11 with linespoints lw 1 dt 2 pt 6 lc rgb "#e15759" title "cold hello run in a control process (no idle VMs), same time", \
     data index 0 using 1:5 with linespoints lw 2 pt 5 lc rgb "#4e79a7" title "native posix_spawn+wait", \
     data index 0 using 1:($10 / 1000) with linespoints lw 2 pt 9 lc rgb "#59a14f" title "creating one more idle VM (mean)", \
     data index 1 using 1:2:3:4 with yerrorbars pt 13 ps 1.5 lc rgb "#b07aa1" title "cold hello run, the idle VMs in another process"
unset logscale y
set ylabel "KiB per idle VM"
set yrange [0:*]
set title "host memory per idle VM (system-wide figures from N = 100)"
plot data index 0 using 1:6 with linespoints lw 2 pt 7 lc rgb "#4e79a7" title "process VmRSS", \
     data index 0 using 1:($1 >= 100 ? $8 : NaN) with linespoints lw 2 pt 5 lc rgb "#f28e2b" title "kernel: Slab+KernelStack+PageTables+SecPageTables+VmallocUsed", \
     data index 0 using 1:($1 >= 100 ? $9 : NaN) with linespoints lw 2 pt 9 lc rgb "#e15759" title "MemAvailable drop"
unset multiplot
