#!/bin/bash
# make_seeds.sh - regenerates the seed corpus in tests/fuzz/corpus/elf (needs gcc and python3).
set -eu
cd "$(dirname "$0")"
out=corpus/elf
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
cat > "$tmp/tiny.c" <<'C'
static volatile int counter;
void _start(void) { for (;;) counter++; }
C
# A real static executable and a real static PIE, stripped and without build-id.
gcc -Os -static -nostdlib -no-pie -fno-asynchronous-unwind-tables -s -Wl,--build-id=none \
	-o "$out/tiny-static-exec" "$tmp/tiny.c"
gcc -Os -static-pie -nostdlib -fpie -fno-asynchronous-unwind-tables -s -Wl,--build-id=none \
	-o "$out/tiny-static-pie" "$tmp/tiny.c"
# Hand-made minimal images: headers and code in one page-sized file.
python3 - "$out" <<'PY'
import struct, sys
out = sys.argv[1]
def ehdr(etype, entry, phnum, cls=2, data=1, machine=62):
    ident = b"\x7fELF" + bytes([cls, data, 1, 0]) + bytes(8)
    return ident + struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, entry, 64, 0, 0, 64, 56, phnum, 64, 0, 0)
def phdr(ptype, flags, off, vaddr, filesz, memsz, align=0x1000):
    return struct.pack("<IIQQQQQQ", ptype, flags, off, vaddr, vaddr, filesz, memsz, align)
def image(etype, base, extra=()):
    phs = [phdr(6, 4, 64, base + 64, 56 * (2 + len(extra)), 56 * (2 + len(extra)), 8),  # PT_PHDR
           phdr(1, 5, 0, base, 0x200, 0x200)] + list(extra)                              # PT_LOAD R X
    b = ehdr(etype, base + 0x180, len(phs)) + b"".join(phs)
    b += bytes(0x180 - len(b)) + b"\xeb\xfe"  # jmp .
    return b + bytes(0x200 - len(b))
def save(name, b):
    open(f"{out}/{name}", "wb").write(b)
save("min-exec", image(2, 0x400000))
save("min-pie", image(3, 0))
# Two segments with bss, the second after the first.
two = image(2, 0x400000, [phdr(1, 6, 0x100, 0x401100, 0x80, 0x3000)])
save("min-exec-bss", two)
# Rejected variants: a dynamic one and a 32-bit one.
save("min-interp", image(2, 0x400000, [phdr(3, 4, 0x1c0, 0x4001c0, 0x20, 0x20, 1)]))
b = bytearray(image(2, 0x400000)); b[4] = 1
save("min-32bit", bytes(b))
PY
ls -l "$out"
