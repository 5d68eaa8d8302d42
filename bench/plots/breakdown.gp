# breakdown.gp - stacked horizontal bars of where a hello run's time goes, per phase (breakdown.dat -> breakdown.png).
if (!exists("dir")) dir = 'bench/results'
data = dir.'/breakdown.dat'
set terminal pngcairo size 1100,500 font "sans,10" noenhanced
set output dir.'/breakdown.png'
set title "Breakdown of a static hello run through libvmlet (median microseconds per phase)"
set xlabel "microseconds\n(cold: vmlet_vm_create + run + destroy; pooled: the shell was prepared by the pool's worker, destroy is the hand-off;\nreset: vmlet_vm_reuse of a VM that ran, memory is the whole reset)"
set style fill solid 0.9 border rgb "#404040"
set yrange [] reverse
set offsets 0, 0, 0.6, 0.6
set xrange [0:*]
set grid xtics lc rgb "#d0d0d0"
set ytics nomirror
set key outside right top vertical title "phase"
set key autotitle columnhead
# Columns 2..8: create_vm create_vcpu memory load run destroy other; bar k starts where k-1 ends.
start(k) = (k <= 2) ? 0 : sum [j=2:k-1] column(j)
total = 'sum [j=2:8] column(j)'
colors = "#4e79a7 #59a14f #edc948 #f28e2b #e15759 #b07aa1 #bab0ac"
plot for [k=2:8] data using (start(k) + column(k) / 2.0):0:(column(k) / 2.0):(0.32):yticlabels(1) \
	with boxxyerror lc rgb word(colors, k - 1) title columnhead(k), \
     data using (@total):0:(sprintf(" %.0f us", @total)) with labels left notitle
