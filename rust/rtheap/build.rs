// SPDX-License-Identifier: MIT OR Apache-2.0
//! Builds the C library `librtheap.a` and links it into the crate.
//!
//! In this order:
//!
//! 1. `RTHEAP_LIB_DIR=<dir>`: a `librtheap.a` built elsewhere (a CMake tree).
//!    Its members' Arm build attributes must fit the Rust target (CPU
//!    architecture, float ABI), or the build stops saying what was found.
//! 2. Otherwise the C sources of the crate (`csrc/`, the files of
//!    `add_library(rtheap ...)` in csrc/CMakeLists.txt) are compiled into
//!    `OUT_DIR` with the first C compiler found:
//!    - `RTHEAP_CC`, `CC_<target>` (as is, or with `-` and `.` as `_`),
//!      `TARGET_CC` (`HOST_CC` when building for the host), `CC`;
//!    - for Cortex-M targets `arm-none-eabi-gcc`, then `clang` (given
//!      `--target=<the Rust target>`), on PATH;
//!    - for other targets (the host: `cargo test`, `cargo doc`) `cc`, `gcc`,
//!      `clang`.
//!
//!    Cargo's profile decides the optimisation (`OPT_LEVEL`: 0..3, `s` and `z`
//!    give `-Os`) and debug information (`DEBUG` → `-g`); `CFLAGS_<target>`,
//!    `TARGET_CFLAGS`, `CFLAGS` and then `RTHEAP_CFLAGS` come after the
//!    crate's flags, so they can override them. The archive is written here
//!    (no `ar` needed) unless `RTHEAP_AR`, `AR_<target>`, `TARGET_AR` or `AR`
//!    names an archiver.
//! 3. A Cortex-M target and no C compiler at all: the archive the crate
//!    carries for the target (`prebuilt/<target>/librtheap.a`: default
//!    configuration, `-Os`, no debug information), said in a cargo warning.
//!    Only when nothing asks for a build of its own (`RTHEAP_CONFIG_HEADER`,
//!    `RTHEAP_CPU`, C flags, the features `spin-lock` and `user-lock`).
//!
//! `RTHEAP_CONFIG_HEADER` (your `#define RTHEAP_...` options, see
//! csrc/rtheap_config.h) and `RTHEAP_CPU` (a name of the table `CPUS`) shape
//! the build. A configuration without a lock (`RTHEAP_LOCK_NONE`) is refused
//! unless the crate's feature `unsafe-no-lock` is on: the Rust heaps are
//! `Sync`, which only a lock makes true.
//!
//! The features `spin-lock` and `user-lock` choose one of the multi-core
//! locks (`-DRTHEAP_LOCK_SPIN=1`, `-DRTHEAP_LOCK_USER=1` on every C file).
//! Refused: both at once, either with `unsafe-no-lock`, `spin-lock` on
//! Armv6-M (no exclusive accesses) or on a target that is not Cortex-M, and
//! either without a C compiler (the prebuilt archives have the default
//! lock; see `no_compiler`). With `RTHEAP_LIB_DIR`, the archive must have
//! been built with the lock the feature names (its symbols say so).
//!
//! A failure is one message on stderr (what was tried, how to fix it) and exit
//! status 1, never a panic.
#[path = "build/archive.rs"]
mod archive;

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A Cortex-M CPU the library can be built for: compiler flags (gcc and
/// clang take the same), and what the objects' Arm build attributes say.
struct Cpu {
    name: &'static str,
    flags: &'static str,
    /// Tag_CPU_arch values a firmware for this CPU can link (its own and
    /// the architectures it is a superset of).
    archs: &'static [&'static str],
    /// Tag_ABI_VFP_args is "VFP registers": the hard-float ABI.
    hard_float: bool,
}

impl Cpu {
    /// The architecture its code is built for (the newest of `archs`).
    fn arch(&self) -> &'static str {
        self.archs.last().copied().unwrap_or("")
    }
}

const V6M: &[&str] = &["v6-M", "v6S-M"];
const V7M: &[&str] = &["v6-M", "v6S-M", "v7"];
const V7EM: &[&str] = &["v6-M", "v6S-M", "v7", "v7E-M"];
const V8MBASE: &[&str] = &["v6-M", "v6S-M", "v8-M.baseline"];
const V8MMAIN: &[&str] = &["v6-M", "v6S-M", "v7", "v7E-M", "v8-M.baseline", "v8-M.mainline"];
/// Armv8.1-M Mainline (Cortex-M55, Cortex-M85): Rust's thumbv8m.main targets
/// are what a firmware for one uses; `RTHEAP_CPU` says the core is newer.
const V81MMAIN: &[&str] =
    &["v6-M", "v6S-M", "v7", "v7E-M", "v8-M.baseline", "v8-M.mainline", "v8.1-M.mainline"];

/// The CPUs by name (toolchain/cpu/<name>.cmake of the repository has the
/// same flags, but for `+nodsp`; cortex-m23 and cortex-m33f have no CMake
/// tree). The Cortex-M33's DSP extension is optional, and Rust's thumbv8m.main
/// targets do not assume it (QEMU's AN521 CPU0 has none): its code is built
/// without it (`+nodsp`), which clang would otherwise use.
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
    Cpu { name: "cortex-m33", flags: "-mcpu=cortex-m33+nodsp -mthumb -mfloat-abi=soft", archs: V8MMAIN, hard_float: false },
    Cpu {
        name: "cortex-m33f",
        flags: "-mcpu=cortex-m33+nodsp -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16",
        archs: V8MMAIN,
        hard_float: true,
    },
    // The Cortex-M55's vector extension (MVE) and FPU are options of the chip:
    // the code uses neither (but the FPU's registers for the hard-float ABI).
    Cpu {
        name: "cortex-m55",
        flags: "-mcpu=cortex-m55+nomve+nofp -mthumb -mfloat-abi=soft",
        archs: V81MMAIN,
        hard_float: false,
    },
    Cpu { name: "cortex-m55f", flags: "-mcpu=cortex-m55+nomve -mthumb -mfloat-abi=hard", archs: V81MMAIN, hard_float: true },
];

/// Rust target -> default CPU. The float ABI follows the target's
/// (`eabihf`: floats in VFP registers); hard-float targets get the smallest
/// FPU of the architecture (the C code uses no floats, so it runs on larger
/// ones too). These are the targets with a prebuilt archive.
const TARGETS: &[(&str, &str)] = &[
    ("thumbv6m-none-eabi", "cortex-m0"),
    ("thumbv7m-none-eabi", "cortex-m3"),
    ("thumbv7em-none-eabi", "cortex-m4"),
    ("thumbv7em-none-eabihf", "cortex-m4f"),
    ("thumbv8m.base-none-eabi", "cortex-m23"),
    ("thumbv8m.main-none-eabi", "cortex-m33"),
    ("thumbv8m.main-none-eabihf", "cortex-m33f"),
];

/// The crate's flags for every compiler: those of the repository's CMake
/// build (sections for --gc-sections, freestanding, no assertions).
const COMMON_FLAGS: &[&str] = &[
    "-std=gnu11",
    "-ffunction-sections",
    "-fdata-sections",
    "-fno-delete-null-pointer-checks",
    "-ffreestanding",
    "-DNDEBUG",
    "-Wall",
    "-Wextra",
];

/// A failure: the message build.rs prints before exiting with status 1.
type Fail = String;

/// What build.rs tells cargo. Held back until the end: on a failure only the
/// message is shown, not a page of `rerun-if` lines.
#[derive(Default)]
struct Cargo {
    lines: Vec<String>,
}

impl Cargo {
    fn say(&mut self, line: String) {
        self.lines.push(line);
    }
    fn rerun_if_changed(&mut self, path: &Path) {
        self.say(format!("cargo:rerun-if-changed={}", path.display()));
    }
    fn warning(&mut self, text: String) {
        self.say(format!("cargo:warning={text}"));
    }
    /// An environment variable (empty counts as unset), watched by cargo.
    fn var(&mut self, name: &str) -> Option<String> {
        self.say(format!("cargo:rerun-if-env-changed={name}"));
        env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

fn main() {
    let mut cargo = Cargo::default();
    match run(&mut cargo) {
        Ok(()) => {
            for line in &cargo.lines {
                println!("{line}");
            }
        }
        Err(msg) => {
            eprintln!("\nerror: rtheap: {msg}\n");
            std::process::exit(1);
        }
    }
}

/// Cargo's variables, always set for a build script.
fn cargo_env(name: &str) -> String {
    env::var(name).unwrap_or_default()
}

fn run(cargo: &mut Cargo) -> Result<(), Fail> {
    let target = cargo_env("TARGET");
    let host = cargo_env("HOST");
    let manifest = PathBuf::from(cargo_env("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(cargo_env("OUT_DIR"));
    cargo.rerun_if_changed(&manifest.join("build.rs"));
    cargo.rerun_if_changed(&manifest.join("build"));
    // The compilers are looked up on PATH: a newly installed one is used.
    cargo.var("PATH");

    let cpu = cpu_for(cargo, &target)?;
    let lock = lock_feature(&target, cpu)?;
    if cpu.is_some() {
        // The crate's linker scripts (rtheap.x, rtheap-cortex-m.ld) for -T.
        cargo.say(format!("cargo:rustc-link-search=native={}", manifest.join("link").display()));
    }
    let lib_dir = match cargo.var("RTHEAP_LIB_DIR") {
        Some(dir) => {
            // Nothing is compiled: options for a build of the crate's own do nothing.
            for name in ["RTHEAP_CONFIG_HEADER", "RTHEAP_CFLAGS"] {
                if cargo.var(name).is_some() {
                    cargo.warning(format!(
                        "rtheap: {name} is not used with RTHEAP_LIB_DIR: the library there has the \
                         options it was built with"
                    ));
                }
            }
            given_library(cargo, Path::new(&dir), &target, cpu, lock)?
        }
        None => build_library(cargo, &manifest, &out, &target, &host, cpu, lock)?,
    };
    cargo.say(format!("cargo:rustc-link-search=native={}", lib_dir.display()));
    cargo.say("cargo:rustc-link-lib=static=rtheap".into());
    Ok(())
}

/// The Cortex-M CPU to build for (`RTHEAP_CPU`, else the target's); `None`
/// for a target that is not Cortex-M (the host).
fn cpu_for(cargo: &mut Cargo, target: &str) -> Result<Option<&'static Cpu>, Fail> {
    let names = || CPUS.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
    if let Some(name) = cargo.var("RTHEAP_CPU") {
        let name = name.trim();
        let Some(cpu) = CPUS.iter().find(|c| c.name == name) else {
            return Err(format!("RTHEAP_CPU={name} is not one of {}", names()));
        };
        let Some(own) = target_cpu(target) else { return Ok(Some(cpu)) };
        // The target's float ABI (the firmware would not link with another) and
        // code the target's CPUs run (an M0 faults on Armv7-M code).
        if cpu.hard_float != own.hard_float || !runs_on(cpu, own) {
            return Err(format!(
                "RTHEAP_CPU={name} builds {} code for the {} ABI, which the Rust target {target} \
                 (the {} ABI, {} code) cannot use: name one of {}",
                cpu.arch(),
                float_abi(cpu.hard_float),
                float_abi(own.hard_float),
                own.arch(),
                fitting_cpus(own)
            ));
        }
        return Ok(Some(cpu));
    }
    Ok(target_cpu(target))
}

/// The CPU a Rust target builds for by default (`None`: not Cortex-M).
fn target_cpu(target: &str) -> Option<&'static Cpu> {
    TARGETS
        .iter()
        .find(|(t, _)| *t == target)
        .map(|(_, name)| CPUS.iter().find(|c| c.name == *name).expect("TARGETS names a CPU"))
}

/// Whether code built for `cpu` runs where the target's CPU `own` does: its
/// architecture is one `own` runs, or Armv8.1-M Mainline on an Armv8-M
/// Mainline target (a Cortex-M55's firmware is a thumbv8m.main one).
fn runs_on(cpu: &Cpu, own: &Cpu) -> bool {
    let arch = cpu.arch();
    own.archs.contains(&arch) || (arch == "v8.1-M.mainline" && own.archs == V8MMAIN)
}

/// The CPUs RTHEAP_CPU may name for a target whose own CPU is `own`.
fn fitting_cpus(own: &Cpu) -> String {
    CPUS.iter().filter(|c| c.hard_float == own.hard_float && runs_on(c, own)).map(|c| c.name).collect::<Vec<_>>().join(", ")
}

/// A float ABI as the messages name it.
fn float_abi(hard: bool) -> &'static str {
    if hard {
        "hard-float (floats in VFP registers)"
    } else {
        "soft-float"
    }
}

/// The lock the crate's features choose for the C library.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lock {
    /// No feature: the configuration's lock (PRIMASK by default on Cortex-M).
    Configured,
    /// `spin-lock`: `RTHEAP_LOCK_SPIN`.
    Spin,
    /// `user-lock`: `RTHEAP_LOCK_USER`.
    User,
}

impl Lock {
    /// The feature's name and the C definition it adds.
    fn feature(self) -> Option<(&'static str, &'static str)> {
        match self {
            Lock::Configured => None,
            Lock::Spin => Some(("spin-lock", "RTHEAP_LOCK_SPIN")),
            Lock::User => Some(("user-lock", "RTHEAP_LOCK_USER")),
        }
    }
}

/// Whether cargo enabled one of this crate's features (`name` as in Cargo.toml).
/// Not watched with rerun-if-env-changed: cargo reruns the script for new
/// features itself.
fn has_feature(name: &str) -> bool {
    env::var_os(format!("CARGO_FEATURE_{}", name.to_uppercase().replace('-', "_"))).is_some()
}

/// The lock of the features, refused where it cannot work.
fn lock_feature(target: &str, cpu: Option<&Cpu>) -> Result<Lock, Fail> {
    let (spin, user) = (has_feature("spin-lock"), has_feature("user-lock"));
    // Cargo unifies features over the whole build: a feature the firmware did not
    // ask for may come from another crate that depends on rtheap.
    let unified = "(cargo enables a feature for the whole build when any crate asks for it: \
                   `cargo tree -e features -i rtheap` shows which one did)";
    if spin && user {
        return Err(format!(
            "the features `spin-lock` and `user-lock` each choose the lock of every rtheap heap: \
             enable one of them {unified}"
        ));
    }
    let lock = if spin {
        Lock::Spin
    } else if user {
        Lock::User
    } else {
        return Ok(Lock::Configured);
    };
    let (name, _) = lock.feature().expect("a feature");
    if has_feature("unsafe-no-lock") {
        return Err(format!(
            "the feature `unsafe-no-lock` says rtheap runs without a lock, and the feature `{name}` \
             chooses one: enable one of them {unified}"
        ));
    }
    if lock == Lock::Spin {
        match cpu {
            Some(cpu) if cpu.archs == V6M => {
                return Err(format!(
                    "the feature `spin-lock` needs exclusive accesses (LDREX/STREX), which Armv6-M \
                     ({target}, {}) does not have: use the feature `user-lock` and define \
                     rtheap_user_lock_acquire/rtheap_user_lock_release over the chip's hardware \
                     lock (RP2040: an SIO spinlock), see the crate documentation",
                    cpu.name
                ))
            }
            Some(_) => {}
            None => {
                return Err(format!(
                    "the feature `spin-lock` is a Cortex-M spinlock, and {target} is not a Cortex-M \
                     target: build for the firmware's thumbv7m/v7em/v8m target (on the host, leave \
                     the feature off)"
                ))
            }
        }
    }
    Ok(lock)
}

/// The C sources: `csrc/` of the crate (packaged, or the link to `../../src`
/// in the repository), else `../../src` (a checkout whose links were lost).
fn source_dir(manifest: &Path) -> Result<PathBuf, Fail> {
    [manifest.join("csrc"), manifest.join("../../src")]
        .into_iter()
        .find(|dir| dir.join("rtheap.h").is_file())
        .ok_or_else(|| {
            format!(
                "the C sources are neither in {} (a packaged crate) nor in {} (rust/rtheap of \
                 the repository); set RTHEAP_LIB_DIR to a directory with a librtheap.a",
                manifest.join("csrc").display(),
                manifest.join("../../src").display()
            )
        })
}

/// The C files of the library: those of `add_library(rtheap STATIC ...)` in
/// csrc/CMakeLists.txt, the one list of them (other C files of csrc/ are
/// front ends built elsewhere). Without that list: every `*.c` of csrc/.
fn library_sources(cargo: &mut Cargo, src: &Path) -> Result<Vec<PathBuf>, Fail> {
    let mut all: Vec<PathBuf> = fs::read_dir(src)
        .map_err(|e| format!("cannot read {}: {e}", src.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c" || x == "h"))
        .collect();
    all.sort();
    for f in &all {
        cargo.rerun_if_changed(f);
    }
    cargo.rerun_if_changed(&src.join("core"));
    if let Ok(dir) = fs::read_dir(src.join("core")) {
        for e in dir.filter_map(Result::ok) {
            cargo.rerun_if_changed(&e.path());
        }
    }
    let cmake = src.join("CMakeLists.txt");
    cargo.rerun_if_changed(&cmake);
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
    let mut files = listed.unwrap_or_else(|| all.into_iter().filter(|p| p.extension().is_some_and(|x| x == "c")).collect());
    files.sort();
    if files.is_empty() {
        return Err(format!("no C sources in {}", src.display()));
    }
    Ok(files)
}

/// A compiler or archiver command: the program and the arguments that came
/// with it (`CC="ccache arm-none-eabi-gcc"`, `CC="clang --target=..."`).
#[derive(Clone)]
struct Tool {
    program: String,
    args: Vec<String>,
    /// Where it came from, for messages (`CC`, `PATH`).
    origin: String,
}

impl Tool {
    fn parse(value: &str, origin: String) -> Tool {
        let mut words = value.split_whitespace().map(String::from);
        let program = words.next().unwrap_or_default();
        Tool { program, args: words.collect(), origin }
    }
    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args);
        c
    }
    fn describe(&self) -> String {
        let mut s = self.program.clone();
        for a in &self.args {
            s.push(' ');
            s.push_str(a);
        }
        format!("`{s}` ({})", self.origin)
    }
}

/// The variables naming a tool for `target`, in the order Rust build scripts
/// read them (cc-rs's): `<NAME>_<target>`, `<NAME>_<target_with_underscores>`,
/// `TARGET_<NAME>` or `HOST_<NAME>`, `<NAME>`; `RTHEAP_<NAME>` first.
fn tool_vars(name: &str, target: &str, host: &str) -> Vec<String> {
    let kind = if target == host { "HOST" } else { "TARGET" };
    vec![
        format!("RTHEAP_{name}"),
        format!("{name}_{target}"),
        format!("{name}_{}", target.replace(['-', '.'], "_")),
        format!("{kind}_{name}"),
        name.to_string(),
    ]
}

/// The first of `vars` that is set, as a tool.
fn tool_from_env(cargo: &mut Cargo, vars: &[String]) -> Option<Tool> {
    let mut found = None;
    // Every variable is read, so that cargo watches them all.
    for v in vars {
        if let Some(value) = cargo.var(v) {
            found = found.or(Some(Tool::parse(&value, v.clone())));
        }
    }
    found
}

/// `program` as found on PATH (a path with a directory is taken as it is).
fn on_path(program: &str) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    let path = env::var_os("PATH")?;
    env::split_paths(&path).map(|dir| dir.join(program)).find(|f| is_executable(f))
}

#[cfg(unix)]
fn is_executable(f: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(f).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(f: &Path) -> bool {
    f.is_file() || f.with_extension("exe").is_file()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Gcc,
    Clang,
}

/// A C compiler that was found, and what it is.
struct Compiler {
    tool: Tool,
    kind: Kind,
}

fn output(cmd: &mut Command) -> Result<Output, String> {
    cmd.output().map_err(|e| e.to_string())
}

/// What the compiler predefines (`-dM -E` of an empty file), with `extra`
/// arguments; Err: it could not be run, or failed.
fn predefined(tool: &Tool, extra: &[String], scratch: &Path) -> Result<String, String> {
    let empty = scratch.join("rtheap-empty.c");
    fs::write(&empty, "").map_err(|e| e.to_string())?;
    let out = output(tool.command().args(extra).arg("-dM").arg("-E").arg(&empty))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The compiler's kind, or why it cannot be used.
fn identify(tool: &Tool, scratch: &Path) -> Result<Kind, String> {
    let macros = predefined(tool, &[], scratch)?;
    if macros.contains("#define __clang__ ") {
        Ok(Kind::Clang)
    } else if macros.contains("#define __GNUC__ ") {
        Ok(Kind::Gcc)
    } else {
        Err("neither GCC nor clang (the crate's flags are theirs)".into())
    }
}

/// The C compiler for `target`: the first variable set, else the first found
/// on PATH. `Ok(None)`: none at all (and `tried` says what was looked for).
fn find_compiler(
    cargo: &mut Cargo,
    target: &str,
    host: &str,
    cortex_m: bool,
    scratch: &Path,
    tried: &mut Vec<String>,
) -> Result<Option<Compiler>, Fail> {
    let vars = tool_vars("CC", target, host);
    if let Some(tool) = tool_from_env(cargo, &vars) {
        // Asked for by name: it must work.
        return match identify(&tool, scratch) {
            Ok(kind) => Ok(Some(Compiler { tool, kind })),
            Err(why) => Err(format!(
                "the C compiler {} cannot be used: {why}; set {} to arm-none-eabi-gcc or clang, \
                 or unset it to let the crate look for one",
                tool.describe(),
                tool.origin
            )),
        };
    }
    tried.push(format!("the variables {}", vars.join(", ")));
    let candidates: &[&str] = if cortex_m { &["arm-none-eabi-gcc", "clang"] } else { &["cc", "gcc", "clang"] };
    for name in candidates {
        tried.push(name.to_string());
        if let Some(path) = on_path(name) {
            let tool = Tool { program: path.display().to_string(), args: Vec::new(), origin: "PATH".into() };
            match identify(&tool, scratch) {
                Ok(kind) => return Ok(Some(Compiler { tool, kind })),
                Err(why) => cargo.warning(format!("rtheap: {} found but unusable ({why})", path.display())),
            }
        }
    }
    Ok(None)
}

/// Flags of the C build for this target, compiler and profile (without the
/// user's flags).
fn crate_flags(cc: &Compiler, target: &str, cpu: Option<&Cpu>, src: &Path, opt_level: &str, debug: bool) -> Vec<String> {
    let mut flags: Vec<String> = Vec::new();
    if let Some(cpu) = cpu {
        let has_target = cc.tool.args.iter().any(|a| a.starts_with("--target") || a == "-target");
        if cc.kind == Kind::Clang && !has_target {
            flags.push(format!("--target={target}"));
        }
        flags.extend(cpu.flags.split(' ').map(String::from));
    } else if !target.contains("windows") {
        // Host: rustc links position-independent executables.
        flags.push("-fPIC".into());
    }
    flags.extend(COMMON_FLAGS.iter().map(|s| s.to_string()));
    if cc.kind == Kind::Gcc {
        // GCC turns copy and fill loops into memcpy/memset calls; the core is
        // freestanding and calls nothing. (clang has no such option; its calls,
        // if any, resolve to compiler_builtins.)
        flags.push("-fno-tree-loop-distribute-patterns".into());
    }
    flags.push(
        match opt_level {
            "0" => "-O0",
            "1" => "-O1",
            "3" => "-O3",
            "s" | "z" => "-Os",
            _ => "-O2",
        }
        .into(),
    );
    if debug {
        flags.push("-g".into());
        if cc.kind == Kind::Clang {
            // The flags in DW_AT_producer, as GCC records them by default: the
            // debugger (and a test) can tell how the objects were built.
            flags.push("-grecord-command-line".into());
        }
    }
    flags.push(format!("-I{}", src.display()));
    flags
}

/// The user's C flags for `target` (`CFLAGS_<target>`, `TARGET_CFLAGS` or
/// `HOST_CFLAGS`, `CFLAGS`, then `RTHEAP_CFLAGS`), and the config header
/// as a definition. The variable names are listed for messages.
fn user_flags(cargo: &mut Cargo, target: &str, host: &str) -> (Vec<String>, Vec<String>) {
    let kind = if target == host { "HOST" } else { "TARGET" };
    let vars = [
        "CFLAGS".to_string(),
        format!("{kind}_CFLAGS"),
        format!("CFLAGS_{}", target.replace(['-', '.'], "_")),
        format!("CFLAGS_{target}"),
        "RTHEAP_CFLAGS".to_string(),
    ];
    let mut flags = Vec::new();
    let mut set = Vec::new();
    for v in vars {
        if let Some(value) = cargo.var(&v) {
            flags.extend(value.split_whitespace().map(String::from));
            set.push(v);
        }
    }
    (flags, set)
}

fn build_library(
    cargo: &mut Cargo,
    manifest: &Path,
    out: &Path,
    target: &str,
    host: &str,
    cpu: Option<&'static Cpu>,
    lock: Lock,
) -> Result<PathBuf, Fail> {
    let src = source_dir(manifest)?;
    let sources = library_sources(cargo, &src)?;
    let work = out.join("rtheap");
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    // An archive of an earlier run must not outlive a run that links another.
    let _ = fs::remove_file(work.join("librtheap.a"));
    let config = cargo.var("RTHEAP_CONFIG_HEADER");
    let (mut extra, flag_vars) = user_flags(cargo, target, host);
    if let Some(h) = &config {
        if Path::new(h).is_relative() {
            // The compiler would look for it next to the C sources, in the
            // crate's own folder, not the firmware's.
            return Err(format!(
                "RTHEAP_CONFIG_HEADER={h} is a relative path, which the C compiler would look \
                 for beside the crate's sources ({}): give an absolute path",
                src.display()
            ));
        }
        cargo.rerun_if_changed(Path::new(h));
        extra.push(format!("-DRTHEAP_CONFIG_HEADER=\"{h}\""));
    }
    let cpu_set = env::var("RTHEAP_CPU").is_ok_and(|v| !v.trim().is_empty());
    let mut tried = Vec::new();
    let cc = match find_compiler(cargo, target, host, cpu.is_some(), &work, &mut tried)? {
        Some(cc) => cc,
        None => {
            return no_compiler(cargo, manifest, target, cpu, config.as_deref(), &flag_vars, cpu_set, lock, &tried)
        }
    };
    let opt_level = cargo_env("OPT_LEVEL");
    let debug = !matches!(cargo_env("DEBUG").as_str(), "" | "false" | "0" | "none");
    let mut flags = crate_flags(&cc, target, cpu, &src, &opt_level, debug);
    // Before the user's flags, like every option the crate sets.
    if let Some((_, define)) = lock.feature() {
        flags.push(format!("-D{define}=1"));
    }
    flags.extend(extra);

    check_configuration(cargo, &cc, &flags, &work, target, cpu, config.as_deref(), lock, &flag_vars)?;
    check_stats_layout(cargo, &cc, &flags, manifest, &work, &flag_vars)?;

    let mut objects = Vec::new();
    for c in &sources {
        let obj = work.join(c.file_name().unwrap_or_default()).with_extension("o");
        let mut cmd = cc.tool.command();
        cmd.args(&flags).arg("-c").arg(c).arg("-o").arg(&obj);
        let res = output(&mut cmd).map_err(|e| format!("cannot run the C compiler {}: {e}", cc.tool.describe()))?;
        if !res.status.success() {
            return Err(format!(
                "the C compiler {} failed on {}:\n{}\n{}\nrtheap: fix the flags above (C flags from {}), \
                 or pick another compiler with CC_{}",
                cc.tool.describe(),
                c.display(),
                shell_line(&cmd),
                String::from_utf8_lossy(&res.stderr).trim_end(),
                if flag_vars.is_empty() { "none of CFLAGS*/RTHEAP_CFLAGS".to_string() } else { flag_vars.join(", ") },
                target.replace(['-', '.'], "_")
            ));
        }
        objects.push(obj);
    }
    let lib = work.join("librtheap.a");
    write_library(cargo, &objects, &lib, target, host)?;
    if let Some(cpu) = cpu {
        let rebuild = format!(
            "The crate built it with {} (RTHEAP_CPU={}){}: drop the flags that choose another \
             CPU or float ABI, or name the CPU with RTHEAP_CPU (one of {})",
            cpu.flags,
            cpu.name,
            if flag_vars.is_empty() { String::new() } else { format!(" and then {}", flag_vars.join(", ")) },
            target_cpu(target).map(fitting_cpus).unwrap_or_default()
        );
        check_archive(&lib, target, cpu, &format!("the compiler {}", cc.tool.describe()), &rebuild)?;
    }
    Ok(work)
}

/// The command as a shell line, for a message the user can rerun.
fn shell_line(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            let _ = write!(s, " '{}'", a.replace('\'', r"'\''"));
        } else {
            let _ = write!(s, " {a}");
        }
    }
    s
}

/// No C compiler: the prebuilt archive of the target, when it fits the
/// request; else the message with everything that was tried.
#[allow(clippy::too_many_arguments)]
fn no_compiler(
    cargo: &mut Cargo,
    manifest: &Path,
    target: &str,
    cpu: Option<&Cpu>,
    config: Option<&str>,
    flag_vars: &[String],
    cpu_set: bool,
    lock: Lock,
    tried: &[String],
) -> Result<PathBuf, Fail> {
    let tried = tried.join(", ");
    let Some(cpu) = cpu else {
        return Err(format!(
            "no C compiler for {target} (tried {tried}): install one (Debian: gcc), or set CC_{} \
             to a C compiler for {target}",
            target.replace(['-', '.'], "_")
        ));
    };
    let fixes = format!(
        "install arm-none-eabi-gcc (Debian: gcc-arm-none-eabi) or clang, set CC_{} to a C \
         compiler for Arm, or RTHEAP_LIB_DIR to a directory with a librtheap.a you built",
        target.replace(['-', '.'], "_")
    );
    let mut custom = Vec::new();
    // The prebuilt archives have the default lock only: a multi-core lock is a
    // configuration of its own, like a config header. Variants for both locks would
    // be 13 more archives (6 targets with exclusives, 7 for the user lock), nearly
    // three times the 197 KB of archives the package carries, for a choice any other
    // option already needs a C compiler for; RTHEAP_LIB_DIR takes a library built
    // elsewhere.
    if let Some((name, _)) = lock.feature() {
        custom.push(format!("the feature `{name}`"));
    }
    if let Some(h) = config {
        custom.push(format!("RTHEAP_CONFIG_HEADER={h}"));
    }
    if cpu_set {
        custom.push(format!("RTHEAP_CPU={}", cpu.name));
    }
    custom.extend(flag_vars.iter().cloned());
    let dir = manifest.join("prebuilt").join(target);
    let lib = dir.join("librtheap.a");
    if !custom.is_empty() {
        return Err(format!(
            "no C compiler for {target} (tried {tried}), and the prebuilt librtheap.a has the \
             default configuration while {} asks for a build of its own: {fixes}",
            custom.join(", ")
        ));
    }
    if !lib.is_file() {
        return Err(format!(
            "no C compiler for {target} (tried {tried}), and no prebuilt archive in {}: {fixes}",
            dir.display()
        ));
    }
    cargo.rerun_if_changed(&lib);
    check_archive(
        &lib,
        target,
        cpu,
        "the prebuilt archive",
        "The crate's own archive is not the one for this target: package the crate again",
    )?;
    cargo.warning(format!(
        "rtheap: no C compiler found for {target} (tried {tried}): linking the prebuilt {} \
         (default configuration, -Os, no debug information, whatever the profile); to build it \
         with your profile, {fixes}",
        lib.display()
    ));
    Ok(dir)
}

/// Where the user's C flags came from, for a message about them.
fn flags_note(flag_vars: &[String]) -> String {
    if flag_vars.is_empty() {
        String::new()
    } else {
        format!(" (C flags from {}: check them against the target)", flag_vars.join(", "))
    }
}

/// The message for a C compiler that does not build for Arm.
fn not_arm(cc: &Compiler) -> Fail {
    format!(
        "the C compiler {} does not compile for Arm (it is a compiler for another machine, \
         a host CC perhaps): set {} to arm-none-eabi-gcc or clang, or unset it to let the \
         crate look for one",
        cc.tool.describe(),
        cc.tool.origin
    )
}

/// The configuration must keep a lock, unless the feature `unsafe-no-lock`
/// says the firmware never allocates from two contexts. Also checks that a
/// Cortex-M build has a compiler for Arm (a host `CC` builds x86 objects).
#[allow(clippy::too_many_arguments)]
fn check_configuration(
    cargo: &mut Cargo,
    cc: &Compiler,
    flags: &[String],
    work: &Path,
    target: &str,
    cpu: Option<&Cpu>,
    config: Option<&str>,
    lock: Lock,
    flag_vars: &[String],
) -> Result<(), Fail> {
    // The preprocessor's verdict on the configuration as the library sees it
    // (config header, -D flags and the defaults of rtheap_config.h).
    let probe = work.join("rtheap-config-probe.c");
    let text = "#include \"rtheap.h\"\n\
                #if defined(__arm__) || defined(__thumb__)\nrtheap_probe_arm\n#endif\n\
                #if RTHEAP_LOCK_NONE\nrtheap_probe_lock_none\n#endif\n\
                #if RTHEAP_LOCK_SPIN\nrtheap_probe_lock_spin\n#endif\n\
                #if RTHEAP_LOCK_USER\nrtheap_probe_lock_user\n#endif\n\
                rtheap_probe_lock_expansion RTHEAP_LOCK(h) rtheap_probe_end\n\
                rtheap_probe_pointer __SIZEOF_POINTER__ rtheap_probe_end\n";
    fs::write(&probe, text).map_err(|e| format!("cannot write {}: {e}", probe.display()))?;
    let mut cmd = cc.tool.command();
    cmd.args(flags).arg("-E").arg(&probe);
    let res = output(&mut cmd).map_err(|e| format!("cannot run the C compiler {}: {e}", cc.tool.describe()))?;
    // What the feature adds, for the messages: a header that chooses another lock
    // collides with it.
    let feature_note = lock
        .feature()
        .map(|(name, define)| format!(" (the feature `{name}` adds -D{define}=1, which rules out any other lock)"))
        .unwrap_or_default();
    if !res.status.success() {
        // A compiler for another machine (a host CC) fails on the CPU's flags
        // before the probe can tell: asked again without them, it says so.
        if let Some(cpu) = cpu {
            let own: Vec<&str> = cpu.flags.split_whitespace().collect();
            let mut again = cc.tool.command();
            again.args(flags.iter().filter(|f| !own.contains(&f.as_str()))).arg("-E").arg(&probe);
            if let Ok(res) = output(&mut again) {
                if res.status.success() && !String::from_utf8_lossy(&res.stdout).contains("rtheap_probe_arm") {
                    return Err(not_arm(cc));
                }
            }
        }
        return Err(format!(
            "the C configuration does not compile with {}{}{feature_note}{}:\n{}",
            cc.tool.describe(),
            config.map(|h| format!(" and RTHEAP_CONFIG_HEADER={h}")).unwrap_or_default(),
            flags_note(flag_vars),
            String::from_utf8_lossy(&res.stderr).trim_end()
        ));
    }
    let text = String::from_utf8_lossy(&res.stdout);
    let took = match lock {
        Lock::Configured => true,
        Lock::Spin => text.contains("rtheap_probe_lock_spin"),
        Lock::User => text.contains("rtheap_probe_lock_user"),
    };
    if !took {
        return Err(format!(
            "the C configuration{} does not use the lock the feature asks for{feature_note}: it \
             redefines RTHEAP_LOCK_SPIN/RTHEAP_LOCK_USER; choose the lock in one place",
            config.map(|h| format!(" ({h})")).unwrap_or_default()
        ));
    }
    let Some(cpu) = cpu else { return check_host_machine(cc, &text, target) };
    if !text.contains("rtheap_probe_arm") {
        return Err(not_arm(cc));
    }
    let expansion: String = text
        .split("rtheap_probe_lock_expansion")
        .nth(1)
        .and_then(|s| s.split("rtheap_probe_end").next())
        .unwrap_or("")
        .split_whitespace()
        .collect();
    // The no-op lock of rtheap_config.h, or a configuration's own that does nothing.
    let no_lock = text.contains("rtheap_probe_lock_none") || expansion == "((void)(h),0)" || expansion == "0";
    if no_lock && cargo.var("CARGO_FEATURE_UNSAFE_NO_LOCK").is_none() {
        return Err(format!(
            "the C configuration{} has no lock (RTHEAP_LOCK_NONE), but rtheap::Heap and \
             rtheap::RtHeap are Sync, so an interrupt handler or another core that allocates \
             would corrupt the heap: remove RTHEAP_LOCK_NONE (the default lock masks interrupts \
             on {}), or, if only one thread of execution ever allocates, enable the crate \
             feature `unsafe-no-lock` to say so",
            config.map(|h| format!(" ({h})")).unwrap_or_default(),
            cpu.name
        ));
    }
    Ok(())
}

/// A target that is not Cortex-M (the host, for tests) needs a compiler for
/// its machine: objects from an Arm compiler in `CC` would be skipped by the
/// linker, which then finds no rtheap at all.
fn check_host_machine(cc: &Compiler, probe: &str, target: &str) -> Result<(), Fail> {
    let arch = cargo_env("CARGO_CFG_TARGET_ARCH");
    let width = cargo_env("CARGO_CFG_TARGET_POINTER_WIDTH");
    let arm = probe.contains("rtheap_probe_arm");
    let pointer_bytes = probe
        .split("rtheap_probe_pointer")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse::<u32>().ok());
    let want_bytes = width.parse::<u32>().ok().map(|bits| bits / 8);
    if arm == (arch == "arm") && pointer_bytes == want_bytes {
        return Ok(());
    }
    Err(format!(
        "the C compiler {} builds {} code with {}-byte pointers, but the Rust target {target} is \
         {arch} with {width}-bit pointers (an Arm compiler in {} perhaps): unset it or set \
         CC_{} to the target's own compiler",
        cc.tool.describe(),
        if arm { "Arm" } else { "non-Arm" },
        pointer_bytes.map(|n| n.to_string()).unwrap_or_else(|| "unknown".into()),
        cc.tool.origin,
        target.replace(['-', '.'], "_")
    ))
}

/// stats_layout.c asserts (at compile time) the layout of rtheap_stats_t
/// that the Rust `Stats` has: the C header and the crate cannot drift apart.
fn check_stats_layout(
    cargo: &mut Cargo,
    cc: &Compiler,
    flags: &[String],
    manifest: &Path,
    work: &Path,
    flag_vars: &[String],
) -> Result<(), Fail> {
    let file = manifest.join("stats_layout.c");
    cargo.rerun_if_changed(&file);
    let syntax = |file: &Path| {
        let mut cmd = cc.tool.command();
        cmd.args(flags).arg("-fsyntax-only").arg(file);
        output(&mut cmd).map_err(|e| format!("cannot run the C compiler {}: {e}", cc.tool.describe()))
    };
    let res = syntax(&file)?;
    if !res.status.success() {
        // Flags the compiler refuses (another CPU's float ABI, say) fail a
        // file of one small function too: they are what is wrong, not the
        // sources.
        let probe = work.join("rtheap-flags-probe.c");
        let text = "int rtheap_flags_probe(int x);\nint rtheap_flags_probe(int x) { return x + 1; }\n";
        fs::write(&probe, text).map_err(|e| format!("cannot write {}: {e}", probe.display()))?;
        if !syntax(&probe)?.status.success() {
            return Err(format!(
                "the C compiler {} refuses the flags it is given{}: {}\n{}",
                cc.tool.describe(),
                flags_note(flag_vars),
                flags.join(" "),
                String::from_utf8_lossy(&res.stderr).trim_end()
            ));
        }
        return Err(format!(
            "the C header's rtheap_stats_t differs from the crate's Stats (stats_layout.c, \
             compiled with {}): the C sources and the crate come from different versions; use \
             the crate's own csrc/\n{}",
            cc.tool.describe(),
            String::from_utf8_lossy(&res.stderr).trim_end()
        ));
    }
    Ok(())
}

/// Writes `lib` from `objects`: with the archiver a variable names, else
/// here (sorted members, no dates: the same bytes on every machine).
fn write_library(cargo: &mut Cargo, objects: &[PathBuf], lib: &Path, target: &str, host: &str) -> Result<(), Fail> {
    let _ = fs::remove_file(lib);
    let mut sorted = objects.to_vec();
    sorted.sort();
    if let Some(ar) = tool_from_env(cargo, &tool_vars("AR", target, host)) {
        let mut cmd = ar.command();
        cmd.arg("crs").arg(lib).args(&sorted);
        let res = output(&mut cmd).map_err(|e| format!("cannot run the archiver {}: {e}", ar.describe()))?;
        if !res.status.success() {
            return Err(format!(
                "the archiver {} failed:\n{}\n{}",
                ar.describe(),
                shell_line(&cmd),
                String::from_utf8_lossy(&res.stderr).trim_end()
            ));
        }
        return Ok(());
    }
    let mut members = Vec::new();
    for o in &sorted {
        let data = fs::read(o).map_err(|e| format!("cannot read {}: {e}", o.display()))?;
        let name = o.file_name().unwrap_or_default().to_string_lossy().into_owned();
        members.push((name, data));
    }
    match archive::write_archive(&members) {
        Ok(bytes) => fs::write(lib, bytes).map_err(|e| format!("cannot write {}: {e}", lib.display())),
        // Not ELF (a Mach-O or COFF host): the system's archiver knows its format.
        Err(why) => {
            let mut cmd = Command::new("ar");
            cmd.arg("crs").arg(lib).args(&sorted);
            match output(&mut cmd) {
                Ok(r) if r.status.success() => Ok(()),
                _ => Err(format!("cannot archive the objects ({why}), and `ar` failed: set AR to an archiver")),
            }
        }
    }
}

/// A librtheap.a built elsewhere: checked against the target, then linked.
fn given_library(cargo: &mut Cargo, dir: &Path, target: &str, cpu: Option<&Cpu>, lock: Lock) -> Result<PathBuf, Fail> {
    if dir.is_relative() {
        // Cargo runs this script in the crate's folder, not the firmware's:
        // a relative path would name another folder than the user means.
        return Err(format!(
            "RTHEAP_LIB_DIR={} is a relative path, which this build script would take from the \
             crate's own folder ({}): give an absolute path",
            dir.display(),
            env::current_dir().map(|d| d.display().to_string()).unwrap_or_default()
        ));
    }
    let lib = dir.join("librtheap.a");
    if !lib.is_file() {
        return Err(format!("RTHEAP_LIB_DIR={}: no librtheap.a there", dir.display()));
    }
    // Relink when the library is rebuilt.
    cargo.rerun_if_changed(&lib);
    if let Some(cpu) = cpu {
        let rebuild = format!(
            "Rebuild it for {target} with the flags {} (those of RTHEAP_CPU={}), or unset \
             RTHEAP_LIB_DIR to let this crate build the library",
            cpu.flags, cpu.name
        );
        check_archive(&lib, target, cpu, "RTHEAP_LIB_DIR", &rebuild)?;
    }
    check_archive_lock(&lib, lock)?;
    Ok(dir.to_path_buf())
}

/// A library built elsewhere has the lock the feature asks for: the spinlock
/// defines its word `rtheap_lock_owner`, the user lock calls
/// `rtheap_user_lock_acquire`. Without the check, a PRIMASK library would link
/// and the firmware's second core would corrupt the heap.
fn check_archive_lock(lib: &Path, lock: Lock) -> Result<(), Fail> {
    let Some((name, define)) = lock.feature() else { return Ok(()) };
    let data = fs::read(lib).map_err(|e| format!("RTHEAP_LIB_DIR: cannot read {}: {e}", lib.display()))?;
    let members = archive::read_archive(&data)
        .ok_or_else(|| format!("RTHEAP_LIB_DIR: {} is not a static archive", lib.display()))?;
    let objects: Vec<archive::ObjectInfo> = members.iter().filter_map(|(_, bytes)| archive::object_info(bytes)).collect();
    let (symbol, found) = match lock {
        Lock::Spin => ("rtheap_lock_owner", objects.iter().any(|o| o.defined.iter().any(|s| s == "rtheap_lock_owner"))),
        _ => (
            "rtheap_user_lock_acquire",
            objects.iter().any(|o| o.undefined.iter().any(|s| s == "rtheap_user_lock_acquire")),
        ),
    };
    if found {
        return Ok(());
    }
    Err(format!(
        "RTHEAP_LIB_DIR: the feature `{name}` asks for {define}, but {} was built without it (no \
         {symbol} in it): rebuild it with {define}=1 (CMake: -DRTHEAP_CONFIG_HEADER=<a header with \
         #define {define} 1>), or unset RTHEAP_LIB_DIR to let this crate build the library",
        lib.display()
    ))
}

/// Stops the build when an archive cannot link into this target (wrong
/// architecture or float ABI), instead of a linker error deep in rustc's
/// output ("uses VFP register arguments").
/// `rebuild` says how to fix a mismatch, for the archive's source.
fn check_archive(lib: &Path, target: &str, cpu: &Cpu, whose: &str, rebuild: &str) -> Result<(), Fail> {
    let data = fs::read(lib).map_err(|e| format!("{whose}: cannot read {}: {e}", lib.display()))?;
    let members = archive::read_archive(&data).ok_or_else(|| format!("{whose}: {} is not a static archive", lib.display()))?;
    let mut arm_members = 0;
    for (member, bytes) in &members {
        let Some(info) = archive::object_info(bytes) else { continue };
        let Some(attrs) = info.arm else {
            if info.machine != 40 {
                return Err(format!(
                    "{whose}: {} member {member} is not an Arm object (ELF machine {}): it was \
                     built by a compiler for another machine. {rebuild}",
                    lib.display(),
                    info.machine
                ));
            }
            continue;
        };
        arm_members += 1;
        if attrs.hard_float != cpu.hard_float {
            return Err(format!(
                "{whose}: {member} of {} uses the {} ABI, but the Rust target {target} uses the {} \
                 ABI: the firmware would not link (\"uses VFP register arguments\"). {rebuild}",
                lib.display(),
                float_abi(attrs.hard_float),
                float_abi(cpu.hard_float)
            ));
        }
        if !cpu.archs.contains(&attrs.cpu_arch.as_str()) {
            return Err(format!(
                "{whose}: {member} of {} is built for the Arm architecture {}, which the Rust \
                 target {target} cannot run (it runs {}). {rebuild}",
                lib.display(),
                if attrs.cpu_arch.is_empty() { "(none given)" } else { &attrs.cpu_arch },
                cpu.archs.join(", ")
            ));
        }
    }
    if arm_members == 0 {
        return Err(format!(
            "{whose}: {} holds no Arm objects (no Arm build attributes). {rebuild}",
            lib.display()
        ));
    }
    Ok(())
}
