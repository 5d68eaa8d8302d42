#!/bin/bash
# test_process.sh - processes: fork, wait, pipes and execve (tests/progs/procs.c) compared with the native
# run, stdout and exit status, musl and glibc; shells' subshells, command substitutions and
# pipelines, real programs run by shells and python; the process limit; no host process outlives the run.
_own_work=; [ -z "${WORK:-}" ] && _own_work=1
. "$(dirname "$0")/lib.sh"
[ -n "$_own_work" ] && trap 'rm -rf "$WORK"' EXIT

T="$WORK/process"
mkdir -p "$T"

# root_vs_native NAME CMD...: CMD natively (empty environment) and as `vmlet run --root / CMD`, both
# with stdin /dev/null: same stdout and exit status.
root_vs_native() {
	local name=$1 nrc; shift
	env -i PATH=/bin:/usr/bin HOME=/ "$@" < /dev/null > "$T/native.out" 2> "$T/native.err"
	nrc=$?
	"$VMLET" run --root / "$@" < /dev/null > "$T/vm.out" 2> "$T/vm.err"
	native_verdict "$name" "$nrc" "$T/native.out" $? "$T/vm.out" "$T/vm.err"
}

for libc in musl glibc; do
	P="$PROGS/procs-$libc"
	if [ ! -x "$P" ]; then fail "process/$libc/build" "$P missing (run make progs)"; continue; fi
	for mode in basic signal pipe nohang tree order sockets kill groups; do
		VMLET_OPTS= like_native "process/$libc/$mode" /dev/null -- "$P" "$mode"
	done
	# Children of a process that ignores SIGCHLD leave no zombie: 12 of them fit in 4 slots.
	VMLET_OPTS="--max-procs 4" like_native "process/$libc/autoreap" /dev/null -- "$P" autoreap
done

# A tmpfs is one for every process of the run: files a child writes, its parent reads; appends of
# four children all land; an open, unlinked file lives while a child holds it; shared mappings of a
# file and of a memfd are one memory across fork. Natively DIR is a real directory, in vmlet a tmpfs.
mkdir -p "$T/scratch"
for libc in musl glibc; do
	rm -rf "${T:?}/scratch/"*
	VMLET_OPTS="--tmpfs $T/scratch" like_native "process/$libc/files-shared" /dev/null -- "$PROGS/procs-$libc" files "$T/scratch"
done

# Processes killed with SIGKILL while they write to a tmpfs (perhaps inside the guest kernels' shared
# lock): the tmpfs stays usable for the others, and no process hangs.
mkdir -p "$T/stress"
rm -rf "${T:?}/stress/"*
STRESS="cd $T/stress && for i in 1 2 3 4 5 6 7 8; do (while :; do echo x >> f\$i; mkdir -p d\$i; rm -rf d\$i; done) & p=\$!; while [ ! -s f\$i ]; do :; done; sleep 0.05; kill -9 \$p; wait \$p; echo \"killed \$?\"; done; echo after > g && cat g && ls | grep -c f"
VMLET_OPTS="--root / --tmpfs $T/stress" like_native "process/tmpfs-kill-9-stress" /dev/null -- /bin/sh -c "$STRESS"

# A written channel the shell opens once for a block of commands: their writes follow each other
# (the description's offset is one for every process that shares it), as natively.
BLOCK='{ echo first; /bin/echo second; echo third; (echo fourth); /bin/echo fifth; }'
for access in random sequential; do
	rm -f "$T/native-o.txt" "$T/vm-o.txt"
	env -i PATH=/bin:/usr/bin sh -c "$BLOCK > $T/native-o.txt" < /dev/null
	run_vm "$T/out" "$T/err" /dev/null -- run --root / --channel "/o:$T/vm-o.txt:mode=write,access=$access" /bin/sh -c "$BLOCK > /o"
	if [ "$rc" = 0 ] && cmp -s "$T/native-o.txt" "$T/vm-o.txt"; then
		pass "process/channel-offset-$access"
	else
		fail "process/channel-offset-$access" "exit $rc: $(tr '\n' '|' < "$T/vm-o.txt") $(head -c 300 "$T/err")"
	fi
done

# Shells: what needs fork but not exec (subshells, $(...) of builtins, pipelines of builtins).
SCRIPT='x=$(echo hi; echo there); echo "[$x]"; (exit 3); echo "sub $?"; echo piped | { read y; echo "got $y"; }
n=0; for i in 1 2 3 4 5 6 7 8; do n=$(( $(echo $i) + n )); done; echo "sum $n"
( echo a; ( echo b; exit 4 ); echo "inner $?" ) | { while read l; do echo "line $l"; done; }; echo "end"'
for sh in /bin/dash /bin/bash; do
	if [ ! -x "$sh" ]; then skip "process/shell$sh" "no $sh"; continue; fi
	root_vs_native "process/shell$sh" "$sh" -c "$SCRIPT"
done

# The limit: a fork past --max-procs gets EAGAIN (the shell says it cannot fork), and 1 means no fork.
run_vm "$T/out" "$T/err" /dev/null -- run --max-procs 1 "$PROGS/procs-musl" basic
if [ "$rc" = 1 ] && grep -q "fork: " "$T/out" "$T/err"; then
	pass "process/max-procs-1"
else
	fail "process/max-procs-1" "exit $rc: $(head -c 300 "$T/out") $(head -c 300 "$T/err")"
fi
expect_err "process/max-procs-bad" 125 "vmlet: --max-procs: expected a number from 1 to 4096, got '0'" -- run --max-procs 0 "$PROGS/procs-musl" basic

# A fork bomb stops at the limit (the first process counts), and every child is reaped.
expect_out "process/fork-bomb-limited" 0 "forked 7, then Resource temporarily unavailable; reaped 7" -- \
	run --max-procs 8 "$PROGS/procs-glibc" bomb

# A timeout with 20 live processes, one of them writing a file channel: every VMM of the tree is
# gone when vmlet exits, and so is the channel's temporary file (nothing committed).
mkdir -p "$T/outdir"
run_vm "$T/out" "$T/err" /dev/null -- run --timeout 3s --channel "/o:$T/outdir/o.txt:mode=write" --root / \
	/bin/dash -c 'echo x > /o; for i in $(seq 20); do ( while :; do :; done ) & done; wait'
sleep 0.5
left=$(pgrep -f "timeout 3s --channel /o:$T" | wc -l)
if [ "$rc" = 124 ] && [ "$left" = 0 ] && [ -z "$(ls -A "$T/outdir")" ]; then
	pass "process/timeout-kills-tree"
else
	fail "process/timeout-kills-tree" "exit $rc, $left host processes left, outdir: $(ls -A "$T/outdir" | head -3); stderr: $(head -c 300 "$T/err")"
fi

# kill -9 of vmlet: its children die with it (PR_SET_PDEATHSIG), grandchildren with them.
"$VMLET" run --timeout 60s --root / /bin/dash -c '( ( while :; do :; done ) & while :; do :; done ) & wait' \
	< /dev/null > /dev/null 2>&1 &
vp=$!
for i in $(seq 50); do [ "$(pgrep -c -f 'timeout 60s --root / /bin/dash')" -ge 3 ] && break; sleep 0.2; done
before=$(pgrep -c -f 'timeout 60s --root / /bin/dash')
kill -9 "$vp"; wait "$vp" 2> /dev/null
sleep 1
left=$(pgrep -c -f 'timeout 60s --root / /bin/dash')
if [ "$before" -ge 3 ] && [ "$left" = 0 ]; then
	pass "process/kill-9-leaves-nothing"
else
	fail "process/kill-9-leaves-nothing" "$before VMMs before, $left left"
	pkill -9 -f 'timeout 60s --root / /bin/dash'
fi

# --stats and the report count the processes and add up their work.
run_vm "$T/out" "$T/err" /dev/null -- run --stats "$PROGS/procs-musl" tree
if grep -q "processes 23," "$T/err"; then
	pass "process/stats-count"
else
	fail "process/stats-count" "$(grep 'vmlet: exits' "$T/err")"
fi

# execve: a static and a dynamic program in a child, with arguments and environment; the errors
# Linux gives (ENOENT, EACCES for a directory and for a file without x); a close-on-exec pipe end
# closes at the exec.
AP=$(cd "$PROGS" && pwd) # absolute: inside --root / a path is the guest's
for prog in "$AP/args-musl" "$AP/args-glibc" /bin/echo; do
	for libc in musl glibc; do
		name="process/exec/$libc/$(basename "$prog")"
		root_vs_native "$name" "$AP/procs-$libc" exec "$prog"
	done
done

# Shells running real programs: pipelines, substitutions, a "#!" script, exit statuses of a missing
# command (127) and of a file that is not executable (126), a pipeline member killed by SIGPIPE.
printf '#!/bin/sh -e\necho "script $0 $#: $*"\nexit 5\n' > "$T/script.sh"
chmod +x "$T/script.sh"
printf 'echo not run\n' > "$T/noexec.sh"
SCRIPT2='echo hi | cat; x=$(uname -s); echo "$x"; seq 1000 | grep 7 | sort -rn | head -3
'"$T/script.sh"' a "b c"; echo "script exit $?"; nosuchcommand 2>/dev/null; echo "missing $?"
'"$T/noexec.sh"' 2>/dev/null; echo "noexec $?"; yes | head -2; echo "pipestatus done"
printf "b\na\n" | sort | tr a-z A-Z; wc -l < /etc/passwd > /dev/null && echo counted'
for sh in /bin/dash /bin/bash; do
	if [ ! -x "$sh" ]; then skip "process/exec-shell$sh" "no $sh"; continue; fi
	root_vs_native "process/exec-shell$sh" "$sh" -c "$SCRIPT2"
done

# Programs that spawn: python's subprocess (fork or vfork, then exec, an error pipe) and os.fork.
if [ -x /usr/bin/python3 ]; then
	PY='import os, subprocess, sys
r = subprocess.run(["/bin/echo", "from", "echo"], capture_output=True)
print(r.returncode, r.stdout)
print(subprocess.run(["/bin/sh", "-c", "exit 3"]).returncode)
try:
    subprocess.run(["/nonexistent"])
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno)
pid = os.fork()
if pid == 0:
    os._exit(9)
print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))'
	root_vs_native "process/python-subprocess" /usr/bin/python3 -c "$PY"
else
	skip "process/python-subprocess" "no /usr/bin/python3"
fi

# python's multiprocessing: a Value in shared memory under a Lock (a POSIX semaphore in /dev/shm,
# futexes between processes), three processes adding to it, and a Semaphore a child releases.
if [ -x /usr/bin/python3 ]; then
	PY='import multiprocessing as mp
def work(v, l):
    for _ in range(200):
        with l:
            v.value += 1
if __name__ == "__main__":
    mp.set_start_method("fork")
    v, l = mp.Value("i", 0), mp.Lock()
    ps = [mp.Process(target=work, args=(v, l)) for _ in range(3)]
    for p in ps: p.start()
    for p in ps: p.join()
    print(v.value, [p.exitcode for p in ps])
    s = mp.Semaphore(0)
    p = mp.Process(target=s.release)
    p.start(); print(s.acquire(timeout=60)); p.join()'
	root_vs_native "process/python-multiprocessing" /usr/bin/python3 -c "$PY"
fi

# A signal sent to a child before it first ran is its own (it dies of it); a parent woken by
# SIGCHLD finds its child reapable (GNU timeout waits with WNOHANG after SIGCHLD).
root_vs_native "process/kill-before-run" /bin/sh -c 'sleep 5 & p=$!; kill $p; wait $p; echo "status $?"'
root_vs_native "process/timeout-kills-child" /usr/bin/timeout 0.5 sleep 5
# tar writes its archive with creat() and runs gzip in a child through a pipe.
mkdir -p "$T/tarwork"
rm -rf "${T:?}/tarwork/"*
VMLET_OPTS="--root / --tmpfs $T/tarwork" like_native "process/tar-gzip-in-tmpfs" /dev/null -- /bin/sh -c \
	"cd $T/tarwork && mkdir s && echo x > s/a && tar czf s.tgz s && rm -r s && tar xzf s.tgz && cat s/a && ls"

# The report lists every process: pid, parent, the program it ran last, exit code, its own counters
# (which add up to the run's).
if [ -x /usr/bin/python3 ]; then
	run_vm "$T/out" "$T/err" /dev/null -- run --root / --report "$T/rep.json" /bin/sh -c '/bin/true; /bin/sh -c "exit 3"; echo $?'
	got=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1])); l = r["process_list"]
print(len(l), r["processes"], [(p["pid"], p["ppid"], p["program"], p["exit_code"]) for p in l[1:]],
      sum(p["syscalls"] for p in l) == r["syscalls"]["total"], sum(p["exits"] for p in l) == r["exits"])' "$T/rep.json" 2>&1)
	want="3 3 [(3, 2, '/bin/true', 0), (4, 2, '/bin/sh', 3)] True True"
	if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then pass "process/report-list"; else fail "process/report-list" "exit $rc: $got (want $want)"; fi
fi

# --trace names the guest pid of each line once the run has forked.
run_vm "$T/out" "$T/err" /dev/null -- run --trace "$PROGS/procs-musl" basic
if grep -q '^\[pid 2\] wait4(' "$T/err" && grep -q '^\[pid 3\] exit_group(7)' "$T/err"; then
	pass "process/trace-pids"
else
	fail "process/trace-pids" "exit $rc; stderr: $(grep -m3 'wait4\|exit_group' "$T/err" | tr '\n' '|')"
fi

# make runs its recipes through /bin/sh (fork and exec), one by one and two at a time (-j2: its
# jobserver is a pipe); the Makefile comes from a read-only tree.
if [ -x /usr/bin/make ]; then
	mkdir -p "$T/mk"
	printf 'all: a b c\na:\n\t@echo building a; echo $$(( 6 * 7 ))\nb: a\n\t@echo b after a | tr a-z A-Z\nc:\n\t@ls %s | wc -l\n' "$T/mk" > "$T/mk/Makefile"
	for j in 1 2; do
		env -i PATH=/bin:/usr/bin HOME=/ make -s -j$j -C "$T/mk" < /dev/null 2>&1 | sort > "$T/native.out"
		"$VMLET" run --root / /usr/bin/make -s -j$j -C "$T/mk" < /dev/null 2> "$T/vm.err" | sort > "$T/vm.out"
		if cmp -s "$T/native.out" "$T/vm.out"; then
			pass "process/make-j$j"
		else
			fail "process/make-j$j" "$(diff "$T/native.out" "$T/vm.out" | head -c 400 | tr '\n' '|') stderr: $(head -c 300 "$T/vm.err")"
		fi
	done
else
	skip "process/make" "no /usr/bin/make"
fi

# gcc in a tmpfs (the issue's first command): gcc runs cc1, as and collect2/ld, which pass their
# files through /tmp; then make -j2 builds a program from a read-only tree into a tmpfs.
if [ -x /usr/bin/gcc ]; then
	mkdir -p "$T/gcc-native"
	GCC='printf "int main(){return 42;}" > a.c && gcc a.c && ./a.out; echo $?'
	env -i PATH=/bin:/usr/bin HOME=/ TMPDIR="$T/gcc-native" sh -c "cd $T/gcc-native && $GCC" < /dev/null > "$T/native.out" 2>&1
	run_vm "$T/vm.out" "$T/vm.err" /dev/null -- run --root / --tmpfs /tmp /bin/sh -c "cd /tmp && $GCC"
	native_verdict "process/gcc-in-tmpfs" 0 "$T/native.out" "$rc" "$T/vm.out" "$T/vm.err"
	mkdir -p "$T/src" "$T/obj-native"
	printf '#include <stdio.h>\nint twice(int x);\nint main(void) { printf("%%d\\n", twice(21)); return 0; }\n' > "$T/src/main.c"
	printf 'int twice(int x) { return 2 * x; }\n' > "$T/src/twice.c"
	printf 'all: $(O)/prog\n$(O)/prog: $(O)/main.o $(O)/twice.o\n\tgcc -o $@ $^\n$(O)/%%.o: %%.c\n\tgcc -c -O1 -o $@ $<\n' > "$T/src/Makefile"
	env -i PATH=/bin:/usr/bin HOME=/ TMPDIR="$T/obj-native" make -s -j2 -C "$T/src" O="$T/obj-native" < /dev/null > /dev/null 2>&1
	"$T/obj-native/prog" > "$T/native.out" 2>&1
	run_vm "$T/vm.out" "$T/vm.err" /dev/null -- run --root / --ro "$T/src" --tmpfs /scratch /bin/sh -c \
		"TMPDIR=/scratch make -s -j2 -C $T/src O=/scratch && /scratch/prog" # $T may lie in /tmp: not that
	native_verdict "process/make-gcc-j2-in-tmpfs" 0 "$T/native.out" "$rc" "$T/vm.out" "$T/vm.err"
else
	skip "process/gcc-in-tmpfs" "no /usr/bin/gcc"
fi
