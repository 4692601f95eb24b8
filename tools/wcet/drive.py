# SPDX-License-Identifier: MIT OR Apache-2.0
"""Runs the driver firmware (tests/wcet/drive.c, linked into the analysed firmware)
under QEMU with -icount and turns its SysTick ticks into instruction counts, as the
bench does: instructions = round((ticks - empty) / ticks per instruction) + the empty
function's own instructions."""

import subprocess

from .build import CPUS, qemu_machine


class DriveError(Exception):
    pass


def run(root, cpu, analysed, timeout=300):
    """{entry: {"sound": (instructions, bytes), "any": (instructions, bytes)}}: the
    longest call the driver measured for each entry point, on a sound heap and in all
    (a damaged heap included)."""
    elf = analysed["elf"]
    fw = analysed["fw"]
    machine = qemu_machine(root, CPUS[cpu][0])
    cmd = ["qemu-system-arm", "-M", machine, "-nographic", "-monitor", "none", "-serial", "none",
           "-icount", "shift=10,sleep=off",
           "-semihosting-config", "enable=on,target=native,chardev=sh0",
           "-chardev", "stdio,id=sh0", "-kernel", elf]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DriveError("%s: QEMU did not finish in %d s" % (elf, timeout))
    out = r.stdout
    empty_len = len(fw.functions["wcet_empty"].insns)
    cal = None
    driven = {}
    failures = []
    ended = False
    for line in out.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "C" and len(parts) == 4:
            c0, c1, e = (int(x) for x in parts[1:])
            cal = ((c1 - c0) / 1000.0, e)
        elif parts[0] == "D" and len(parts) == 5:
            if cal is None:
                raise DriveError("measurement before the calibration")
            tpi, empty = cal
            entry, mode, nbytes, ticks = parts[1], parts[2], int(parts[3]), int(parts[4])
            n = int(round((ticks - empty) / tpi)) + empty_len
            d = driven.setdefault(entry, {})
            for m in ((mode, "any") if mode == "sound" else ("any",)):
                old = d.get(m)
                d.setdefault(m + "_all", []).append((n, nbytes))
                if old is None or n > old[0]:
                    d[m] = (n, nbytes)
        elif parts[0] == "F":
            failures.append(line[2:])
        elif parts[0] == "E":
            ended = True
    if r.returncode != 0 or failures or not ended:
        why = "; ".join(failures) if failures else (r.stderr.strip()[-300:] or "exit %d" % r.returncode)
        raise DriveError("%s: the driver failed (exit %d): %s" % (elf, r.returncode, why))
    if cal is None or cal[0] <= 0:
        raise DriveError("%s: no calibration line" % elf)
    return driven
