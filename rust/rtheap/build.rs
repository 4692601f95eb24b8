// SPDX-License-Identifier: MIT OR Apache-2.0
//! Links the C library `librtheap.a` into the firmware.
//!
//! Two ways, in this order:
//!
//! 1. `RTHEAP_LIB_DIR=<dir>`: a directory holding a prebuilt `librtheap.a` (for
//!    example `build/cortex-m3/src` of the project's CMake cross tree). Its Arm
//!    build attributes (`arm-none-eabi-readelf -A`) are checked against the Rust
//!    target: CPU architecture and float ABI must fit, or the build stops here
//!    with a message saying what was found and what is needed (instead of ld's
//!    "uses VFP register arguments" deep in rustc's linker output).
//! 2. Otherwise the library is built here, in `OUT_DIR`, from the C sources in
//!    `csrc/` (in the repository a symbolic link to `../../src`, which
//!    `cargo package` follows, so a packaged crate carries the sources): the
//!    files of the `rtheap` target in csrc/CMakeLists.txt (read, not run), with
//!    `arm-none-eabi-gcc` and `arm-none-eabi-ar` only: no CMake, no Ninja.
//!    CPU and float ABI come from the Rust target (table `TARGETS`, the same
//!    flags as the project's toolchain/cpu/*.cmake) or from `RTHEAP_CPU`.
//!
//! Variables: `RTHEAP_LIB_DIR`, `RTHEAP_CPU` (a name of `TARGETS`' second
//! column), `RTHEAP_CONFIG_HEADER` (a header with your `#define RTHEAP_...`
//! options, see src/rtheap_config.h), `RTHEAP_CFLAGS` (more C flags, space
//! separated), `RTHEAP_CC` / `RTHEAP_AR` / `RTHEAP_READELF` (the tools;
//! default `arm-none-eabi-gcc`, `-ar`, `-readelf`).
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A CPU the library can be built for: gcc flags, and what `readelf -A`
/// reports for objects built with them.
struct Cpu {
    name: &'static str,
    flags: &'static str,
    /// Tag_CPU_arch values a firmware for this CPU can link (its own and
    /// the architectures it is a superset of).
    archs: &'static [&'static str],
    /// Tag_ABI_VFP_args present ("VFP registers"): the hard-float ABI.
    hard_float: bool,
}

const V6M: &[&str] = &["v6-M", "v6S-M"];
const V7M: &[&str] = &["v6-M", "v6S-M", "v7"];
const V7EM: &[&str] = &["v6-M", "v6S-M", "v7", "v7E-M"];
const V8MBASE: &[&str] = &["v6-M", "v6S-M", "v8-M.baseline"];
const V8MMAIN: &[&str] = &["v6-M", "v6S-M", "v7", "v7E-M", "v8-M.baseline", "v8-M.mainline"];

/// The CPUs by name (toolchain/cpu/<name>.cmake has the same flags; cortex-m23
/// and cortex-m33f have no CMake tree).
const CPUS: &[Cpu] = &[
    Cpu { name: "cortex-m0", flags: "-mcpu=cortex-m0 -mthumb -mfloat-abi=soft", archs: V6M, hard_float: false },
    Cpu { name: "cortex-m3", flags: "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft", archs: V7M, hard_float: false },
    Cpu { name: "cortex-m4", flags: "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft", archs: V7EM, hard_float: false },
    Cpu {
        name: "cortex-m4f",
        flags: "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16",
        archs: V7EM,
        hard_float: true,
    },
    Cpu {
        name: "cortex-m7",
        flags: "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16",
        archs: V7EM,
        hard_float: true,
    },
    Cpu { name: "cortex-m23", flags: "-mcpu=cortex-m23 -mthumb -mfloat-abi=soft", archs: V8MBASE, hard_float: false },
    Cpu { name: "cortex-m33", flags: "-mcpu=cortex-m33 -mthumb -mfloat-abi=soft", archs: V8MMAIN, hard_float: false },
    Cpu {
        name: "cortex-m33f",
        flags: "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16",
        archs: V8MMAIN,
        hard_float: true,
    },
];

/// Rust target -> default CPU. The float ABI follows the target's ABI
/// (`eabihf` = floats in VFP registers); the FPU chosen for hard-float
/// targets is the smallest of the architecture (the C code uses no floats, so
/// it runs on larger FPUs too).
const TARGETS: &[(&str, &str)] = &[
    ("thumbv6m-none-eabi", "cortex-m0"),
    ("thumbv7m-none-eabi", "cortex-m3"),
    ("thumbv7em-none-eabi", "cortex-m4"),
    ("thumbv7em-none-eabihf", "cortex-m4f"),
    ("thumbv8m.base-none-eabi", "cortex-m23"),
    ("thumbv8m.main-none-eabi", "cortex-m33"),
    ("thumbv8m.main-none-eabihf", "cortex-m33f"),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for v in [
        "RTHEAP_LIB_DIR",
        "RTHEAP_CPU",
        "RTHEAP_CONFIG_HEADER",
        "RTHEAP_CFLAGS",
        "RTHEAP_CC",
        "RTHEAP_AR",
        "RTHEAP_READELF",
    ] {
        println!("cargo:rerun-if-env-changed={v}");
    }
    let target = env::var("TARGET").unwrap();
    let lib_dir = match env::var_os("RTHEAP_LIB_DIR") {
        Some(dir) if !dir.is_empty() => prebuilt(PathBuf::from(dir), &target),
        _ => build_from_sources(&cpu_for(&target)),
    };
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    println!("cargo:rustc-link-lib=static=rtheap");
}

fn fail(msg: String) -> ! {
    // A panic's message is what cargo shows of a failed build script.
    panic!("\n\nrtheap: {msg}\n\n")
}

fn tool(var: &str, default: &str) -> String {
    env::var(var).ok().filter(|s| !s.is_empty()).unwrap_or_else(|| default.into())
}

/// The CPU to build for (`RTHEAP_CPU`, else the target's).
fn cpu_for(target: &str) -> &'static Cpu {
    let names = || CPUS.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
    if let Some(name) = env::var("RTHEAP_CPU").ok().filter(|s| !s.is_empty()) {
        return CPUS
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| fail(format!("RTHEAP_CPU={name} is not one of {}", names())));
    }
    match TARGETS.iter().find(|(t, _)| *t == target) {
        Some((_, name)) => CPUS.iter().find(|c| c.name == *name).unwrap(),
        None => fail(format!(
            "no CPU known for the Rust target {target}; known targets: {}. Set RTHEAP_CPU to one \
             of {}, or RTHEAP_LIB_DIR to a directory with a prebuilt librtheap.a",
            TARGETS.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", "),
            names()
        )),
    }
}

/// The C sources: `csrc/` of the crate (packaged, or the link to `../../src`
/// in the repository), else `../../src` directly (a checkout whose symbolic
/// links were not kept).
fn sources() -> Option<PathBuf> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    [manifest.join("csrc"), manifest.join("../../src")]
        .into_iter()
        .find(|dir| dir.join("rtheap.h").is_file())
}

fn source_dir() -> PathBuf {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    sources().unwrap_or_else(|| fail(format!(
        "the C sources are neither in {} (a packaged crate) nor in {} (rust/rtheap of the \
         repository); set RTHEAP_LIB_DIR to a directory with a prebuilt librtheap.a",
        manifest.join("csrc").display(),
        manifest.join("../../src").display()
    )))
}

fn build_from_sources(cpu: &Cpu) -> PathBuf {
    let src = source_dir();
    println!("cargo:rerun-if-changed={}", src.display());
    let sources = library_sources(&src);
    if sources.is_empty() {
        fail(format!("no C sources in {}", src.display()));
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("rtheap");
    fs::create_dir_all(&out).unwrap();
    let cc = tool("RTHEAP_CC", "arm-none-eabi-gcc");
    let common = c_flags(cpu, &src);
    check_stats_layout(&cc, &common, true);
    let mut objects = Vec::new();
    for c in &sources {
        let obj = out.join(c.file_name().unwrap()).with_extension("o");
        let mut cmd = Command::new(&cc);
        cmd.args(&common).arg("-c").arg(c).arg("-o").arg(&obj);
        run(&mut cmd, &cc, "compile");
        objects.push(obj);
    }
    let lib = out.join("librtheap.a");
    let _ = fs::remove_file(&lib);
    let ar = tool("RTHEAP_AR", "arm-none-eabi-ar");
    let mut cmd = Command::new(&ar);
    cmd.arg("crs").arg(&lib).args(&objects);
    run(&mut cmd, &ar, "archive");
    out
}

/// The flags of the project's CMake Release build (top CMakeLists.txt,
/// toolchain/arm-none-eabi.cmake, src/CMakeLists.txt): -O2, sections for
/// --gc-sections, freestanding, no loops turned into memcpy/memset calls.
fn c_flags(cpu: &Cpu, src: &Path) -> Vec<String> {
    let mut flags: Vec<String> = cpu.flags.split(' ').map(String::from).collect();
    flags.extend(
        [
            "-std=gnu11",
            "-O2",
            "-DNDEBUG",
            "-ffunction-sections",
            "-fdata-sections",
            "-fno-delete-null-pointer-checks",
            "-ffreestanding",
            "-fno-tree-loop-distribute-patterns",
            "-Wall",
            "-Wextra",
        ]
        .map(String::from),
    );
    flags.push(format!("-I{}", src.display()));
    if let Some(h) = env::var("RTHEAP_CONFIG_HEADER").ok().filter(|s| !s.is_empty()) {
        println!("cargo:rerun-if-changed={h}");
        flags.push(format!("-DRTHEAP_CONFIG_HEADER=\"{h}\""));
    }
    if let Ok(extra) = env::var("RTHEAP_CFLAGS") {
        flags.extend(extra.split_whitespace().map(String::from));
    }
    flags
}

/// stats_layout.c asserts (at compile time) that rtheap_stats_t has the layout
/// the Rust `Stats` asserts: the C header and the crate cannot drift apart.
/// `required` false (a prebuilt library): skipped when there is no compiler.
fn check_stats_layout(cc: &str, flags: &[String], required: bool) {
    let file = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("stats_layout.c");
    println!("cargo:rerun-if-changed={}", file.display());
    let mut cmd = Command::new(cc);
    cmd.args(flags).arg("-fsyntax-only").arg(&file);
    if !required && Command::new(cc).arg("--version").output().is_err() {
        return;
    }
    run(&mut cmd, cc, "Stats layout check (stats_layout.c)");
}

/// The C files of the library: those of the CMake target `rtheap` in
/// src/CMakeLists.txt (`add_library(rtheap STATIC a.c b.c ...)`), the one list
/// of them, so that other C files that may appear in src/ (ports, front ends)
/// are not built into it. Without that list: every `*.c` of the directory.
fn library_sources(src: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = fs::read_dir(src)
        .unwrap_or_else(|e| fail(format!("cannot read {}: {e}", src.display())))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "c" || x == "h"))
        .collect();
    all.sort();
    for f in &all {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let cmake = src.join("CMakeLists.txt");
    println!("cargo:rerun-if-changed={}", cmake.display());
    let listed = fs::read_to_string(&cmake).ok().and_then(|text| {
        let start = text.find("add_library(rtheap STATIC")? + "add_library(rtheap STATIC".len();
        let end = start + text[start..].find(')')?;
        let files: Vec<PathBuf> = text[start..end]
            .lines()
            .map(|l| l.split('#').next().unwrap_or(""))
            .flat_map(str::split_whitespace)
            .map(|f| src.join(f))
            .collect();
        (!files.is_empty() && files.iter().all(|f| f.is_file())).then_some(files)
    });
    listed.unwrap_or_else(|| {
        println!(
            "cargo:warning=rtheap: no usable `add_library(rtheap STATIC ...)` list in {}; \
             compiling every C file of {}",
            cmake.display(),
            src.display()
        );
        all.into_iter().filter(|p| p.extension().is_some_and(|x| x == "c")).collect()
    })
}

fn run(cmd: &mut Command, tool: &str, what: &str) {
    // The tools' own messages go to cargo's build-script log (shown on failure).
    match cmd.status() {
        Ok(s) if s.success() => {}
        Ok(s) => fail(format!("{what} step failed ({s}): {cmd:?}")),
        Err(e) => fail(format!(
            "cannot run {tool} ({e}) for the {what} step: install the GNU Arm toolchain \
             (Debian: gcc-arm-none-eabi), or set RTHEAP_CC/RTHEAP_AR, or RTHEAP_LIB_DIR to a \
             directory with a prebuilt librtheap.a"
        )),
    }
}

fn prebuilt(dir: PathBuf, target: &str) -> PathBuf {
    let lib = dir.join("librtheap.a");
    if !lib.is_file() {
        fail(format!("RTHEAP_LIB_DIR={}: no librtheap.a there", dir.display()));
    }
    // Relink when the library is rebuilt.
    println!("cargo:rerun-if-changed={}", lib.display());
    check_archive(&lib, target);
    // The header the crate was written against, when the sources and gcc are here.
    if let (Some((_, name)), Some(src)) = (TARGETS.iter().find(|(t, _)| *t == target), sources()) {
        let cpu = CPUS.iter().find(|c| c.name == *name).unwrap();
        check_stats_layout(&tool("RTHEAP_CC", "arm-none-eabi-gcc"), &c_flags(cpu, &src), false);
    }
    dir
}

/// What `readelf -A` says of each member: (member, Tag_CPU_arch, hard float).
fn attributes(lib: &Path) -> Option<Vec<(String, String, bool)>> {
    let readelf = tool("RTHEAP_READELF", "arm-none-eabi-readelf");
    let out = match Command::new(&readelf).arg("-A").arg(lib).output() {
        Ok(o) if o.status.success() => o,
        Ok(o) => fail(format!(
            "{readelf} -A {} failed: {}",
            lib.display(),
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => {
            println!("cargo:warning=rtheap: cannot run {readelf} ({e}): {} not checked", lib.display());
            return None;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut members: Vec<(String, String, bool)> = Vec::new();
    let mut name = String::from("?");
    for line in text.lines().map(str::trim) {
        if let Some(file) = line.strip_prefix("File: ") {
            name = file.to_string();
        } else if line.starts_with("Attribute Section: aeabi") {
            members.push((name.clone(), String::new(), false));
        } else if let Some(last) = members.last_mut() {
            if let Some(arch) = line.strip_prefix("Tag_CPU_arch: ") {
                last.1 = arch.to_string();
            } else if line == "Tag_ABI_VFP_args: VFP registers" {
                last.2 = true;
            }
        }
    }
    Some(members)
}

/// Stops the build when the prebuilt archive cannot link into this target.
fn check_archive(lib: &Path, target: &str) {
    let Some(&(_, cpu_name)) = TARGETS.iter().find(|(t, _)| *t == target) else {
        println!("cargo:warning=rtheap: unknown target {target}: {} not checked", lib.display());
        return;
    };
    let cpu = CPUS.iter().find(|c| c.name == cpu_name).unwrap();
    let Some(members) = attributes(lib) else { return };
    let abi = |hard: bool| if hard { "hard-float (floats in VFP registers)" } else { "soft-float" };
    let rebuild = format!(
        "Rebuild it for {target} (a CMake cross tree with -DRTHEAP_CPU={}, i.e. {}), or unset \
         RTHEAP_LIB_DIR to let this crate build the library itself",
        cpu.name, cpu.flags
    );
    if members.is_empty() {
        fail(format!(
            "RTHEAP_LIB_DIR: {} holds no Arm objects (no Arm build attributes): it was not built \
             with arm-none-eabi-gcc. {rebuild}",
            lib.display()
        ));
    }
    for (member, arch, hard) in &members {
        if *hard != cpu.hard_float {
            fail(format!(
                "RTHEAP_LIB_DIR: {member} uses the {} ABI, but the Rust target {target} uses the \
                 {} ABI: the firmware would not link (\"uses VFP register arguments\"). {rebuild}",
                abi(*hard),
                abi(cpu.hard_float)
            ));
        }
        if !cpu.archs.contains(&arch.as_str()) {
            fail(format!(
                "RTHEAP_LIB_DIR: {member} is built for the Arm architecture {}, which the Rust \
                 target {target} cannot run (it runs {}). {rebuild}",
                if arch.is_empty() { "(none given)" } else { arch },
                cpu.archs.join(", ")
            ));
        }
    }
}
