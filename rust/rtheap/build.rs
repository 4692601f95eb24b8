//! Links the C library `librtheap.a` into the firmware.
//!
//! Two ways, in this order:
//!
//! 1. `RTHEAP_LIB_DIR=<dir>`: a directory holding a prebuilt `librtheap.a` (for
//!    example `build/cortex-m3/src` of the project's CMake cross tree). It must
//!    have been built for the same CPU and float ABI as the Rust target.
//! 2. Otherwise the library is built here, in `OUT_DIR`, with the project's own
//!    CMake build and GNU Arm toolchain file:
//!    `cmake -S <rtheap> -B $OUT_DIR/cmake -DCMAKE_TOOLCHAIN_FILE=<rtheap>/toolchain/arm-none-eabi.cmake
//!     -DRTHEAP_CPU=<cpu>` then `cmake --build ... --target rtheap`.
//!    The CPU comes from the Rust target (table below) or from `RTHEAP_CPU`.
//!    Needs `cmake` (or `$CMAKE`), `arm-none-eabi-gcc`, and Ninja if installed
//!    (else CMake's default generator).
//!
//! Other variables: `RTHEAP_CONFIG_HEADER` is passed on to CMake (a header with
//! your `#define RTHEAP_...` options, see src/rtheap_config.h).
use std::env;
use std::path::PathBuf;
use std::process::Command;

/// Rust target triple -> the project's CPU fragment (toolchain/cpu/<cpu>.cmake).
const CPUS: &[(&str, &str)] = &[
    ("thumbv6m-none-eabi", "cortex-m0"),
    ("thumbv7m-none-eabi", "cortex-m3"),
    ("thumbv7em-none-eabi", "cortex-m4"),
    ("thumbv7em-none-eabihf", "cortex-m4f"),
    ("thumbv8m.main-none-eabi", "cortex-m33"),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for v in ["RTHEAP_LIB_DIR", "RTHEAP_CPU", "RTHEAP_CONFIG_HEADER", "CMAKE"] {
        println!("cargo:rerun-if-env-changed={v}");
    }
    let lib_dir = match env::var_os("RTHEAP_LIB_DIR") {
        Some(dir) if !dir.is_empty() => prebuilt(PathBuf::from(dir)),
        _ => build_with_cmake(),
    };
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    println!("cargo:rustc-link-lib=static=rtheap");
}

fn prebuilt(dir: PathBuf) -> PathBuf {
    let lib = dir.join("librtheap.a");
    if !lib.is_file() {
        panic!("RTHEAP_LIB_DIR={}: no librtheap.a there", dir.display());
    }
    // Relink when the library is rebuilt.
    println!("cargo:rerun-if-changed={}", lib.display());
    dir
}

fn build_with_cmake() -> PathBuf {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    // rust/rtheap -> the repository root (CMakeLists.txt, src/, toolchain/).
    let root = manifest.join("../..");
    let root = root.canonicalize().unwrap_or(root);
    if !root.join("src/rtheap.h").is_file() {
        panic!(
            "rtheap: the C sources are not at {} (this crate must stay in rust/rtheap of the \
             rtheap repository), and RTHEAP_LIB_DIR is not set",
            root.display()
        );
    }
    for rel in ["src", "toolchain", "CMakeLists.txt", "cmake"] {
        println!("cargo:rerun-if-changed={}", root.join(rel).display());
    }

    let target = env::var("TARGET").unwrap();
    let cpu = match env::var("RTHEAP_CPU") {
        Ok(cpu) if !cpu.is_empty() => cpu,
        _ => match CPUS.iter().find(|(t, _)| *t == target) {
            Some((_, cpu)) => cpu.to_string(),
            None => panic!(
                "rtheap: no CPU known for target {target}; known: {}. Set RTHEAP_CPU to one of \
                 toolchain/cpu/*.cmake, or RTHEAP_LIB_DIR to a prebuilt librtheap.a",
                CPUS.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ")
            ),
        },
    };

    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("cmake");
    let cmake = env::var("CMAKE").unwrap_or_else(|_| "cmake".into());
    let mut configure = Command::new(&cmake);
    configure
        .arg("-S")
        .arg(&root)
        .arg("-B")
        .arg(&out)
        .arg(format!(
            "-DCMAKE_TOOLCHAIN_FILE={}",
            root.join("toolchain/arm-none-eabi.cmake").display()
        ))
        .arg(format!("-DRTHEAP_CPU={cpu}"))
        .arg("-DCMAKE_BUILD_TYPE=Release")
        // Only the library is wanted: do not set up the Rust test firmware (it would
        // call cargo from inside cargo).
        .arg("-DRTHEAP_RUST_TESTS=OFF")
        .arg("-DRTHEAP_BUILD_TESTS=OFF");
    if let Ok(h) = env::var("RTHEAP_CONFIG_HEADER") {
        configure.arg(format!("-DRTHEAP_CONFIG_HEADER={h}"));
    }
    if !out.join("CMakeCache.txt").exists() && have("ninja") {
        configure.args(["-G", "Ninja"]);
    }
    run(&mut configure, "configure");
    let mut build = Command::new(&cmake);
    build.arg("--build").arg(&out).args(["--target", "rtheap"]);
    run(&mut build, "build");
    let dir = out.join("src");
    if !dir.join("librtheap.a").is_file() {
        panic!("rtheap: CMake built no {}", dir.join("librtheap.a").display());
    }
    dir
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

fn run(cmd: &mut Command, what: &str) {
    // CMake's output goes to cargo's build-script log (shown on failure).
    match cmd.status() {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("rtheap: CMake {what} failed ({s}): {cmd:?}"),
        Err(e) => panic!("rtheap: cannot run CMake for the {what} step ({e}): {cmd:?}"),
    }
}

