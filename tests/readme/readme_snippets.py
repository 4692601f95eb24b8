#!/usr/bin/env python3
"""README snippet test (issue 14): the C, CMake and linker snippets run as written.

A fenced code block in README.md preceded by a line `<!-- snippet: ID -->` is tested.
This program handles the IDs starting with `c-`, `cmake-` and `ld-` (the Rust part has
its own test for `rust-`/`cargo-`): each is pasted into a fresh folder outside the
source tree (which holds the checkout as `rtheap`, and as `firmware/third_party/rtheap`
for add_subdirectory) and built, linked or run; `/path/to/rtheap` in a snippet stands
for the checkout's absolute path. Firmware runs on mps2-an385 under qemu-system-arm.
A marked ID without a test here, or a test whose ID is no longer marked, fails too.

    readme_snippets.py ROOT [ID...]       exit status 0 when every snippet passed

RTHEAP_README=<file> reads the snippets from another file (the negative control runs
a copy with the toolchain path of finding 4 made relative again: it must fail).
RTHEAP_README_KEEP=1 keeps the fresh folders for inspection.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

BOARD = "mps2-an385"
CPU = "cortex-m3"
CPU_FLAGS = ["-mcpu=cortex-m3", "-mthumb"]
MINE = ("c-", "cmake-", "ld-")
MARK = re.compile(r"^\s*<!-- snippet: ([A-Za-z0-9_.-]+) -->\s*$")
FENCE = re.compile(r"^(\s*)```([A-Za-z0-9_+-]*)\s*$")


class SnippetError(Exception):
    pass


def extract(readme):
    """{id: (lang, text, line)} for every marked fenced block."""
    lines = open(readme, encoding="utf-8").read().split("\n")
    snippets = {}
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        if not m:
            i += 1
            continue
        sid = m.group(1)
        f = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if not f:
            raise SnippetError(f"README.md:{i + 1}: snippet {sid}: no fenced block on the next line")
        indent, lang = f.group(1), f.group(2)
        body = []
        j = i + 2
        while j < len(lines) and lines[j].strip() != "```":
            line = lines[j]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            j += 1
        if j == len(lines):
            raise SnippetError(f"README.md:{i + 1}: snippet {sid}: unterminated block")
        if sid in snippets:
            raise SnippetError(f"README.md:{i + 1}: snippet {sid} marked twice")
        snippets[sid] = (lang, "\n".join(body) + "\n", i + 1)
        i = j + 1
    return snippets


class Ctx:
    def __init__(self, root, snippets):
        self.root = root
        self.snippets = snippets

    def text(self, sid):
        return self.snippets[sid][1].replace("/path/to/rtheap", self.root)

    def fresh(self):
        d = tempfile.mkdtemp(prefix="rtheap-readme-")
        os.symlink(self.root, os.path.join(d, "rtheap"))
        return d

    def run(self, cmd, cwd, shell=False, env=None):
        p = subprocess.run(cmd, cwd=cwd, shell=shell, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=300)
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


TESTS = {
    "c-api": t_c_api,
    "cmake-add-test": t_cmake_add_test,
    "cmake-add-subdirectory": t_cmake_add_subdirectory,
    "cmake-fetchcontent": t_cmake_fetchcontent,
    "cmake-install": t_cmake_install,
    "cmake-find-package": t_with_install,
    "cmake-find-package-build": t_with_install,
    "cmake-pkg-config": t_cmake_pkg_config,
    "cmake-libc": t_cmake_libc,
    "cmake-libc-nano": t_cmake_libc_nano,
    "ld-cubemx": t_ld_cubemx,
    "ld-cortex-m-rt": t_ld_cortex_m_rt,
}


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    root = os.path.realpath(argv[1])
    try:
        snippets = extract(os.environ.get("RTHEAP_README") or os.path.join(root, "README.md"))
    except SnippetError as e:
        print(f"readme: FAILED: {e}")
        return 1
    mine = [sid for sid in snippets if sid.startswith(MINE)]
    wanted = argv[2:] or mine
    passed = failed = 0
    for sid in sorted(set(mine) | set(TESTS)) if not argv[2:] else []:
        if sid not in snippets:
            print(f"readme[{sid}]: FAILED: no block marked <!-- snippet: {sid} --> in README.md")
            failed += 1
        elif sid not in TESTS:
            print(f"readme[{sid}]: FAILED: README.md:{snippets[sid][2]}: no test for this snippet")
            failed += 1
    keep = os.environ.get("RTHEAP_README_KEEP")
    for sid in wanted:
        if sid not in snippets or sid not in TESTS:
            continue
        made = set(os.listdir(tempfile.gettempdir()))
        try:
            TESTS[sid](Ctx(root, snippets))
            print(f"readme[{sid}]: OK (README.md:{snippets[sid][2]})")
            passed += 1
        except (SnippetError, subprocess.TimeoutExpired, KeyError, OSError) as e:
            print(f"readme[{sid}]: FAILED (README.md:{snippets[sid][2]}): {e}")
            failed += 1
        finally:
            if not keep:
                for n in set(os.listdir(tempfile.gettempdir())) - made:
                    if n.startswith("rtheap-readme-"):
                        shutil.rmtree(os.path.join(tempfile.gettempdir(), n), ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
