// SPDX-License-Identifier: MIT OR Apache-2.0
//! Interrupt stress, Rust side: a frequent SysTick interrupt
//! allocates, reallocates and frees (`Box<[u8]>`, `Vec<u32>` growth and
//! shrinking, `String`) on the rtheap global allocator while the main loop does
//! the same, until both sides together have made [`TOTAL_OPS`] allocator calls.
//!
//! - The `#[global_allocator]` is [`Counting`]: it forwards to `rtheap::RtHeap`
//!   and counts every alloc / realloc (and whether it moved) / dealloc, in a
//!   separate set of counters for handler context (IPSR != 0).
//! - Each side keeps a bounded live set (a fixed number of slots, bounded
//!   sizes); every block carries a position-dependent fill pattern that is
//!   verified before the block is resized or freed.
//! - The handler does at least one step per interrupt, and more (up to
//!   [`MAX_STEPS_PER_TICK`]) while its share of the operations is below
//!   [`ISR_SHARE_TARGET`] percent: QEMU's SysTick runs on host time, so a fixed
//!   amount of work per tick would give a share that depends on the host. If
//!   the share still falls below [`PEND_BELOW`] percent (QEMU delivered too few
//!   timer interrupts), main pends SysTick itself; the output tells the timer's
//!   interrupts (COUNTFLAG set) from those.
//! - At the end: rtheap::check() == Ok, live blocks back to the baseline after
//!   both sides drop everything, and the heap's alloc/free/realloc counts equal
//!   what the wrapper counted.
//!
//! Prints the totals and "N passed, N failed"; exits 0 only if none failed.
#![no_std]
#![no_main]

extern crate alloc;

#[path = "../rt.rs"]
#[macro_use]
mod rt;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::arch::asm;
use core::cell::UnsafeCell;
use core::sync::atomic::{compiler_fence, AtomicBool, AtomicU32, Ordering};

/// Allocator calls (both sides together) to make.
const TOTAL_OPS: u32 = 1_000_000;
/// SysTick reload: an interrupt every RELOAD + 1 SysTick clocks (25 MHz on the
/// MPS2 boards, 16 MHz on the micro:bit, as QEMU models them). Without -icount
/// QEMU's SysTick runs on host time and delivers far fewer interrupts than the
/// nominal rate; smaller reloads can even give fewer (measured on mps2-an385, a
/// busy 2-core host, up to 32 steps per interrupt: reload 250 -> ~400 interrupts
/// in a 7 s run, 1000 -> ~3000, 5000 -> ~8000, 25000 -> ~2500). A tick that comes
/// while the handler still runs is lost. With 2500 and 8 steps: ~20000-25000
/// interrupts in a 2-3 s run on an idle host.
const RELOAD: u32 = 2500;
/// The handler tops its share of all allocator calls up to this (percent).
const ISR_SHARE_TARGET: u32 = 25;
/// ... doing at most this many steps in one interrupt (each step is ~1.4 calls).
const MAX_STEPS_PER_TICK: u32 = 8;
/// Below this share (percent) main also pends SysTick itself (ICSR.PENDSTSET),
/// so the handler's share does not depend on how many timer interrupts QEMU
/// manages to deliver on a loaded host. Checked every 16 main steps.
const PEND_BELOW: u32 = 20;
/// Required share of the handler (percent).
const ISR_SHARE_MIN: u32 = 10;

// ---------------------------------------------------------------------------
// Counting allocator
// ---------------------------------------------------------------------------

/// Counters of one context. Each set has a single writer (main or the SysTick
/// handler), but Armv6-M has no atomic read-modify-write: bumps are done with
/// interrupts masked anyway, as everywhere in these tests.
struct Counts {
    alloc: AtomicU32,
    dealloc: AtomicU32,
    realloc: AtomicU32,
    /// Reallocs that returned a new address (the heap counts an alloc and a free).
    moved: AtomicU32,
}

impl Counts {
    const fn new() -> Self {
        Counts {
            alloc: AtomicU32::new(0),
            dealloc: AtomicU32::new(0),
            realloc: AtomicU32::new(0),
            moved: AtomicU32::new(0),
        }
    }
    fn ops(&self) -> u32 {
        self.alloc.load(Ordering::Relaxed)
            + self.dealloc.load(Ordering::Relaxed)
            + self.realloc.load(Ordering::Relaxed)
    }
}

fn bump(a: &AtomicU32) {
    rt::interrupt_free(|| a.store(a.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed));
}

static MAIN_COUNTS: Counts = Counts::new();
static ISR_COUNTS: Counts = Counts::new();

fn in_handler() -> bool {
    let ipsr: u32;
    // SAFETY: reads a special register.
    unsafe { asm!("mrs {}, ipsr", out(reg) ipsr, options(nomem, nostack, preserves_flags)) };
    ipsr & 0x1ff != 0
}

fn counts() -> &'static Counts {
    if in_handler() { &ISR_COUNTS } else { &MAIN_COUNTS }
}

/// rtheap::RtHeap plus per-context call counters.
struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { rtheap::RtHeap.alloc(layout) };
        if !p.is_null() {
            bump(&counts().alloc);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { rtheap::RtHeap.alloc_zeroed(layout) };
        if !p.is_null() {
            bump(&counts().alloc);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { rtheap::RtHeap.dealloc(ptr, layout) };
        bump(&counts().dealloc);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { rtheap::RtHeap.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            let c = counts();
            bump(&c.realloc);
            if p != ptr {
                bump(&c.moved);
            }
        }
        p
    }
}

#[global_allocator]
static HEAP: Counting = Counting;

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

static PASSED: AtomicU32 = AtomicU32::new(0);
static FAILED: AtomicU32 = AtomicU32::new(0);

macro_rules! check {
    ($cond:expr) => { check!($cond, "") };
    ($cond:expr, $($fmt:tt)*) => {{
        if $cond {
            PASSED.store(PASSED.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        } else {
            FAILED.store(FAILED.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
            println!("{}:{}: CHECK failed: {} {}", file!(), line!(), stringify!($cond),
                     format_args!($($fmt)*));
        }
    }};
}

// ---------------------------------------------------------------------------
// The workload (same code on both sides)
// ---------------------------------------------------------------------------

/// A live object with its fill-pattern seed.
enum Obj {
    Bytes(Box<[u8]>, u8),
    Words(Vec<u32>, u32),
    Text(String, u8),
}

fn pat_b(seed: u8, i: usize) -> u8 {
    seed.wrapping_add((i as u8).wrapping_mul(31))
}
fn pat_w(seed: u32, i: usize) -> u32 {
    seed ^ (i as u32).wrapping_mul(0x9E37_79B9)
}
fn pat_t(seed: u8, i: usize) -> char {
    (b'!' + (seed.wrapping_add(i as u8) & 63)) as char
}

impl Obj {
    fn verify(&self) -> bool {
        match self {
            Obj::Bytes(b, s) => b.iter().enumerate().all(|(i, &x)| x == pat_b(*s, i)),
            Obj::Words(v, s) => v.iter().enumerate().all(|(i, &x)| x == pat_w(*s, i)),
            Obj::Text(t, s) => t.bytes().enumerate().all(|(i, x)| x == pat_t(*s, i) as u8),
        }
    }
    /// Holds a heap block.
    fn allocated(&self) -> bool {
        match self {
            Obj::Bytes(b, _) => !b.is_empty(),
            Obj::Words(v, _) => v.capacity() > 0,
            Obj::Text(t, _) => t.capacity() > 0,
        }
    }
}

/// Bounds of a side: slots (a power of two) and largest lengths (powers of two).
#[derive(Clone, Copy)]
struct Limits {
    slots: usize,
    max_bytes: usize,
    max_words: usize,
    max_text: usize,
}

const MAX_SLOTS: usize = 16;

struct Side {
    slots: [Option<Obj>; MAX_SLOTS],
    lim: Limits,
    rng: u32,
    bad: u32,
    steps: u32,
}

impl Side {
    const fn new(rng: u32) -> Self {
        Side {
            slots: [const { None }; MAX_SLOTS],
            lim: Limits { slots: 1, max_bytes: 1, max_words: 1, max_text: 1 },
            rng,
            bad: 0,
            steps: 0,
        }
    }

    fn rand(&mut self) -> u32 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        x
    }

    /// One step on a random slot: create (1 alloc, Vec/String growth
    /// reallocs), resize (grow or shrink: reallocs, a free when shrunk to
    /// nothing), or free. Contents are verified before resizing or freeing.
    fn step(&mut self) {
        let r = self.rand();
        let lim = self.lim;
        let i = r as usize & (lim.slots - 1);
        self.steps += 1;
        let Some(mut obj) = self.slots[i].take() else {
            self.slots[i] = Some(create(r, &lim));
            return;
        };
        if !obj.verify() {
            self.bad += 1;
        }
        if (r >> 28) < 5 {
            drop(obj); // free: 5 in 16
            return;
        }
        let grow = r & (1 << 27) != 0;
        match &mut obj {
            Obj::Bytes(b, s) => {
                // Box<[u8]> -> Vec -> resize -> Box<[u8]>: realloc(s).
                let mut v = core::mem::take(b).into_vec();
                let len = v.len();
                let n = 1 + ((r >> 8) as usize & (lim.max_bytes - 1));
                if n > len {
                    let s = *s;
                    v.extend((len..n).map(|j| pat_b(s, j)));
                } else {
                    v.truncate(n);
                }
                *b = v.into_boxed_slice();
            }
            Obj::Words(v, s) => {
                let len = v.len();
                if grow && len < lim.max_words {
                    let n = (len + 1 + ((r >> 8) as usize & 15)).min(lim.max_words);
                    for j in len..n {
                        v.push(pat_w(*s, j));
                    }
                } else {
                    v.truncate(len >> 1 + ((r >> 8) & 1));
                    v.shrink_to_fit(); // realloc, or a free when empty
                }
            }
            Obj::Text(t, s) => {
                let len = t.len();
                if grow && len < lim.max_text {
                    let n = (len + 1 + ((r >> 8) as usize & 31)).min(lim.max_text);
                    for j in len..n {
                        t.push(pat_t(*s, j));
                    }
                } else {
                    t.truncate(len >> 1 + ((r >> 8) & 1));
                    t.shrink_to_fit();
                }
            }
        }
        self.slots[i] = Some(obj);
    }

    /// Verifies and drops everything; returns the blocks that were held.
    fn clear(&mut self) -> usize {
        let mut held = 0;
        for s in self.slots.iter_mut() {
            if let Some(o) = s.take() {
                if !o.verify() {
                    self.bad += 1;
                }
                held += o.allocated() as usize;
            }
        }
        held
    }

    fn held(&self) -> usize {
        self.slots.iter().flatten().filter(|o| o.allocated()).count()
    }
}

fn create(r: u32, lim: &Limits) -> Obj {
    let seed = (r >> 16) as u8;
    match (r >> 4) & 3 {
        0 | 3 => {
            let n = 1 + ((r >> 8) as usize & (lim.max_bytes - 1));
            Obj::Bytes((0..n).map(|i| pat_b(seed, i)).collect(), seed)
        }
        1 => {
            let n = 1 + ((r >> 8) as usize & (lim.max_words - 1));
            let s = r.rotate_left(7);
            let mut v = Vec::new();
            for i in 0..n {
                v.push(pat_w(s, i));
            }
            Obj::Words(v, s)
        }
        _ => {
            let n = 1 + ((r >> 8) as usize & (lim.max_text - 1));
            let mut t = String::new();
            for i in 0..n {
                t.push(pat_t(seed, i));
            }
            Obj::Text(t, seed)
        }
    }
}

// ---------------------------------------------------------------------------
// SysTick side
// ---------------------------------------------------------------------------

/// The handler's side: touched only by the SysTick handler while it runs, by
/// main only before SysTick starts and after it is stopped.
struct IsrSide(UnsafeCell<Side>);
// SAFETY: see above; the handler cannot preempt itself.
unsafe impl Sync for IsrSide {}
static ISR_SIDE: IsrSide = IsrSide(UnsafeCell::new(Side::new(0xBEEF_1234)));

/// Interrupts taken (timer or pended by main).
static TICKS: AtomicU32 = AtomicU32::new(0);
/// Interrupts with SysTick's COUNTFLAG set: the timer wrapped since the last one.
static TIMER_TICKS: AtomicU32 = AtomicU32::new(0);
static STOP: AtomicBool = AtomicBool::new(false);

const SYST_CSR: *const u32 = 0xE000_E010 as *const u32;
const ICSR: *mut u32 = 0xE000_ED04 as *mut u32;

fn isr_share_below(pct: u32) -> bool {
    let (m, i) = (MAIN_COUNTS.ops(), ISR_COUNTS.ops());
    (i as u64) * 100 < (m as u64 + i as u64) * pct as u64
}

fn on_systick() {
    bump(&TICKS);
    // SAFETY: SysTick CSR; reading clears COUNTFLAG (bit 16).
    if unsafe { SYST_CSR.read_volatile() } & (1 << 16) != 0 {
        bump(&TIMER_TICKS);
    }
    if STOP.load(Ordering::Relaxed) {
        return;
    }
    // SAFETY: only this handler uses ISR_SIDE while SysTick runs.
    let side = unsafe { &mut *ISR_SIDE.0.get() };
    let mut n = 0;
    loop {
        side.step();
        n += 1;
        if n >= MAX_STEPS_PER_TICK || !isr_share_below(ISR_SHARE_TARGET) {
            break;
        }
    }
}

fn stop_systick() {
    STOP.store(true, Ordering::Relaxed);
    rt::systick(None);
    // A tick that was already pending: clear it (ICSR.PENDSTCLR).
    // SAFETY: SCB register, every core.
    unsafe { ICSR.write_volatile(1 << 25) };
    rt::set_systick_handler(None);
    compiler_fence(Ordering::SeqCst);
    // SAFETY: barriers only.
    unsafe { asm!("dsb", "isb", options(nostack, preserves_flags)) };
}

// ---------------------------------------------------------------------------

fn fw_main() -> i32 {
    // Built now, as the first allocation would (statistics alone never build it).
    if rtheap::status().is_err() {
        println!("FAIL: no default heap");
        return 1;
    }
    let base = rtheap::stats();
    let big = base.heap_bytes >= 256 * 1024;
    // Bounded live sets: microbit (16 KiB RAM, ~11 KiB heap) gets smaller ones.
    let (main_lim, isr_lim) = if big {
        (
            Limits { slots: 16, max_bytes: 128, max_words: 32, max_text: 128 },
            Limits { slots: 8, max_bytes: 128, max_words: 32, max_text: 128 },
        )
    } else {
        (
            Limits { slots: 8, max_bytes: 64, max_words: 16, max_text: 64 },
            Limits { slots: 4, max_bytes: 64, max_words: 16, max_text: 64 },
        )
    };
    println!(
        "irq_stress on {}: heap {} bytes, {} allocator calls, SysTick reload {}, handler share target {}%",
        env!("RTHEAP_BOARD"),
        base.heap_bytes,
        TOTAL_OPS,
        RELOAD,
        ISR_SHARE_TARGET
    );
    check!(base.heap_bytes > 0, "no heap");
    check!(rtheap::check() == Ok(()), "{:?}", rtheap::check());

    let mut main = Side::new(0x1234_5678);
    main.lim = main_lim;
    // SAFETY: SysTick is not running yet.
    unsafe { (*ISR_SIDE.0.get()).lim = isr_lim };

    rt::set_systick_handler(Some(on_systick));
    rt::systick(Some(RELOAD));
    let mut pended = 0u32;
    while MAIN_COUNTS.ops() + ISR_COUNTS.ops() < TOTAL_OPS {
        main.step();
        if main.steps % 16 == 0 && isr_share_below(PEND_BELOW) {
            // SAFETY: ICSR.PENDSTSET: SysTick pending (taken at once).
            unsafe { ICSR.write_volatile(1 << 26) };
            pended += 1;
        }
    }
    stop_systick();

    // SAFETY: SysTick is stopped (and nothing pending): main owns the ISR side now.
    let isr = unsafe { &mut *ISR_SIDE.0.get() };
    let ticks = TICKS.load(Ordering::Relaxed);
    let timer_ticks = TIMER_TICKS.load(Ordering::Relaxed);
    let (mo, io) = (MAIN_COUNTS.ops(), ISR_COUNTS.ops());
    let total = mo + io;
    let share10 = (io as u64 * 1000 / total as u64) as u32;
    println!(
        "  main: {} ops ({} steps); SysTick handler: {} ops ({} steps) in {} interrupts \
         ({} from the timer, {} pended by main); handler share {}.{}%",
        mo, main.steps, io, isr.steps, ticks, timer_ticks, pended, share10 / 10, share10 % 10
    );
    for (name, c) in [("main", &MAIN_COUNTS), ("isr", &ISR_COUNTS)] {
        println!(
            "  {}: {} alloc, {} realloc ({} moved), {} dealloc",
            name,
            c.alloc.load(Ordering::Relaxed),
            c.realloc.load(Ordering::Relaxed),
            c.moved.load(Ordering::Relaxed),
            c.dealloc.load(Ordering::Relaxed)
        );
    }
    check!(total >= TOTAL_OPS);
    check!(ticks >= 1000, "only {} interrupts", ticks);
    check!(timer_ticks >= 50, "only {} timer interrupts", timer_ticks);
    check!(share10 >= ISR_SHARE_MIN * 10, "handler share {}.{}% < {}%", share10 / 10, share10 % 10, ISR_SHARE_MIN);
    check!(main.bad == 0, "main saw {} corrupted blocks", main.bad);
    check!(isr.bad == 0, "handler saw {} corrupted blocks", isr.bad);
    check!(rtheap::check() == Ok(()), "{:?}", rtheap::check());

    // Balance while both live sets are still held.
    let sum = |f: fn(&Counts) -> &AtomicU32| {
        let get = |c: &Counts| f(c).load(Ordering::Relaxed);
        get(&MAIN_COUNTS).wrapping_add(get(&ISR_COUNTS))
    };
    let held = main.held() + isr.held();
    let mid = rtheap::stats();
    let counted_live = sum(|c: &Counts| &c.alloc).wrapping_sub(sum(|c: &Counts| &c.dealloc)) as usize;
    check!(mid.live_blocks == base.live_blocks + held,
           "live blocks {} (baseline {}), objects holding blocks {}", mid.live_blocks, base.live_blocks, held);
    check!(counted_live == held, "counted allocs - deallocs = {}, held {}", counted_live, held);

    // Both sides drop everything (verifying contents first).
    let dropped = main.clear() + isr.clear();
    check!(dropped == held);
    check!(main.bad == 0 && isr.bad == 0, "corrupted blocks found at the end");
    let end = rtheap::stats();
    let (allocs, deallocs) = (sum(|c: &Counts| &c.alloc), sum(|c: &Counts| &c.dealloc));
    let (reallocs, moved) = (sum(|c: &Counts| &c.realloc), sum(|c: &Counts| &c.moved));
    check!(end.live_blocks == base.live_blocks, "live blocks {} at start, {} at end", base.live_blocks, end.live_blocks);
    check!(end.used_bytes == base.used_bytes, "used bytes {} at start, {} at end", base.used_bytes, end.used_bytes);
    check!(end.free_bytes == base.free_bytes, "free bytes {} at start, {} at end", base.free_bytes, end.free_bytes);
    check!(allocs == deallocs, "{} allocs, {} deallocs", allocs, deallocs);
    // The heap counts a moving realloc as one alloc + one free + one realloc.
    check!(end.alloc_count.wrapping_sub(base.alloc_count) == allocs.wrapping_add(moved),
           "heap alloc_count +{}, counted {} allocs + {} moves", end.alloc_count.wrapping_sub(base.alloc_count), allocs, moved);
    check!(end.free_count.wrapping_sub(base.free_count) == deallocs.wrapping_add(moved),
           "heap free_count +{}, counted {} deallocs + {} moves", end.free_count.wrapping_sub(base.free_count), deallocs, moved);
    check!(end.realloc_count.wrapping_sub(base.realloc_count) == reallocs,
           "heap realloc_count +{}, counted {}", end.realloc_count.wrapping_sub(base.realloc_count), reallocs);
    check!(end.failed_count == base.failed_count, "{} allocations failed", end.failed_count - base.failed_count);
    check!(end.error_count == 0, "{} heap errors", end.error_count);
    check!(rtheap::check() == Ok(()), "{:?}", rtheap::check());
    println!("  peak used {} bytes with overhead", end.peak_used_bytes);
    println!(
        "irq_stress on {}: {} operations (main {}, SysTick handler {} = {}.{}%, {} interrupts, {} from the timer)",
        env!("RTHEAP_BOARD"), total, mo, io, share10 / 10, share10 % 10, ticks, timer_ticks
    );
    let (p, f) = (PASSED.load(Ordering::Relaxed), FAILED.load(Ordering::Relaxed));
    println!("{} passed, {} failed", p, f);
    if f == 0 { 0 } else { 1 }
}
