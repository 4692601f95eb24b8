#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Runs tests/gdb/gdb_target.c under QEMU with a GDB stub, drives gdb-multiarch with the
rtheap extension, and checks what GDB prints against what the firmware printed itself.

usage: run_gdb_test.py --gdb GDB --extension tools/gdb/rtheap.py --elf FW -- QEMU-COMMAND...

QEMU's GDB stub listens on a Unix socket in a private temporary directory (no TCP port to
pick or collide on); QEMU starts halted (-S). Exit status 0 when every check passed.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DEADLINE = 28.0  # seconds for the whole test

# Damage done from GDB, one round each: (name, heap, save+damage commands, restore
# commands, the rtheap_check() error expected for that heap).
ROUNDS = [
    ("used header overwritten", "default",
     ["set $o = *(unsigned *)((char *)gdb_victim - 4)",
      "set {unsigned}((char *)gdb_victim - 4) = 0xdeadbeef"],
     ["set {unsigned}((char *)gdb_victim - 4) = $o"], 8),
    ("sl_bitmap bit without a list", "default",
     ["set $o = gdb_default->sl_bitmap[0]", "set var gdb_default->sl_bitmap[0] = $o | 1"],
     ["set var gdb_default->sl_bitmap[0] = $o"], 12),
    ("used_total off by 8", "default",
     ["set $o = gdb_default->used_total", "set var gdb_default->used_total = $o + 8"],
     ["set var gdb_default->used_total = $o"], 14),
    ("free-list link to itself", "small",
     ["set $o = *(unsigned *)gdb_small_free",
      "set {unsigned}gdb_small_free = (unsigned)gdb_small_free - 4"],
     ["set {unsigned}gdb_small_free = $o"], 6),
    ("arena_bytes off by 8", "small",
     ["set $o = gdb_small->arena_bytes", "set var gdb_small->arena_bytes = $o + 8"],
     ["set var gdb_small->arena_bytes = $o"], 9),
    ("magic damaged", "small",
     ["set $o = gdb_small->magic", "set var gdb_small->magic = $o ^ 1"],
     ["set var gdb_small->magic = $o"], 16),
]

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def ok(msg):
    print("ok:   " + msg)


def gdb_script(ext, sock):
    lines = [
        "set pagination off", "set confirm off", "set width 0", "set height 0",
        "source " + ext,
        "target remote " + sock,
        "break gdb_stop_here",
        "continue",
    ]

    def section(name, *cmds):
        lines.append("echo \\n@@@ %s\\n" % name)
        lines.extend(cmds)

    section("stats-default", "rtheap stats")
    section("stats-small", "rtheap stats gdb_small")
    section("map-default", "rtheap map")
    section("map-small", "rtheap map gdb_small")
    section("dump-default", "rtheap map --dump")
    section("dump-small", "rtheap map --dump gdb_small")
    section("check-default", "rtheap check")
    section("check-small", "rtheap check gdb_small")
    section("block-victim", "rtheap block gdb_victim")
    section("block-interior", "rtheap block (char *)gdb_victim + 5")
    section("block-free", "rtheap block gdb_free_victim")
    section("block-big", "rtheap block gdb_big")
    section("block-small-free", "rtheap block gdb_small_free gdb_small")
    lines.append("set var gdb_rounds = %d" % len(ROUNDS))
    for k, (_, _, damage, restore, _) in enumerate(ROUNDS, 1):
        lines.extend(damage)
        section("round-%d" % k, "rtheap check", "rtheap check gdb_small")
        if k == 1:
            # The victim's own header is damaged: its chain breaks there.
            section("broken-payload", "rtheap block gdb_victim")
            section("broken-header", "rtheap block (char *)gdb_victim - 4")
            section("broken-interior", "rtheap block (char *)gdb_victim + 10")
            section("broken-interior-word", "rtheap block (char *)gdb_victim + 4")
        lines.append("continue")
        lines.extend(restore)
        section("restored-%d" % k, "rtheap check", "rtheap check gdb_small")
    # Everything is checked; the firmware then runs to its exit. QEMU may exit before GDB
    # sees the exit packet ("Remote communication error"): the last command, so harmless.
    section("end")
    lines.append("continue")
    return "\n".join(lines) + "\n"


def sections(text, marker):
    """Splits text at lines '<marker> NAME' into {NAME: [lines]}."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(re.escape(marker) + r" (.+)$", line)
        if m:
            cur = out.setdefault(m.group(1), [])
        elif cur is not None:
            cur.append(line)
    return out


def parse_dump(lines):
    blocks, regions = [], {}
    for line in lines:
        m = re.match(r"# region (\d+) (0x[0-9a-f]+) (0x[0-9a-f]+)$", line)
        if m:
            regions[int(m.group(1))] = (int(m.group(2), 16), int(m.group(3), 16))
            continue
        m = re.match(r"(\d+) (\d+) (0x[0-9a-f]+) (\d+) ([01])$", line)
        if m:
            blocks.append((int(m.group(1)), int(m.group(2)), int(m.group(3), 16),
                           int(m.group(4)), int(m.group(5))))
    return blocks, regions


def size_text(n):
    if n >= 10 * 1024 * 1024:
        return "%d MiB" % (n >> 20)
    if n >= 10 * 1024:
        return "%d KiB" % (n >> 10)
    return "%d B" % n


def expected_map(blocks, regions, slices=64):
    """The demo's map (demo/router.c print_map) computed from the firmware's own walk."""
    out = ["heap map ('#' used, '.' free, '+' both; %d slices per region):" % slices]
    for i in sorted(regions):
        base, end = regions[i]
        length = end - base
        mine = [b for b in blocks if b[0] == i]
        used = [b for b in mine if b[4]]
        free = [b for b in mine if not b[4]]
        sf = [0] * slices
        for _, _, ptr, size, _ in free:
            lo, hi = ptr - base, ptr - base + size
            for s in range(slices):
                a, e = max(lo, length * s // slices), min(hi, length * (s + 1) // slices)
                if e > a:
                    sf[s] += e - a
        bar = "".join("#" if sf[s] == 0 else
                      "." if sf[s] >= length * (s + 1) // slices - length * s // slices else "+"
                      for s in range(slices))
        out.append("  r%d %08x |%s| %s" % (i, base, bar, size_text(length)))
        out.append("      used %d blocks, %s; free %d blocks, %s, largest free %s" % (
            len(used), size_text(sum(b[3] for b in used)), len(free),
            size_text(sum(b[3] for b in free)), size_text(max([b[3] for b in free] or [0]))))
    return out


def check_code(lines, heap_label):
    """Error code of the `rtheap check` line number heap_label (0 default, 1 small)."""
    found = [l for l in lines if l.startswith("rtheap check:")]
    if len(found) <= heap_label:
        return None, "(no output)"
    line = found[heap_label]
    if line.startswith("rtheap check: OK"):
        return 0, line
    m = re.search(r"RTHEAP_ERR_\w+ = (\d+)\)", line)
    return (int(m.group(1)) if m else -1), line


def start_qemu(qemu_cmd, tmp, attempt):
    sock = os.path.join(tmp, "gdb%d.sock" % attempt)
    out = open(os.path.join(tmp, "qemu%d.out" % attempt), "w+")
    cmd = qemu_cmd + ["-chardev", "socket,path=%s,server=on,wait=off,id=gdbsock" % sock,
                      "-gdb", "chardev:gdbsock", "-S"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 5:
        if os.path.exists(sock):
            return proc, sock, out
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    stop(proc)
    out.seek(0)
    print("QEMU did not start its GDB stub (attempt %d): %s" % (attempt, out.read()[-500:]))
    return None, None, None


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=3)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gdb", required=True)
    ap.add_argument("--extension", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--untagged", action="store_true",
                    help="the firmware is built without RTHEAP_CHECKS: headers carry no tag")
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    qemu_cmd = [x for x in a.qemu if x != "--"]
    t_start = time.time()
    tmp = tempfile.mkdtemp(prefix="rtheap-gdb-")
    qemu = None
    try:
        for attempt in range(3):
            qemu, sock, qout = start_qemu(qemu_cmd, tmp, attempt)
            if qemu is not None:
                break
        if qemu is None:
            print("FAIL: QEMU would not start")
            return 1
        script = os.path.join(tmp, "cmds.gdb")
        with open(script, "w") as f:
            f.write(gdb_script(os.path.abspath(a.extension), sock))
        left = DEADLINE - (time.time() - t_start)
        try:
            g = subprocess.run([a.gdb, "-nx", "-batch", "-x", script, a.elf],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=left, text=True)
            gout = g.stdout
        except subprocess.TimeoutExpired as e:
            gout = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            fail("gdb did not finish within %.0f s" % DEADLINE)
        t_gdb = time.time() - t_start
        try:
            qemu.wait(timeout=3)
        except subprocess.TimeoutExpired:
            pass
        stop(qemu)
        qout.seek(0)
        fw = qout.read()
        print("---- firmware (semihosting) ----")
        print(fw.rstrip())
        print("---- gdb ----")
        print(gout.rstrip())
        print("---- checks ----")
        verify(fw, gout, not a.untagged)
        print("qemu rc %s; time %.1f s (gdb session %.1f s)" % (
            qemu.returncode, time.time() - t_start, t_gdb))
        if qemu.returncode != 0:
            fail("the firmware exited with status %s" % qemu.returncode)
    finally:
        stop(qemu)
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d check(s) FAILED" % len(failures))
        return 1
    print("all checks passed")
    return 0


def verify(fw, gout, tagged):
    fs = sections(fw, "==")
    gs = sections(gout, "@@@")
    if "end" not in gs:
        fail("gdb did not reach the end of its script")
    for heap in ("default", "small"):
        # stats: every field of rtheap_stats_t as the firmware read it
        want = dict((m.group(1), int(m.group(2))) for m in
                    (re.match(r"stats (\w+) (\d+)$", l) for l in fs.get("stats " + heap, []))
                    if m)
        got = dict((m.group(1), int(m.group(2))) for m in
                   (re.match(r"  (\w+) +(\d+)$", l) for l in gs.get("stats-" + heap, [])) if m)
        if len(want) != 16:
            fail("%s: the firmware printed %d stats fields" % (heap, len(want)))
        elif want != got:
            fail("%s: rtheap stats %s != firmware %s" % (heap, got, want))
        else:
            ok("%s: rtheap stats matches rtheap_get_stats (16 fields)" % heap)
        # dump: the same blocks as rtheap_walk, the same region bounds
        fb, fr = parse_dump(fs.get("walk " + heap, []))
        gb, gr = parse_dump(gs.get("dump-" + heap, []))
        if not fb:
            fail("%s: no walk from the firmware" % heap)
        elif fb != gb:
            fail("%s: rtheap map --dump differs from rtheap_walk:\n  gdb %s\n  fw  %s" % (heap, gb, fb))
        else:
            ok("%s: rtheap map --dump lists the %d blocks rtheap_walk reports" % (heap, len(fb)))
        if fr != gr:
            fail("%s: region bounds gdb %s, firmware %s" % (heap, gr, fr))
        else:
            ok("%s: region bounds match the firmware's (%d regions)" % (heap, len(fr)))
        # map: the demo's text map, recomputed from the firmware's walk
        want_map = expected_map(fb, fr)
        got_map = [l for l in gs.get("map-" + heap, []) if l.strip()]
        if got_map != want_map:
            fail("%s: rtheap map:\n%s\nexpected:\n%s" % (heap, "\n".join(got_map), "\n".join(want_map)))
        else:
            ok("%s: rtheap map matches the map computed from rtheap_walk" % heap)
        code, line = check_code(gs.get("check-" + heap, []), 0)
        if code != 0:
            fail("%s: rtheap check on the intact heap: %s" % (heap, line))
        else:
            ok("%s: %s" % (heap, line))
    # block
    fb, _ = parse_dump(fs.get("walk default", []))
    sb, _ = parse_dump(fs.get("walk small", []))

    def block_check(sec, blocks, want_used, want_region=None):
        text = "\n".join(gs.get(sec, []))
        m = re.search(r"block 0x([0-9a-f]+): region (\d+), block #(\d+), payload 0x([0-9a-f]+)", text)
        m2 = re.search(r"\n  (free|in use), (\d+) usable bytes", text)
        if not m or not m2:
            fail("%s: no block decoded:\n%s" % (sec, text))
            return
        ptr, region, idx = int(m.group(4), 16), int(m.group(2)), int(m.group(3))
        entry = [b for b in blocks if b[2] == ptr]
        if not entry:
            fail("%s: payload 0x%x is not in the firmware's walk" % (sec, ptr))
            return
        r, i, _, size, used = entry[0]
        good = (r == region and i == idx and size == int(m2.group(2)) and
                used == want_used and (m2.group(1) == "in use") == bool(used) and
                (want_region is None or r == want_region))
        if not used:
            good = good and re.search(r"footer \(0x[0-9a-f]+\) -> 0x[0-9a-f]+ \(ok\)", text) \
                and "free list " in text
        if good:
            ok("%s: block #%d of region %d, %d usable bytes, %s" % (
                sec, i, r, size, "used" if used else "free, footer and links shown"))
        else:
            fail("%s: decoded\n%s\nfirmware says %s" % (sec, text, entry[0]))

    block_check("block-victim", fb, 1, 0)
    # The extension tells a heap without tags by its magic.
    want_tag = "tag ok" if tagged else "tag none (no checks)"
    if want_tag in "\n".join(gs.get("block-victim", [])):
        ok("block-victim: the header decoded with '%s'" % want_tag)
    else:
        fail("block-victim: '%s' not printed" % want_tag)
    block_check("block-interior", fb, 1, 0)
    if "is 5 bytes into the payload" not in "\n".join(gs.get("block-interior", [])):
        fail("block-interior: the offset into the payload is not reported")
    block_check("block-free", fb, 0, 0)
    block_check("block-big", fb, 1, 1)
    block_check("block-small-free", sb, 0)
    # A broken chain: ADDR decoded as a payload pointer or a header, or not at all.
    m = re.search(r"payload 0x([0-9a-f]+)", "\n".join(gs.get("block-victim", [])))
    victim = int(m.group(1), 16) - 4 if m else None  # its header
    # The victim's damaged header is no plausible header: only its payload pointer
    # decodes it; its header address and interior addresses cannot be placed.
    for sec, want in (("broken-payload", "decoding 0x%x as the header" % (victim or 0)),
                      ("broken-header", "cannot be found without the chain"),
                      ("broken-interior", "cannot be found without the chain"),
                      ("broken-interior-word", "cannot be found without the chain")):
        text = "\n".join(gs.get(sec, []))
        if victim is not None and "is broken at 0x%x" % victim in text and want in text:
            ok("%s: '%s'" % (sec, want))
        else:
            fail("%s: expected 'broken at' and '%s', got\n%s" % (sec, want, text))
    # damage rounds: rtheap check agrees with the firmware's rtheap_check()
    for k, (name, heap, _, _, expect) in enumerate(ROUNDS, 1):
        flines = fs.get("round %d" % k, [])
        for label, idx in (("default", 0), ("small", 1)):
            fm = [re.match(r"check %s (\d+) (.*)$" % label, l) for l in flines]
            fm = [m for m in fm if m]
            gcode, gline = check_code(gs.get("round-%d" % k, []), idx)
            if not fm:
                fail("round %d (%s): the firmware printed no check of %s" % (k, name, label))
                continue
            fcode = int(fm[0].group(1))
            want = expect if label == heap else 0
            if gcode == fcode == want:
                ok("round %d (%s), %s heap: gdb and firmware agree: %s" % (
                    k, name, label, gline[len("rtheap check: "):]))
            else:
                fail("round %d (%s), %s heap: gdb %s [%s], firmware %d (%s), expected %d" % (
                    k, name, label, gcode, gline, fcode, fm[0].group(2), want))
            rcode, rline = check_code(gs.get("restored-%d" % k, []), idx)
            if rcode != 0:
                fail("round %d restored, %s heap: %s" % (k, label, rline))
    final = fs.get("final", [])
    if "check default 0 ok" in final and "check small 0 ok" in final:
        ok("after the rounds (damage undone) the firmware's rtheap_check() is OK on both heaps")
    else:
        fail("final firmware check: %s" % final)


if __name__ == "__main__":
    sys.exit(main())
