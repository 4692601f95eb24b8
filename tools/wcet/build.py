# SPDX-License-Identifier: MIT OR Apache-2.0
"""Builds the firmware the analysis reads and the driver runs: per CPU and level, the
library (src/rtheap.c, rtheap_default.c, rtheap_rust.c, the malloc family and the
FreeRTOS heap) compiled as tools/bench.sh compiles it (so that the bench's measured
maxima are of the same code), linked with the driver (tests/wcet/drive.c, always
-O2, like the bench's harness), the board's startup code and newlib."""

import os
import re
import subprocess

CC = "arm-none-eabi-gcc"

# CPU -> (QEMU board, FreeRTOS port directory, cycle model); tests/wcet/CMakeLists.txt
# reads the names (a tree for another CPU gets no WCET tests)
CPUS = {
    "cortex-m0": ("microbit", "ARM_CM0", "armv6m"),
    "cortex-m3": ("mps2-an385", "ARM_CM3", "armv7m"),
    "cortex-m4": ("netduinoplus2", "ARM_CM3", "armv7m"),
    "cortex-m4f": ("mps2-an386", "ARM_CM4F", "armv7m"),
    "cortex-m7": ("mps2-an500", "ARM_CM7/r0p1", "m7"),
    "cortex-m33": ("mps2-an505", "ARM_CM33_NTZ/non_secure", "armv7m"),
}
LEVELS = ["O2", "Os"]


class BuildError(Exception):
    pass


def cpu_flags(root, cpu):
    path = os.path.join(root, "toolchain", "cpu", cpu + ".cmake")
    with open(path, encoding="utf-8") as f:
        m = re.search(r'set\(RTHEAP_CPU_FLAGS "([^"]*)"\)', f.read())
    if not m:
        raise BuildError("%s: no RTHEAP_CPU_FLAGS" % path)
    return m.group(1).split()


def qemu_machine(root, board):
    with open(os.path.join(root, "boards", board, "board.cmake"), encoding="utf-8") as f:
        m = re.search(r"set\(BOARD_QEMU_MACHINE (\S+)\)", f.read())
    return m.group(1)


def _run(cmd, log):
    r = subprocess.run(cmd, capture_output=True, text=True)
    log.append(" ".join(cmd))
    if r.returncode != 0:
        raise BuildError("command failed:\n  %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))


def freertos_ok(freertos):
    return freertos and os.path.isfile(os.path.join(freertos, "include", "FreeRTOS.h"))


def build(root, src, cpu, level, out, freertos, jobs=2):
    """Builds <out>/<cpu>-<level>.elf; returns its path. src: the library sources
    (normally <root>/src)."""
    board, port, _ = CPUS[cpu]
    F = cpu_flags(root, cpu)
    os.makedirs(out, exist_ok=True)
    base = F + ["-g", "-std=gnu11", "-ffunction-sections", "-fdata-sections", "-fno-builtin",
                "-fno-delete-null-pointer-checks"]
    warn = ["-Wall", "-Wextra", "-Werror"]
    lib = base + ["-" + level, "-I" + src, "-ffreestanding", "-fno-tree-loop-distribute-patterns"]
    front = base + ["-" + level] + warn + ["-I" + src]
    # the driver gets the project's own warnings (CMakeLists.txt: rtheap_warnings)
    strict = ["-Wconversion", "-Wsign-conversion", "-Wcast-align", "-Wundef",
              "-Wmissing-declarations", "-Wshadow"]
    harness = base + ["-O2"] + warn + ["-I" + src, "-I" + os.path.join(root, "boards", "common")]
    fr = []
    have_fr = freertos_ok(freertos)
    if have_fr:
        # the kernel's headers are not ours: system headers (no warnings from them)
        fr = ["-I" + os.path.join(src, "freertos"), "-I" + os.path.join(root, "tests", "wcet"),
              "-isystem", os.path.join(freertos, "include"),
              "-isystem", os.path.join(freertos, "portable", "GCC", port)]
    tag = "%s-%s" % (cpu, level)
    objs = []
    jobs_list = []

    def obj(name, flags, path):
        o = os.path.join(out, "%s-%s.o" % (tag, name))
        jobs_list.append(([CC] + flags + ["-c", path, "-o", o], o))
        objs.append(o)

    for f in ("rtheap", "rtheap_default", "rtheap_rust"):
        obj(f, lib, os.path.join(src, f + ".c"))
    obj("malloc", front + ["-I" + os.path.join(src, "libc")],
        os.path.join(src, "libc", "rtheap_malloc.c"))
    if have_fr:
        obj("freertos", front + fr + ["-Wno-unused-parameter"],
            os.path.join(src, "freertos", "rtheap_freertos.c"))
    dflags = harness + fr + ["-DWCET_FREERTOS=%d" % (1 if have_fr else 0)]
    obj("drive", dflags + strict + ["-I" + os.path.join(root, "bench")],  # bench_out.h
        os.path.join(root, "tests", "wcet", "drive.c"))
    obj("startup", harness, os.path.join(root, "boards", "common", "startup.c"))
    obj("semihost", harness, os.path.join(root, "boards", "common", "semihost.c"))
    log = []
    procs = []
    # Compile a few at a time (the machine is shared).
    pending = list(jobs_list)
    while pending or procs:
        while pending and len(procs) < jobs:
            cmd, o = pending.pop(0)
            procs.append((cmd, subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                                stderr=subprocess.STDOUT, text=True)))
        cmd, p = procs.pop(0)
        text = p.communicate()[0]
        if p.returncode != 0:
            for _, q in procs:
                q.wait()
            raise BuildError("command failed:\n  %s\n%s" % (" ".join(cmd), text))
    newlib = subprocess.run([CC] + F + ["-print-file-name=libc.a"], capture_output=True,
                            text=True, check=True).stdout.strip()
    elf = os.path.join(out, tag + ".elf")
    ld = F + ["-nostdlib", "-nostartfiles", "-T", os.path.join(root, "linker", "cortex-m.ld"),
              "-L" + os.path.join(root, "boards", board), "-Wl,--gc-sections",
              "-Wl,-Map=" + os.path.join(out, tag + ".map")]
    if cpu == "cortex-m0":
        ld.append("-Wl,--defsym=__stack_size=2048")
    _run([CC] + ld + objs + ["-Wl,--start-group", newlib, "-lgcc", "-Wl,--end-group", "-o", elf],
         log)
    return elf, have_fr


def macro_values(root, src, cpu, names, out):
    """Values of the configuration macros the markers use, as the compiler sees them
    for this CPU (compiled into a table and read back from the object)."""
    if not names:
        return {}
    os.makedirs(out, exist_ok=True)
    c = os.path.join(out, "macros-%s.c" % cpu)
    o = os.path.join(out, "macros-%s.o" % cpu)
    with open(c, "w", encoding="utf-8") as f:
        f.write('#include "core/internal.h"\n')
        f.write("const unsigned long long wcet_macro_values[] = {\n")
        for n in names:
            f.write("    (unsigned long long)(%s),\n" % n)
        f.write("};\n")
    F = cpu_flags(root, cpu)
    r = subprocess.run([CC] + F + ["-std=gnu11", "-O0", "-I" + src, "-fdata-sections", "-c", c,
                                   "-o", o], capture_output=True, text=True)
    if r.returncode != 0:
        raise BuildError("the markers name macros the configuration does not define:\n%s" %
                         r.stderr)
    dump = subprocess.run(["arm-none-eabi-objcopy", "-O", "binary",
                           "--only-section=.rodata.wcet_macro_values", o, o + ".bin"],
                          capture_output=True, text=True)
    if dump.returncode != 0:
        raise BuildError(dump.stderr)
    with open(o + ".bin", "rb") as f:
        data = f.read()
    vals = {}
    for i, n in enumerate(names):
        vals[n] = int.from_bytes(data[8 * i: 8 * i + 8], "little")
    return vals
