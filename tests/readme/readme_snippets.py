#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Snippet test of README.md and docs/*.md: the C, CMake, linker and shell snippets
run as written, each with a negative control; and the guides' links.

A fenced code block in README.md or docs/*.md preceded by a line `<!-- snippet: ID -->`
is tested; IDs are unique across all these files. This program handles the IDs
starting with `c-`, `cmake-`, `ld-` and `sh-` (tests/rust/readme.sh has the `rust-` and
`cargo-` ones; tests/rust/build.rs compiles the `smp-` ones into the two-core Rust
firmware): each is pasted into a fresh folder outside the source tree (which holds
the checkout as `rtheap`, and as `firmware/third_party/rtheap` for add_subdirectory, or
for `sh-` snippets a copy of the checkout) and built, linked or run; `/path/to/rtheap`
in a snippet stands for the checkout's absolute path, nothing else is replaced.
Firmware runs on mps2-an385 under qemu-system-arm. A marked ID without a test here, or
a test whose ID is no longer marked, fails too; errors name the file and line.
Without IDs it also checks the documents: every relative link (file and heading)
resolves, README.md is at most 12 KiB, and no issue number or source hash appears.

    readme_snippets.py ROOT [ID...]              exit status 0 when every snippet passed
    readme_snippets.py --mutations ROOT [ID...]  each snippet broken in turn (C: #error,
        CMake: message(FATAL_ERROR), ld: ASSERT(0), sh: exit 1): its test must fail with
        the mark of the breakage in its output; plus a broken link the link check must
        report. Exit status 0 only if every breakage was noticed.

RTHEAP_README_DOCS=<dir> reads README.md and docs/*.md from <dir> instead of ROOT (the
negative control readme.snippets_control runs a copy whose install snippet gives the
toolchain file by a relative path: it must fail). RTHEAP_FREERTOS_DIR=<dir> is the
FreeRTOS kernel for cmake-freertos (default ROOT/../shared/freertos; absent: skipped).
RTHEAP_README_KEEP=1 keeps the fresh folders for inspection.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

BOARD = "mps2-an385"
CPU = "cortex-m3"
CPU_FLAGS = ["-mcpu=cortex-m3", "-mthumb"]
MINE = ("c-", "cmake-", "ld-", "sh-")
BROKEN = "RTHEAP_SNIPPET_BROKEN"  # the mark every mutation leaves in its test's output
README_MAX = 12288
MARK = re.compile(r"^\s*<!-- snippet: ([A-Za-z0-9_.-]+) -->\s*$")
FENCE = re.compile(r"^(\s*)```([A-Za-z0-9_+-]*)\s*$")


class SnippetError(Exception):
    pass


class Skip(Exception):
    """The snippet cannot be tested here (a missing optional dependency)."""


def doc_files(top):
    """The files whose snippets are tested: README.md and every docs/*.md under top."""
    files = [os.path.join(top, "README.md")]
    docs = os.path.join(top, "docs")
    if os.path.isdir(docs):
        files += sorted(os.path.join(docs, n) for n in os.listdir(docs) if n.endswith(".md"))
    return files


def extract_file(path, name, snippets):
    """Adds {id: (lang, text, "file:line")} for every marked fenced block of one file."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        if not m:
            i += 1
            continue
        sid = m.group(1)
        where = f"{name}:{i + 1}"
        f = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if not f:
            raise SnippetError(f"{where}: snippet {sid}: no fenced block on the next line")
        indent, lang = f.group(1), f.group(2)
        body = []
        j = i + 2
        while j < len(lines) and lines[j].strip() != "```":
            line = lines[j]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            j += 1
        if j == len(lines):
            raise SnippetError(f"{where}: snippet {sid}: unterminated block")
        if sid in snippets:
            raise SnippetError(f"{where}: snippet {sid} marked twice (also at {snippets[sid][2]})")
        snippets[sid] = (lang, "\n".join(body) + "\n", where)
        i = j + 1


def extract(top):
    """{id: (lang, text, "file:line")} over README.md and docs/*.md; IDs are unique."""
    snippets = {}
    for path in doc_files(top):
        extract_file(path, os.path.relpath(path, top), snippets)
    return snippets


class Ctx:
    def __init__(self, root, snippets):
        self.root = root
        self.snippets = snippets

    def text(self, sid):
        return self.snippets[sid][1].replace("/path/to/rtheap", self.root)

    def fresh(self):
        d = made(tempfile.mkdtemp(prefix="rtheap-readme-"))
        os.symlink(self.root, os.path.join(d, "rtheap"))
        return d

    def copy(self):
        """A fresh folder holding a copy of the checkout (no build trees, no .git), for
        snippets that run the repository's own tools from its top directory."""
        d = made(tempfile.mkdtemp(prefix="rtheap-readme-"))
        top = os.path.join(d, "rtheap")

        def ignore(path, names):
            at_top = os.path.realpath(path) == self.root
            return [n for n in names if n == "target" or n == ".git" or
                    (at_top and (n == "build" or n.startswith("build-") or n == ".cache"))]
        shutil.copytree(self.root, top, symlinks=True, ignore=ignore)
        return top

    def run(self, cmd, cwd, shell=False, env=None):
        p = subprocess.run(cmd, cwd=cwd, shell=shell, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                           timeout=300)
        if p.returncode != 0:
            shown = cmd if shell else " ".join(cmd)
            raise SnippetError(f"`{shown}` exited {p.returncode}:\n{p.stdout}")
        return p.stdout

    def sh(self, sid, cwd):
        """Runs an sh snippet as written (sh -e: any failing line fails it)."""
        return self.run(["sh", "-e", "-c", self.text(sid)], cwd)

    def qemu(self, elf, cwd):
        return self.run(["timeout", "-k", "5", "30", "qemu-system-arm", "-M", BOARD, "-cpu", CPU,
                         "-nographic", "-monitor", "none", "-serial", "none",
                         "-semihosting-config", "enable=on,target=native,chardev=sh0",
                         "-chardev", "stdio,id=sh0", "-kernel", elf], cwd)

    def nm(self, elf):
        out = self.run(["arm-none-eabi-nm", elf], os.path.dirname(elf))
        syms = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3:
                syms[parts[2]] = int(parts[0], 16)
        return syms

    def cmake_configure(self, src, build, cwd, extra=()):
        tc = os.path.join(self.root, "toolchain", "arm-none-eabi.cmake")
        self.run(["cmake", "-G", "Ninja", "-S", src, "-B", build, f"-DCMAKE_TOOLCHAIN_FILE={tc}",
                  f"-DRTHEAP_CPU={CPU}", *extra], cwd)
        self.run(["cmake", "--build", build], cwd)


# ---- the firmware project the CMake snippets are pasted into ----

MAIN_PLAIN = r"""/* README test firmware: the default heap through rtheap::rtheap. */
#include "rtheap.h"

int main(void)
{
    void *p = rtheap_alloc(rtheap_default(), 1000);
    int ok = p != NULL && rtheap_check(rtheap_default()) == RTHEAP_OK;
    rtheap_free(rtheap_default(), p);
    return ok ? 0 : 1;
}
"""

MAIN_LIBC = r"""/* README test firmware: the C library's printf and strdup on rtheap::libc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtheap.h"

int main(void)
{
    rtheap_stats_t s0, s1;
    if (!rtheap_get_stats(rtheap_default(), &s0)) {
        return 2;
    }
    char *d = strdup("readme");
    printf("readme firmware: %s\n", d != NULL ? d : "(null)");
    int ok = d != NULL && rtheap_usable_size(rtheap_default(), d) != 0 &&
             rtheap_get_stats(rtheap_default(), &s1) && s1.alloc_count >= s0.alloc_count + 2;
    free(d);
    return ok ? 0 : 1;
}
"""


def firmware_project(ctx, top, snippet, kind):
    """top/firmware/: CMakeLists.txt = prologue + snippet + epilogue, main.c.
    kind: plain (the snippet brings rtheap), find_package (the snippet also links the
    installed script), libc (add_subdirectory here, the snippet links rtheap::libc)."""
    fw = os.path.join(top, "firmware")
    os.makedirs(os.path.join(fw, "third_party"), exist_ok=True)
    os.symlink(ctx.root, os.path.join(fw, "third_party", "rtheap"))
    common = os.path.join(ctx.root, "boards", "common")
    board = os.path.join(ctx.root, "boards", BOARD)
    ld = os.path.join(ctx.root, "linker", "cortex-m.ld")
    srcs = [f"{common}/startup.c", f"{common}/semihost.c"]
    pro = ["cmake_minimum_required(VERSION 3.25)", "project(firmware C)"]
    epi = []
    if kind == "libc":
        srcs.append(os.path.join(ctx.root, "tests", "libc", "newlib_sys.c"))
        pro.append(f'add_subdirectory("{ctx.root}" rtheap)')
        epi.append(f'target_link_options(firmware PRIVATE "-T{ld}" "-L{board}" '
                   '"-Wl,-Map=${CMAKE_BINARY_DIR}/firmware.map")')
    else:
        srcs.append(f"{common}/minilibc.c")
        epi.append(f'set_source_files_properties("{common}/minilibc.c" PROPERTIES COMPILE_OPTIONS '
                   '"-ffreestanding;-fno-builtin;-fno-tree-loop-distribute-patterns")')
        epi.append("target_link_options(firmware PRIVATE -nostdlib)")
        if kind == "plain":
            epi.append(f'target_link_options(firmware PRIVATE "-T{ld}" "-L{board}")')
        epi.append("target_link_libraries(firmware PRIVATE gcc)")
    pro.append("add_executable(firmware main.c " + " ".join(f'"{s}"' for s in srcs) + ")")
    pro.append(f'target_include_directories(firmware PRIVATE "{common}")')
    with open(os.path.join(fw, "CMakeLists.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(pro) + "\n# ---- README snippet ----\n" + snippet +
                "# ---- end of snippet ----\n" + "\n".join(epi) + "\n")
    with open(os.path.join(fw, "main.c"), "w", encoding="utf-8") as f:
        f.write(MAIN_LIBC if kind == "libc" else MAIN_PLAIN)
    return fw


# ---- one function per snippet ID ----

def t_c_api(ctx):
    d = ctx.fresh()
    with open(os.path.join(d, "api.c"), "w", encoding="utf-8") as f:
        f.write(ctx.text("c-api"))
    src = os.path.join(ctx.root, "src")
    ctx.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", f"-I{src}", "api.c",
             os.path.join(src, "rtheap.c"), "-o", "api"], d)
    ctx.run(["./api"], d)


def t_cmake_add_test(ctx):
    # rtheap's own test helper: the line must be one the project really uses.
    want = ctx.text("cmake-add-test").strip()
    for dirpath, _, files in os.walk(os.path.join(ctx.root, "tests")):
        if "CMakeLists.txt" in files:
            with open(os.path.join(dirpath, "CMakeLists.txt"), encoding="utf-8") as f:
                if want in f.read():
                    return
    raise SnippetError(f"`{want}` is in no tests/*/CMakeLists.txt")


def _plain_firmware(ctx, sid):
    d = ctx.fresh()
    fw = firmware_project(ctx, d, ctx.text(sid), "plain")
    ctx.cmake_configure(fw, os.path.join(d, "build"), d, ["-DFETCHCONTENT_FULLY_DISCONNECTED=ON"])
    ctx.qemu(os.path.join(d, "build", "firmware"), d)


def t_cmake_add_subdirectory(ctx):
    _plain_firmware(ctx, "cmake-add-subdirectory")


def t_cmake_fetchcontent(ctx):
    _plain_firmware(ctx, "cmake-fetchcontent")


def t_cmake_install(ctx):
    """cmake-install, then a firmware of cmake-find-package built by
    cmake-find-package-build in the same folder, run under QEMU."""
    d = ctx.fresh()
    ctx.sh("cmake-install", d)
    for f in ("lib/librtheap.a", "lib/cmake/rtheap/rtheapConfig.cmake",
              "share/rtheap/linker/cortex-m.ld", f"share/rtheap/boards/{BOARD}/memory.x",
              "share/rtheap/toolchain/arm-none-eabi.cmake"):
        if not os.path.isfile(os.path.join(d, "rtheap-install", CPU, f)):
            raise SnippetError(f"the install has no {f}")
    firmware_project(ctx, d, ctx.text("cmake-find-package"), "find_package")
    ctx.sh("cmake-find-package-build", d)
    ctx.qemu(os.path.join(d, "build", "firmware", "firmware"), d)


def t_with_install(ctx):
    pass  # cmake-find-package and cmake-find-package-build run within cmake-install


def t_with_quickstart(ctx):
    pass  # c-quickstart runs within c-quickstart-build


def t_cmake_pkg_config(ctx):
    d = ctx.fresh()
    with open(os.path.join(d, "app.c"), "w", encoding="utf-8") as f:
        f.write('#include "rtheap.h"\nstatic _Alignas(16) unsigned char ram[8192];\n'
                "int main(void)\n{\n    rtheap_t *h = rtheap_init(ram, sizeof ram);\n"
                "    return h != NULL && rtheap_alloc(h, 100) != NULL ? 0 : 1;\n}\n")
    ctx.sh("cmake-pkg-config", d)
    ctx.run(["./a.out"], d)


def t_cmake_libc(ctx):
    d = ctx.fresh()
    fw = firmware_project(ctx, d, ctx.text("cmake-libc"), "libc")
    ctx.cmake_configure(fw, os.path.join(d, "build"), d)
    out = ctx.qemu(os.path.join(d, "build", "firmware"), d)
    if "readme firmware: readme" not in out:
        raise SnippetError(f"unexpected output:\n{out}")


def t_cmake_libc_nano(ctx):
    d = ctx.fresh()
    firmware_project(ctx, d, ctx.text("cmake-libc"), "libc")
    ctx.sh("cmake-libc-nano", d)
    build = os.path.join(d, "build", "firmware-nano")
    with open(os.path.join(build, "firmware.map"), encoding="utf-8") as f:
        if "libc_nano.a(" not in f.read():
            raise SnippetError("the firmware did not link newlib-nano (no libc_nano.a in its map)")
    ctx.qemu(os.path.join(build, "firmware"), d)


def _link_tiny(ctx, d, args):
    tiny = os.path.join(ctx.root, "tests", "heapsyms", "tiny.c")
    ctx.run(["arm-none-eabi-gcc", *CPU_FLAGS, "-nostdlib", "-nostartfiles", tiny, *args,
             "-o", "t.elf"], d)
    return ctx.nm(os.path.join(d, "t.elf"))


def _check_heap(s, start, end):
    if s.get("__heap_start") != start or s.get("__heap_end") != end or end <= start:
        raise SnippetError(f"heap [{s.get('__heap_start', 0):#x}, {s.get('__heap_end', 0):#x}), "
                           f"want [{start:#x}, {end:#x})")


def t_ld_cubemx(ctx):
    d = ctx.fresh()
    script = os.path.join(d, "cubemx.ld")
    shutil.copy(os.path.join(ctx.root, "tests", "heapsyms", "cubemx_style.ld"), script)
    with open(script, "a", encoding="utf-8") as f:
        f.write("\n" + ctx.text("ld-cubemx"))
    s = _link_tiny(ctx, d, ["-T", script])
    _check_heap(s, (s["_end"] + 7) & ~7, (s["_estack"] - s["_Min_Stack_Size"]) & ~7)


def t_ld_cortex_m_rt(ctx):
    d = ctx.fresh()
    shutil.copy(os.path.join(ctx.root, "boards", BOARD, "memory.x"), os.path.join(d, "memory.x"))
    with open(os.path.join(d, "memory.x"), "a", encoding="utf-8") as f:
        f.write("\n" + ctx.text("ld-cortex-m-rt"))
    s = _link_tiny(ctx, d, ["-T", os.path.join(ctx.root, "tests", "heapsyms", "cortex_m_rt_style.ld"),
                            f"-L{d}"])
    _check_heap(s, (s["__sheap"] + 7) & ~7, (s["_stack_start"] - 4096) & ~7)


def t_c_quickstart(ctx):
    """c-quickstart as main.c, built and run by c-quickstart-build, in a fresh folder
    holding the checkout as rtheap/ (as the README says)."""
    d = ctx.fresh()
    with open(os.path.join(d, "main.c"), "w", encoding="utf-8") as f:
        f.write(ctx.text("c-quickstart"))
    out = ctx.sh("c-quickstart-build", d)
    if "rtheap: OK" not in out:
        raise SnippetError(f"the firmware did not print `rtheap: OK`:\n{out}")
    if not os.path.isfile(os.path.join(d, "firmware.elf")):
        raise SnippetError("no firmware.elf")


def t_cmake_freertos(ctx):
    """tests/freertos/consumer with its heap_4.c left out and cmake-freertos as its
    heap (target fw.elf renamed to the snippet's firmware), run on mps2-an385."""
    kernel = os.path.realpath(os.environ.get("RTHEAP_FREERTOS_DIR") or
                              os.path.join(ctx.root, "..", "shared", "freertos"))
    if not os.path.isfile(os.path.join(kernel, "tasks.c")):
        raise Skip(f"no FreeRTOS kernel at {kernel} (RTHEAP_FREERTOS_DIR)")
    d = ctx.fresh()
    fw = os.path.join(d, "firmware")
    os.makedirs(fw)
    src = os.path.join(ctx.root, "tests", "freertos", "consumer")
    shutil.copy(os.path.join(src, "main.c"), fw)
    text = open(os.path.join(src, "CMakeLists.txt"), encoding="utf-8").read()
    m = re.search(r'^if\(FREERTOS_HEAP STREQUAL "heap_4"\).*?^endif\(\)\n', text, re.M | re.S)
    if not m:
        raise SnippetError("tests/freertos/consumer/CMakeLists.txt: no heap_4/rtheap switch found")
    text = text[:m.start()] + "# ---- snippet ----\n" + ctx.text("cmake-freertos") + text[m.end():]
    with open(os.path.join(fw, "CMakeLists.txt"), "w", encoding="utf-8") as f:
        f.write(text.replace("fw.elf", "firmware"))
    build = os.path.join(d, "build")
    ctx.cmake_configure(fw, build, d, [f"-DRTHEAP_DIR={ctx.root}", f"-DFREERTOS_DIR={kernel}",
                                       "-DFREERTOS_HEAP=rtheap"])
    elf = os.path.join(build, "firmware")
    syms = ctx.nm(elf)
    if "rtheap_alloc" not in syms or "pvPortMalloc" not in syms or "prvInsertBlockIntoFreeList" in syms:
        raise SnippetError("pvPortMalloc is not rtheap's (rtheap_alloc missing or heap_4 linked)")
    out = ctx.qemu(elf, d)
    if "consumer[rtheap]: OK" not in out:
        raise SnippetError(f"unexpected output:\n{out}")


def t_sh_repo(ctx):
    """sh-repo, in a copy of the checkout: tools/demo.sh runs for real (the demo must
    check out); tools/test.sh is the command CI runs (.ci/run execs it, and this very test
    runs under it), so in the copy it is a stub that records how it was called."""
    with open(os.path.join(ctx.root, ".ci", "run"), encoding="utf-8") as f:
        if "exec tools/test.sh\n" not in f.read():
            raise SnippetError(".ci/run does not exec tools/test.sh: CI no longer runs it")
    top = ctx.copy()
    calls = os.path.join(top, "test.sh.calls")
    with open(os.path.join(top, "tools", "test.sh"), "w", encoding="utf-8") as f:
        f.write(f'#!/bin/sh\necho "tools/test.sh $*" >>"{calls}"\n')
    out = ctx.sh("sh-repo", top)
    if "heap check: OK" not in out:
        raise SnippetError(f"the demo did not end with `heap check: OK`:\n{out}")
    with open(calls, encoding="utf-8") as f:
        if f.read().split("\n")[0].strip() != "tools/test.sh":
            raise SnippetError("tools/test.sh was not run without arguments")


def t_sh_heapmap(ctx):
    """sh-heapmap in a copy of the checkout, after tools/demo.sh (as the guide says)."""
    top = ctx.copy()
    ctx.run(["tools/demo.sh"], top)
    ctx.sh("sh-heapmap", top)
    svg = os.path.join(top, "heapmap.svg")
    if not os.path.isfile(svg) or "<svg" not in open(svg, encoding="utf-8").read(4096):
        raise SnippetError("no heapmap.svg written")


def t_sh_aligned_util(ctx):
    """sh-aligned-util from a copy of the checkout: both builds print their mean."""
    if subprocess.run(["sh", "-c", "printf 'int main(void){return 0;}' | gcc -m32 -x c - -o /dev/null"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        raise Skip("gcc -m32 cannot link here (gcc-multilib)")
    top = ctx.copy()
    out = ctx.sh("sh-aligned-util", top)
    for v in ("0", "1"):
        if not re.search(rf"RTHEAP_ALIGNED_FIT={v}: utilization over 300 seeds: mean [0-9.]+ %", out):
            raise SnippetError(f"no mean printed for RTHEAP_ALIGNED_FIT={v}:\n{out}")


TESTS = {
    "c-api": t_c_api,
    "c-quickstart": t_with_quickstart,
    "c-quickstart-build": t_c_quickstart,
    "cmake-add-test": t_cmake_add_test,
    "cmake-add-subdirectory": t_cmake_add_subdirectory,
    "cmake-fetchcontent": t_cmake_fetchcontent,
    "cmake-install": t_cmake_install,
    "cmake-find-package": t_with_install,
    "cmake-find-package-build": t_with_install,
    "cmake-pkg-config": t_cmake_pkg_config,
    "cmake-libc": t_cmake_libc,
    "cmake-libc-nano": t_cmake_libc_nano,
    "cmake-freertos": t_cmake_freertos,
    "ld-cubemx": t_ld_cubemx,
    "ld-cortex-m-rt": t_ld_cortex_m_rt,
    "sh-repo": t_sh_repo,
    "sh-heapmap": t_sh_heapmap,
    "sh-aligned-util": t_sh_aligned_util,
}
# Snippets tested inside another one's test (the test that runs them).
RUN_BY = {
    "c-quickstart": "c-quickstart-build",
    "cmake-find-package": "cmake-install",
    "cmake-find-package-build": "cmake-install",
}


# ---- the documents themselves ----

LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)\)")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    h = heading.strip().lower()
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def anchors(path):
    found, seen = set(), {}
    inside = False
    for line in open(path, encoding="utf-8"):
        if line.lstrip().startswith("```"):
            inside = not inside
            continue
        m = None if inside else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            a = slug(m.group(1))
            n = seen.get(a, 0)
            seen[a] = n + 1
            found.add(a if n == 0 else f"{a}-{n}")
    return found


def prose(path):
    """(line number, text) of the lines outside fenced blocks, inline code removed."""
    inside = False
    for i, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.lstrip().startswith("```"):
            inside = not inside
            continue
        if not inside:
            yield i, re.sub(r"`[^`]*`", "", line)


def check_docs(top):
    """Problems of README.md and docs/*.md: broken relative links (file or heading),
    README.md over README_MAX bytes, issue numbers, source hashes."""
    problems = []
    for path in doc_files(top):
        name = os.path.relpath(path, top)
        for i, line in prose(path):
            for m in LINK.finditer(line):
                target = m.group(2)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue  # https:, mailto:
                file, _, anchor = target.partition("#")
                dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
                if not os.path.exists(dest):
                    problems.append(f"{name}:{i}: link to {target}: no such file")
                elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                    problems.append(f"{name}:{i}: link to {target}: no such heading in {file or name}")
        for i, line in enumerate(open(path, encoding="utf-8"), 1):
            if re.search(r"\bissues?\s*#?[0-9]", line, re.I):
                problems.append(f"{name}:{i}: an issue number: {line.strip()}")
            if re.search(r"\bsha-?1\b|\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{12,40}\b"
                         r"|\bcommit [0-9a-f]{7,40}\b", line, re.I):
                problems.append(f"{name}:{i}: a source hash: {line.strip()}")
    size = os.path.getsize(os.path.join(top, "README.md"))
    if size > README_MAX:
        problems.append(f"README.md: {size} bytes, more than {README_MAX}")
    return problems


# ---- negative controls: each snippet broken in turn ----

def mutate(lang, text):
    """The snippet with a line that must break it, by kind; the line carries BROKEN."""
    if lang in ("c", "h"):
        return f"#error {BROKEN}\n" + text
    if lang == "cmake":
        return f'message(FATAL_ERROR "{BROKEN}")\n' + text
    if lang == "ld":
        return f'ASSERT(0, "{BROKEN}");\n' + text
    if lang in ("sh", "bash", "console"):
        return f"echo {BROKEN} >&2; exit 1\n" + text
    raise SnippetError(f"no mutation for a ```{lang} snippet")


def mutations(root, top, snippets, wanted):
    passed = failed = 0
    for sid in wanted:
        lang, text, where = snippets[sid]
        try:
            broken = dict(snippets)
            broken[sid] = (lang, mutate(lang, text), where)
        except SnippetError as e:
            print(f"mutation[{sid}]: FAILED ({where}): {e}")
            failed += 1
            continue
        test = RUN_BY.get(sid, sid)
        t0 = time.monotonic()
        try:
            with fresh_folders():
                TESTS[test](Ctx(root, broken))
            print(f"mutation[{sid}]: FAILED ({where}): its test ({test}) passed with the snippet "
                  f"broken: the breakage went unnoticed")
            failed += 1
        except Skip as e:
            print(f"mutation[{sid}]: skipped ({e})")
        except (SnippetError, subprocess.TimeoutExpired, KeyError, OSError) as e:
            if BROKEN in str(e):
                print(f"mutation[{sid}]: OK, its test ({test}) failed on the broken snippet "
                      f"({time.monotonic() - t0:.1f} s)")
                passed += 1
            else:
                print(f"mutation[{sid}]: FAILED ({where}): its test ({test}) failed, but not "
                      f"because of the breakage:\n{e}")
                failed += 1
    # The link check must notice a broken link and a broken heading.
    d = tempfile.mkdtemp(prefix="rtheap-readme-links-")
    try:
        shutil.copytree(os.path.join(top, "docs"), os.path.join(d, "docs"))
        with open(os.path.join(top, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        with open(os.path.join(d, "README.md"), "w", encoding="utf-8") as f:
            f.write(readme + "\n[a](docs/no-such-guide.md) [b](docs/api.md#no-such-heading)\n")
        got = check_docs(d)
        if any("no-such-guide.md: no such file" in p for p in got) and \
           any("#no-such-heading: no such heading" in p for p in got):
            print("mutation[links]: OK, the link check reported the broken link and heading")
            passed += 1
        else:
            print(f"mutation[links]: FAILED: the link check missed a broken link: {got}")
            failed += 1
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return passed, failed


MADE = []  # the fresh folders this process made (another may run beside it)


def made(d):
    MADE.append(d)
    return d


class fresh_folders:
    """Removes the fresh folders a test made (unless RTHEAP_README_KEEP)."""

    def __enter__(self):
        del MADE[:]

    def __exit__(self, *exc):
        if not os.environ.get("RTHEAP_README_KEEP"):
            for d in MADE:
                shutil.rmtree(d, ignore_errors=True)
        del MADE[:]
        return False


def main(argv):
    args = argv[1:]
    mode = "test"
    if args and args[0] == "--mutations":
        mode = "mutations"
        args = args[1:]
    if not args:
        print(__doc__)
        return 2
    root = os.path.realpath(args[0])
    ids = args[1:]
    top = os.path.realpath(os.environ.get("RTHEAP_README_DOCS") or root)
    try:
        snippets = extract(top)
    except SnippetError as e:
        print(f"readme: FAILED: {e}")
        return 1
    mine = sorted(sid for sid in snippets if sid.startswith(MINE))
    passed = failed = 0
    if not ids:
        for sid in sorted(set(mine) | set(TESTS)):
            if sid not in snippets:
                print(f"readme[{sid}]: FAILED: no block marked <!-- snippet: {sid} --> "
                      "in README.md or docs/*.md")
                failed += 1
            elif sid not in TESTS:
                print(f"readme[{sid}]: FAILED: {snippets[sid][2]}: no test for this snippet")
                failed += 1
    wanted = [sid for sid in (ids or mine) if sid in snippets and sid in TESTS]
    for sid in ids:
        if sid not in wanted:
            print(f"readme[{sid}]: FAILED: not a tested snippet of README.md or docs/*.md")
            failed += 1
    if mode == "mutations":
        t0 = time.monotonic()
        p, f = mutations(root, top, snippets, wanted)
        print(f"mutations: {len(wanted)} snippets broken one at a time in "
              f"{time.monotonic() - t0:.0f} s")
        passed += p
        failed += f
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0
    if not ids:
        problems = check_docs(top)
        for problem in problems:
            print(f"readme[docs]: FAILED: {problem}")
        if problems:
            failed += 1
        else:
            print("readme[docs]: OK (links resolve, README.md within "
                  f"{README_MAX} bytes, no issue numbers, no source hashes)")
            passed += 1
    for sid in wanted:
        t0 = time.monotonic()
        try:
            with fresh_folders():
                TESTS[sid](Ctx(root, snippets))
            print(f"readme[{sid}]: OK ({snippets[sid][2]}, {time.monotonic() - t0:.1f} s)")
            passed += 1
        except Skip as e:
            print(f"readme[{sid}]: skipped ({snippets[sid][2]}): {e}")
        except (SnippetError, subprocess.TimeoutExpired, KeyError, OSError) as e:
            print(f"readme[{sid}]: FAILED ({snippets[sid][2]}): {e}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
