// SPDX-License-Identifier: MIT OR Apache-2.0
//! Links the test firmware with the project's linker script for one board:
//! `-T linker/cortex-m.ld -L boards/<board>` (no_heap: `-T
//! tests/rust/link/no-heap.ld`, a script without heap symbols; tiny_heap:
//! tests/rust/link/tiny-heap.ld, a 64-byte heap), plus the CPU flags gcc needs to
//! pick the right libgcc multilib. The board is `RTHEAP_BOARD`, else the
//! QEMU board of the Rust target (table below).
//!
//! dual_core includes snippets of docs/multicore.md as written, copied to
//! `OUT_DIR/<id>.rs`: with the feature `smp-spin` `smp-rust-core-id` (the
//! spinlock's core number), with `smp-user` `smp-rust-critical-section` (the
//! user lock forwarded to critical-section). A missing snippet stops the build.
use std::env;
use std::path::PathBuf;

/// target -> (default board, gcc CPU flags)
const TARGETS: &[(&str, &str, &str)] = &[
    ("thumbv6m-none-eabi", "microbit", "-mcpu=cortex-m0 -mthumb -mfloat-abi=soft"),
    ("thumbv7m-none-eabi", "mps2-an385", "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft"),
    ("thumbv7em-none-eabi", "netduinoplus2", "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft"),
    (
        "thumbv7em-none-eabihf",
        "mps2-an386",
        "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16",
    ),
    ("thumbv8m.main-none-eabi", "mps2-an505", "-mcpu=cortex-m33 -mthumb -mfloat-abi=soft"),
];

/// The binaries of Cargo.toml.
const BINS: &[&str] = &["heap_tests", "oom", "irq_stress", "no_heap", "tiny_heap", "two_heaps"];

/// Feature -> the snippet of docs/multicore.md that dual_core includes with it.
const SNIPPETS: &[(&str, &str)] =
    &[("CARGO_FEATURE_SMP_SPIN", "smp-rust-core-id"), ("CARGO_FEATURE_SMP_USER", "smp-rust-critical-section")];

/// The fenced block after `<!-- snippet: id -->` in `doc`, as written.
fn snippet(doc: &str, id: &str) -> Option<String> {
    let mut lines = doc.lines().skip_while(|l| l.trim() != format!("<!-- snippet: {id} -->")).skip(1);
    let fence = lines.next()?;
    if fence.trim() != "```rust" {
        return None;
    }
    let indent = fence.len() - fence.trim_start().len();
    let mut body = String::new();
    for line in lines {
        if line.trim() == "```" {
            return Some(body);
        }
        body.push_str(line.get(indent..).unwrap_or(line.trim_start()));
        body.push('\n');
    }
    None
}

fn main() {
    let target = env::var("TARGET").unwrap();
    let Some(&(_, default_board, flags)) = TARGETS.iter().find(|(t, _, _)| *t == target) else {
        panic!("rtheap-rust-tests: unsupported target {target}");
    };
    println!("cargo:rerun-if-env-changed=RTHEAP_BOARD");
    println!("cargo:rerun-if-changed=build.rs");
    let board = env::var("RTHEAP_BOARD").ok().filter(|b| !b.is_empty());
    let board = board.as_deref().unwrap_or(default_board);
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../..");
    let root = root.canonicalize().unwrap();
    let script = root.join("linker/cortex-m.ld");
    let link_dir = root.join("tests/rust/link");
    let no_heap_script = link_dir.join("no-heap.ld");
    let tiny_heap_script = link_dir.join("tiny-heap.ld");
    let board_dir = root.join("boards").join(board);
    if !board_dir.join("memory.x").is_file() {
        panic!("rtheap-rust-tests: no board {}", board_dir.display());
    }
    for f in [
        script.clone(),
        no_heap_script.clone(),
        tiny_heap_script.clone(),
        board_dir.join("memory.x"),
        board_dir.join("ram2.x"),
    ] {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    for (feature, id) in SNIPPETS {
        if env::var_os(feature).is_none() {
            continue;
        }
        let doc = root.join("docs/multicore.md");
        println!("cargo:rerun-if-changed={}", doc.display());
        let text = std::fs::read_to_string(&doc).unwrap_or_default();
        let Some(code) = snippet(&text, id) else {
            panic!("rtheap-rust-tests: no ```rust block after <!-- snippet: {id} --> in {}", doc.display());
        };
        let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join(format!("{id}.rs"));
        std::fs::write(&out, code).unwrap();
    }
    // The board, for the firmware's messages.
    println!("cargo:rustc-env=RTHEAP_BOARD={board}");
    for f in flags.split(' ') {
        println!("cargo:rustc-link-arg-bins={f}");
    }
    println!("cargo:rustc-link-arg-bins=-nostdlib");
    // The linker script, per binary: no_heap's defines no heap symbols,
    // tiny_heap's (which INCLUDEs no-heap.ld from tests/rust/link) a 64-byte heap.
    let smp = env::var_os("CARGO_FEATURE_SMP").is_some();
    for bin in BINS.iter().chain(smp.then_some(&"dual_core")) {
        let s = match *bin {
            "no_heap" => &no_heap_script,
            "tiny_heap" => &tiny_heap_script,
            _ => &script,
        };
        println!("cargo:rustc-link-arg-bin={bin}=-T{}", s.display());
    }
    println!("cargo:rustc-link-arg-bin=tiny_heap=-L{}", link_dir.display());
    println!("cargo:rustc-link-arg-bins=-L{}", board_dir.display());
    println!("cargo:rustc-link-arg-bins=-Wl,--gc-sections");
    // libgcc last: helpers gcc-built code may call (compiler_builtins has the Rust ones).
    println!("cargo:rustc-link-arg-bins=-lgcc");
}
