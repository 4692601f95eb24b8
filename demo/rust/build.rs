// SPDX-License-Identifier: MIT OR Apache-2.0
//! The board the demo is linked for: a `memory.x` for the crate's linker
//! script (`rtheap-cortex-m.ld`), made of the board's `memory.x` and
//! `ram2.x` (`boards/<board>/` of this repository), and the board's name and
//! packet pool size for the firmware (`board.rs`), both in OUT_DIR. The
//! board is `RTHEAP_DEMO_BOARD`, else the one of the Rust target in the table
//! below. CPU flags, linker, linker script and runner are in
//! `.cargo/config.toml`.
use std::env;
use std::fs;
use std::path::PathBuf;

/// Rust target -> the boards it runs on (the first is the default), and the
/// packet pool of each: a small share of the board's RAM.
const BOARDS: &[(&str, &str, usize)] = &[
    ("thumbv7em-none-eabihf", "mps2-an386", 64 << 10),
    ("thumbv7m-none-eabi", "mps2-an385", 64 << 10),
    ("thumbv8m.main-none-eabi", "mps2-an505", 64 << 10),
    ("thumbv6m-none-eabi", "microbit", 2 << 10),
];

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    println!("cargo:rerun-if-env-changed=RTHEAP_DEMO_BOARD");
    let wanted = env::var("RTHEAP_DEMO_BOARD").ok().filter(|b| !b.is_empty());
    let found = BOARDS.iter().find(|(t, b, _)| {
        *t == target && wanted.as_deref().map_or(true, |w| w == *b)
    });
    let Some(&(_, board, pool)) = found else {
        let known: Vec<String> = BOARDS.iter().map(|(t, b, _)| format!("{b} ({t})")).collect();
        eprintln!("rtheap-demo: no board {} for the target {target}; boards: {}",
                  wanted.as_deref().unwrap_or("at all"), known.join(", "));
        std::process::exit(1);
    };
    // memory.x for the crate's linker script (rtheap-cortex-m.ld, on the
    // search path the crate's build script sets): the board's MEMORY, and its
    // second heap region (ram2.x: RAM2 on boards that have it, else empty).
    let here = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let board_dir = here.join("../../boards").join(board);
    let mut memory = String::new();
    for f in ["memory.x", "ram2.x"] {
        let path = board_dir.join(f);
        println!("cargo:rerun-if-changed={}", path.display());
        match fs::read_to_string(&path) {
            Ok(text) => memory += &text,
            Err(e) => {
                eprintln!("rtheap-demo: cannot read {}: {e}", path.display());
                std::process::exit(1);
            }
        }
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::write(out.join("memory.x"), memory).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    fs::write(
        out.join("board.rs"),
        format!("/// The board this firmware is linked for.\npub const BOARD: &str = \"{board}\";\n\
                 /// Bytes of the packet heap's pool.\npub const PACKET_POOL_BYTES: usize = {pool};\n"),
    )
    .unwrap();
}
