// SPDX-License-Identifier: MIT OR Apache-2.0
//! Allocates 4 KiB blocks, keeping them all, until the heap is exhausted. The
//! failing allocation must end in the panic handler with "memory allocation
//! of 4096 bytes failed" and exit status 101 (tests/rust/CMakeLists.txt
//! expects exactly that). Exiting any other way is a failure.
#![no_std]
#![no_main]

extern crate alloc;

#[path = "../rt.rs"]
#[macro_use]
mod rt;

use alloc::vec::Vec;

#[global_allocator]
static HEAP: rtheap::RtHeap = rtheap::RtHeap;

const BLOCK: usize = 4096;

fn fw_main() -> i32 {
    // The heap as the first allocation builds it (statistics alone never do).
    if rtheap::status().is_err() {
        println!("FAIL: no default heap");
        return 1;
    }
    let s = rtheap::stats();
    println!(
        "oom on {}: heap {} bytes in {} region(s); allocating {} byte blocks until it fails",
        env!("RTHEAP_BOARD"),
        s.heap_bytes,
        s.region_count,
        BLOCK
    );
    let mut n: usize = 0;
    loop {
        // Vec::with_capacity calls handle_alloc_error on failure: a panic on no_std.
        let v: Vec<u8> = Vec::with_capacity(BLOCK);
        core::mem::forget(v);
        n += 1;
        if n % 256 == 0 {
            println!("  {} blocks ({} KiB) allocated", n, n * BLOCK / 1024);
        }
        if n > s.heap_bytes / BLOCK + 1 {
            // More blocks than fit: the allocator hands out memory it does not have.
            println!("FAIL: {} blocks of {} bytes from a {} byte heap", n, BLOCK, s.heap_bytes);
            return 1;
        }
    }
}
