// SPDX-License-Identifier: MIT OR Apache-2.0
//! The firmware of tests/rust/package.sh, built against the unpacked `.crate`
//! in a folder outside the repository: the default heap from the linker
//! symbols of the crate's own scripts, collections in it, a second heap set
//! up the embedded-alloc way. Prints the heap's range, the lock and OK, exits 0.
//!
//! Built with the feature `spin` or `user` (rtheap's `spin-lock`, `user-lock`)
//! it defines what the lock asks of the firmware, for this one core: the core
//! number, or a lock that masks interrupts and counts its acquires. Each
//! checks that the C library took that lock.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::ptr::addr_of;

#[global_allocator]
static HEAP: rtheap::RtHeap = rtheap::RtHeap;

#[macro_use]
mod rt;

/// The spinlock's core number: one core here.
#[cfg(feature = "spin")]
#[unsafe(no_mangle)]
pub extern "C" fn rtheap_core_id() -> u32 {
    0
}

#[cfg(feature = "spin")]
extern "C" {
    /// The spinlock's word: the core number + 1 while held, 0 when free.
    static rtheap_lock_owner: u32;
}

/// A user lock for one core: PRIMASK, nesting through the saved state.
#[cfg(feature = "user")]
mod user_lock {
    use core::arch::asm;
    use core::sync::atomic::{AtomicU32, Ordering};

    /// Acquires so far (interrupts are masked while it is bumped).
    pub static ACQUIRES: AtomicU32 = AtomicU32::new(0);

    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn rtheap_user_lock_acquire() -> u32 {
        let primask: u32;
        // SAFETY: masks interrupts; the release restores them.
        unsafe { asm!("mrs {}, primask", "cpsid i", out(reg) primask, options(nostack, preserves_flags)) };
        ACQUIRES.store(ACQUIRES.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        primask
    }

    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn rtheap_user_lock_release(state: u32) {
        // SAFETY: PRIMASK as it was before the acquire.
        unsafe { asm!("msr primask, {}", in(reg) state, options(nostack, preserves_flags)) };
    }
}

static SECOND: rtheap::Heap = rtheap::Heap::empty();
static mut SECOND_MEM: [MaybeUninit<u8>; 4096] = [MaybeUninit::uninit(); 4096];

extern "C" {
    static __heap_start: u8;
    static __heap_end: u8;
    /// The stack's room below the initial SP (a symbol's address is its value).
    static __stack_size: u8;
}

fn fw_main() -> i32 {
    let mut failures = 0;
    macro_rules! check {
        ($c:expr) => {
            if !$c {
                println!("FAIL: {}", stringify!($c));
                failures += 1;
            }
        };
    }
    // Addresses only, never read (`unsafe` for the Rust releases before 1.82).
    #[allow(unused_unsafe)]
    let (start, end) = unsafe { (addr_of!(__heap_start) as usize, addr_of!(__heap_end) as usize) };
    // Nothing has allocated: statistics and check see an empty heap and build none.
    check!(rtheap::stats().heap_bytes == 0);
    check!(rtheap::check() == Ok(()));

    let squares: Vec<u32> = (0..200).map(|i| i * i).collect();
    let mut names = BTreeMap::new();
    for i in 0..40u32 {
        names.insert(i, format!("block {}", i));
    }
    let first: String = names.values().take(3).cloned().collect::<Vec<_>>().join(",");
    let s = rtheap::stats();
    check!(s.heap_bytes == end - start);
    check!(s.live_blocks >= 42);
    check!(squares[199] == 199 * 199 && first == "block 0,block 1,block 2");

    // embedded-alloc's calls, as a firmware moving over keeps them.
    // SAFETY: SECOND_MEM is used by nothing else.
    unsafe { SECOND.init(core::ptr::addr_of_mut!(SECOND_MEM) as usize, 4096) }.unwrap();
    let layout = Layout::from_size_align(100, 32).unwrap();
    // SAFETY: a valid layout.
    let p = unsafe { SECOND.alloc(layout) };
    check!(!p.is_null() && p as usize % 32 == 0 && SECOND.used() >= 100);
    // SAFETY: a live block of SECOND.
    unsafe { SECOND.dealloc(p, layout) };
    check!(SECOND.used() == 0 && SECOND.free() > 3000 && SECOND.check() == Ok(()));

    drop((squares, names, first));
    check!(rtheap::stats().live_blocks == 0);
    check!(rtheap::check() == Ok(()));

    // Rust's stable sort keeps a 4 KiB buffer on the stack: on a board with RAM
    // to spare (a heap of 64 KiB or more) the scripts' default stack must hold
    // it (with 4 KiB it ran into the heap's last block, which the check then
    // reported). The micro:bit's 16 KiB keep a 4 KiB stack and skip it.
    #[allow(unused_unsafe)]
    let stack = unsafe { addr_of!(__stack_size) as usize };
    if end - start >= 64 * 1024 {
        let mut words: Vec<String> = (0..300u32).map(|i| format!("{}", i * 7919 % 1000)).collect();
        words.sort();
        check!(words.windows(2).all(|w| w[0] <= w[1]));
        drop(words);
        check!(rtheap::check() == Ok(()) && rtheap::stats().error_count == 0);
    }

    #[cfg(feature = "spin")]
    let lock = {
        // The word exists (the library has the spinlock) and is free between calls.
        // SAFETY: a word of the C library, read only.
        check!(unsafe { core::ptr::read_volatile(addr_of!(rtheap_lock_owner)) } == 0);
        "spin-lock"
    };
    #[cfg(feature = "user")]
    let lock = {
        // Every call above took this lock: 42 blocks or more, two heaps.
        check!(user_lock::ACQUIRES.load(core::sync::atomic::Ordering::Relaxed) >= 100);
        "user-lock"
    };
    #[cfg(not(any(feature = "spin", feature = "user")))]
    let lock = "PRIMASK";
    println!(
        "package firmware: heap {:#x}..{:#x} ({} bytes), stack {} bytes, lock {}: {}",
        start,
        end,
        end - start,
        stack,
        lock,
        if failures == 0 { "OK" } else { "FAILED" }
    );
    failures
}
