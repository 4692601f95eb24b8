// SPDX-License-Identifier: MIT OR Apache-2.0
//! Linked with tests/rust/link/no-heap.ld: no heap symbols at all. See
//! src/no_heap_main.rs.
#![no_std]
#![no_main]

const NAME: &str = "no_heap";
const SCRIPT: &str = "a linker script without __heap_start/__heap_end";

include!("../no_heap_main.rs");
