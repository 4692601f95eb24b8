// SPDX-License-Identifier: MIT OR Apache-2.0
//! Instructions per allocator call, counted with SysTick under `qemu -icount`.
//!
//! Under `-icount` QEMU advances its virtual clock by a fixed time per
//! executed instruction, and SysTick counts that clock: the SysTick clocks
//! between two readings are proportional to the instructions executed
//! between them. [`calibrate`] finds the ratio with a loop of known length
//! and the cost of an empty measurement (two readings around a call that
//! does nothing); every measured call is reported net of it.
//!
//! [`Metered`] wraps an allocator and measures each call it forwards:
//! `GlobalAlloc` for the `#[global_allocator]`, `Allocator` for a heap that
//! collections name (`Vec::new_in(&PACKETS)`).
use core::alloc::{AllocError, Allocator, GlobalAlloc, Layout};
use core::arch::asm;
use core::cell::Cell;
use core::ptr::NonNull;

use crate::rt::{systick_elapsed, systick_now, systick_start};

/// A value shared by `main` and the allocator it calls: this firmware
/// allocates from `main` only (no interrupt handler allocates), so a plain
/// `Cell` is enough and `Sync` holds.
struct Single<T>(Cell<T>);

// SAFETY: single-threaded use only (see above).
unsafe impl<T> Sync for Single<T> {}

impl<T: Copy> Single<T> {
    const fn new(v: T) -> Self {
        Single(Cell::new(v))
    }
    fn get(&self) -> T {
        self.0.get()
    }
    fn set(&self, v: T) {
        self.0.set(v)
    }
}

/// SysTick clocks per 1000 instructions; 0 until [`calibrate`] ran (and
/// nothing is measured before).
static CLOCKS_PER_KINSN: Single<u32> = Single::new(0);
/// SysTick clocks of an empty measurement.
static EMPTY_CLOCKS: Single<u32> = Single::new(0);

#[inline(never)]
fn empty_call(x: usize) -> usize {
    // SAFETY: an empty asm statement: keeps the call from being folded away.
    unsafe { asm!("/* {0} */", inout(reg) x => _, options(nomem, nostack, preserves_flags)) };
    x
}

/// Starts SysTick and measures the clocks per instruction; returns them
/// (times 1000) for the report.
pub fn calibrate() -> u32 {
    systick_start();
    // `subs` and a taken `bne`: two instructions per iteration.
    let iterations: u32 = 50_000;
    let t0 = systick_now();
    // SAFETY: a counting loop on a register, nothing else.
    unsafe {
        asm!("2: subs {0}, #1", "bne 2b", inout(reg) iterations => _,
             options(nomem, nostack));
    }
    let t1 = systick_now();
    let reading = systick_elapsed(systick_now(), systick_now());
    let loop_clocks = systick_elapsed(t0, t1).saturating_sub(reading);
    let per_kinsn = (u64::from(loop_clocks) * 1000 / (2 * u64::from(iterations))) as u32;
    // The empty measurement: the same bracket as Meter's, around a call.
    let mut empty = u32::MAX;
    for i in 0..8 {
        let a = systick_now();
        let r = empty_call(i);
        let b = systick_now();
        core::hint::black_box(r);
        empty = empty.min(systick_elapsed(a, b));
    }
    EMPTY_CLOCKS.set(empty);
    CLOCKS_PER_KINSN.set(per_kinsn);
    per_kinsn
}

/// The empty measurement, in SysTick clocks.
pub fn empty_clocks() -> u32 {
    EMPTY_CLOCKS.get()
}

/// Calls of one kind: how many, their instructions in all, the most.
pub struct Meter {
    calls: Single<u32>,
    instructions: Single<u64>,
    max: Single<u32>,
}

impl Meter {
    const fn new() -> Self {
        Meter { calls: Single::new(0), instructions: Single::new(0), max: Single::new(0) }
    }

    fn record(&self, t0: u32, t1: u32) {
        let per_kinsn = CLOCKS_PER_KINSN.get();
        if per_kinsn == 0 {
            return;
        }
        let net = systick_elapsed(t0, t1).saturating_sub(EMPTY_CLOCKS.get());
        let insns = ((u64::from(net) * 1000 + u64::from(per_kinsn / 2)) / u64::from(per_kinsn)) as u32;
        self.calls.set(self.calls.get() + 1);
        self.instructions.set(self.instructions.get() + u64::from(insns));
        self.max.set(self.max.get().max(insns));
    }

    /// Calls measured.
    pub fn calls(&self) -> u32 {
        self.calls.get()
    }

    /// Mean instructions per call (0 without calls).
    pub fn mean(&self) -> u64 {
        match self.calls.get() {
            0 => 0,
            n => (self.instructions.get() + u64::from(n) / 2) / u64::from(n),
        }
    }

    /// Most instructions of one call.
    pub fn max(&self) -> u32 {
        self.max.get()
    }

    fn reset(&self) {
        self.calls.set(0);
        self.instructions.set(0);
        self.max.set(0);
    }
}

/// An allocator whose every call is measured: allocations, frees, resizes
/// that kept the block in place or moved it, and the calls that found no
/// memory (allocations and resizes).
pub struct Metered<A> {
    inner: A,
    pub alloc: Meter,
    pub free: Meter,
    pub resize_in_place: Meter,
    pub resize_moved: Meter,
    pub failed: Meter,
}

impl<A> Metered<A> {
    pub const fn new(inner: A) -> Self {
        Metered {
            inner,
            alloc: Meter::new(),
            free: Meter::new(),
            resize_in_place: Meter::new(),
            resize_moved: Meter::new(),
            failed: Meter::new(),
        }
    }

    /// The allocator measured.
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// Forgets what was measured so far.
    pub fn reset(&self) {
        for m in [&self.alloc, &self.free, &self.resize_in_place, &self.resize_moved, &self.failed] {
            m.reset();
        }
    }

    fn allocated(&self, t0: u32, t1: u32, found: bool) {
        if found { &self.alloc } else { &self.failed }.record(t0, t1);
    }

    /// `to` is the block after the resize: None if it failed.
    fn resized(&self, t0: u32, t1: u32, from: *mut u8, to: Option<*mut u8>) {
        match to {
            None => &self.failed,
            Some(p) if p == from => &self.resize_in_place,
            Some(_) => &self.resize_moved,
        }
        .record(t0, t1);
    }
}

// The wrappers read SysTick right before and right after the forwarded call,
// and record after the second reading, so that the bookkeeping is not counted.

unsafe impl<A: GlobalAlloc> GlobalAlloc for Metered<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let t0 = systick_now();
        // SAFETY: forwarded caller contract.
        let p = unsafe { self.inner.alloc(layout) };
        let t1 = systick_now();
        self.allocated(t0, t1, !p.is_null());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let t0 = systick_now();
        // SAFETY: forwarded caller contract.
        unsafe { self.inner.dealloc(ptr, layout) };
        let t1 = systick_now();
        self.free.record(t0, t1);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let t0 = systick_now();
        // SAFETY: forwarded caller contract.
        let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
        let t1 = systick_now();
        self.resized(t0, t1, ptr, (!p.is_null()).then_some(p));
        p
    }
}

unsafe impl<A: Allocator> Allocator for Metered<A> {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let t0 = systick_now();
        let r = self.inner.allocate(layout);
        let t1 = systick_now();
        self.allocated(t0, t1, r.is_ok());
        r
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        let t0 = systick_now();
        // SAFETY: forwarded caller contract.
        unsafe { self.inner.deallocate(ptr, layout) };
        let t1 = systick_now();
        self.free.record(t0, t1);
    }

    unsafe fn grow(&self, ptr: NonNull<u8>, old: Layout, new: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let t0 = systick_now();
        // SAFETY: forwarded caller contract.
        let r = unsafe { self.inner.grow(ptr, old, new) };
        let t1 = systick_now();
        self.resized(t0, t1, ptr.as_ptr(), r.ok().map(|b| b.cast::<u8>().as_ptr()));
        r
    }

    unsafe fn shrink(&self, ptr: NonNull<u8>, old: Layout, new: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let t0 = systick_now();
        // SAFETY: forwarded caller contract.
        let r = unsafe { self.inner.shrink(ptr, old, new) };
        let t1 = systick_now();
        self.resized(t0, t1, ptr.as_ptr(), r.ok().map(|b| b.cast::<u8>().as_ptr()));
        r
    }
}
