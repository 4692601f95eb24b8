// SPDX-License-Identifier: MIT OR Apache-2.0
//! Linked with tests/rust/link/tiny-heap.ld: a 64-byte heap, too small for
//! one. See src/no_heap_main.rs.
#![no_std]
#![no_main]

const NAME: &str = "tiny_heap";
const SCRIPT: &str = "a linker script with a 64-byte heap";

include!("../no_heap_main.rs");
