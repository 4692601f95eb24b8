// SPDX-License-Identifier: MIT OR Apache-2.0
// The body of the no_heap and tiny_heap firmware (`include!`d by
// src/bin/no_heap.rs and src/bin/tiny_heap.rs, which differ only in their
// linker scripts): never calling `rtheap::init`, the first allocation must
// panic with the crate's message naming the cause and both fixes
// (`rtheap::NO_HEAP_MESSAGE`), exit status 101. Before the panic,
// `rtheap::status()` must report `NoHeap`, `stats()` all zero and `check()` Ok.

extern crate alloc;

#[path = "rt.rs"]
#[macro_use]
mod rt;

use alloc::boxed::Box;

#[global_allocator]
static HEAP: rtheap::RtHeap = rtheap::RtHeap;

fn fw_main() -> i32 {
    println!("{} on {}: {}", NAME, env!("RTHEAP_BOARD"), SCRIPT);
    if rtheap::status() != Err(rtheap::HeapError::NoHeap) {
        println!("FAIL: status() is {:?}, expected Err(NoHeap)", rtheap::status());
        return 1;
    }
    // No heap: statistics all zero, and an empty heap is a consistent one.
    if rtheap::stats() != rtheap::Stats::default() || rtheap::check() != Ok(()) {
        println!("FAIL: stats() or check() of a missing heap");
        return 1;
    }
    // Must not return: the allocation panics.
    let b = Box::new(core::hint::black_box(42u64));
    println!("FAIL: allocated {} at {:p} without a heap", b, b);
    1
}
