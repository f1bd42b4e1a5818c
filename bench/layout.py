#!/usr/bin/env python3
"""Turns callgrind profiles of newapi (taken by bench/layout.sh) into the method order file the AOT compiler reads
(IlcOrderFile): every managed method that ran, the request paths' methods first, then what only start-up and shutdown
ran, each group in the compiler's default order. Unlisted methods follow in the default order.

Why: with the default layout the ~7 000 methods a serving process runs are spread over 13 MB of code, and the kernel
maps 64 KB around every first touch, so nearly the whole code segment became resident (and the hot path spanned
hundreds of pages). Listed first, they fit in ~2.5 MB.

Two marker methods bracket the methods only start-up ran (the second profile); once the server is up it gives their
pages back (StartupImage.ReleaseStartupOnlyData).

usage: layout.py BINARY DEBUG_SYMBOLS OUT REQUESTS_PROFILE STARTUP_PROFILE [SHUTDOWN_PROFILE...]
"""
import bisect
import re
import subprocess
import sys

VALGRIND_PIE_BASE = 0x108000  # where valgrind maps a position-independent executable
STARTUP_BEGINS = "newapi_NewApi_Hosting_StartupImage__StartupCodeBegins"
STARTUP_ENDS = "newapi_NewApi_Hosting_StartupImage__StartupCodeEnds"


def managed_code_range(binary):
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+__managedcode\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m:
            start = int(m.group(1), 16)
            return start, start + int(m.group(2), 16)
    sys.exit(f"layout.py: no __managedcode section in {binary}")


def symbols(debug):
    """address -> (size, [names]) for every function symbol; several names can share an address."""
    out = subprocess.run(["nm", "-S", "--defined-only", debug], capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4 or parts[2] not in "tTwW":
            continue
        addr, size, name = int(parts[0], 16), int(parts[1], 16), parts[3].strip()
        entry = table.setdefault(addr, [0, []])
        entry[0] = max(entry[0], size)
        entry[1].append(name)
    return table


def executed(profile, lo, hi):
    """Instruction addresses run in [lo, hi) (file addresses) from a `callgrind --dump-instr=yes` profile. Valgrind
    names no object for AOT-compiled managed code ("???"), so addresses are filtered by range."""
    seen, objects, current, addr = set(), {}, None, 0
    lo, hi = lo + VALGRIND_PIE_BASE, hi + VALGRIND_PIE_BASE
    for line in open(profile, encoding="utf-8", errors="replace"):
        c = line[0]
        if c in "oc" and (line.startswith("ob=") or line.startswith("cob=")):
            m = re.match(r"c?ob=\((\d+)\)(?: (.*))?", line.rstrip("\n"))
            if m.group(2):
                objects[m.group(1)] = m.group(2)
            if c == "o":
                current = objects.get(m.group(1))
            continue
        if c not in "0123456789+-*":
            continue
        tok = line.split(None, 1)[0]
        if tok.startswith("0x"):
            addr = int(tok, 16)
        elif tok[0] in "+-":
            delta = int(tok[1:], 16) if tok[1:].startswith("0x") else int(tok[1:])
            addr += delta if tok[0] == "+" else -delta
        elif tok != "*":
            continue
        if current == "???" and lo <= addr < hi:
            seen.add(addr - VALGRIND_PIE_BASE)
    return seen


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    binary, debug, out, profiles = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    lo, hi = managed_code_range(binary)
    table = symbols(debug)
    starts = sorted(a for a in table if lo <= a < hi)

    def owner(addr):
        i = bisect.bisect_right(starts, addr) - 1
        if i < 0:
            return None
        start = starts[i]
        return start if addr < start + max(table[start][0], 1) else None

    placed, order = set(), []
    for phase, profile in enumerate(profiles):
        functions = {f for f in (owner(a) for a in executed(profile, lo, hi)) if f is not None}
        new = sorted(functions - placed)
        placed |= functions
        order += ([STARTUP_BEGINS] if phase == 1 else []) + new + ([STARTUP_ENDS] if phase == 1 else [])
        size = sum(table[a][0] for a in new)
        print(f"{profile}: {len(functions)} methods ran, {len(new)} new, {size / 1024:.0f} KB", file=sys.stderr)
    methods = [a for a in order if not isinstance(a, str)]
    with open(out, "w", encoding="utf-8") as f:
        for addr in order:
            for name in [addr] if isinstance(addr, str) else table[addr][1]:
                f.write(name + "\n")
    print(f"{out}: {len(methods)} methods, {sum(table[a][0] for a in methods) / 1024:.0f} KB of code", file=sys.stderr)


if __name__ == "__main__":
    main()
