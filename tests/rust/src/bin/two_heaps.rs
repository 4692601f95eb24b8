// SPDX-License-Identifier: MIT OR Apache-2.0
//! Two rtheap heaps as Rust values at once: `SRAM`, a
//! `rtheap::Heap` over the RAM the linker script leaves (`__heap_start` ..
//! `__heap_end`), is the `#[global_allocator]`; `SECOND`, another
//! `rtheap::Heap`, is the 16 MiB PSRAM (`__heap2_start` .. `__heap2_end`,
//! mps2-an385/an386) or a static pool (boards without RAM2), and collections
//! name it (`Vec::new_in(&SECOND)`, `Box::new_in(x, &SECOND)`, BTreeMap,
//! VecDeque, Rc). The default heap is never built: nothing calls it, so the
//! two do not overlap it.
//!
//! Checks: init once (twice, too small, use before init), every block in its
//! own heap (addresses against the regions, statistics of both heaps), growth
//! and shrinking in place and moving, alignment up to 4096, zero-size
//! requests, out of memory in one heap leaving the other alone, a block of one
//! heap refused by the other, a SysTick handler allocating from both while the
//! main loop does; at the end both heaps balanced (no live block, as many
//! frees as allocations) and `check()` OK. Prints "N passed, N failed"; exits
//! 0 only if none failed.
#![no_std]
#![no_main]
#![feature(allocator_api, btreemap_alloc)]

extern crate alloc;

#[path = "../rt.rs"]
#[macro_use]
mod rt;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::alloc::{Allocator, GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::ops::Range;
use core::sync::atomic::{AtomicU32, Ordering};
use rtheap::{Heap, InitError, Stats};

/// The global allocator: `Box::new`, `Vec::new`, ... allocate here.
#[global_allocator]
static SRAM: Heap = Heap::new();
/// The second heap: PSRAM, or POOL.
static SECOND: Heap = Heap::new();
/// Never given a region.
static NEVER: Heap = Heap::new();
/// Offered a region too small for a heap.
static TOO_SMALL: Heap = Heap::new();

const POOL_BYTES: usize = 4096;
#[repr(align(8))]
struct Pool<const N: usize>([MaybeUninit<u8>; N]);
static mut POOL: Pool<POOL_BYTES> = Pool([MaybeUninit::uninit(); POOL_BYTES]);
static mut TINY: Pool<32> = Pool([MaybeUninit::uninit(); 32]);

extern "C" {
    static __heap_start: u8;
    static __heap_end: u8;
    static __heap2_start: u8;
    static __heap2_end: u8;
}

static PASSED: AtomicU32 = AtomicU32::new(0);
static FAILED: AtomicU32 = AtomicU32::new(0);

// Armv6-M has no atomic read-modify-write: with interrupts masked.
fn add(a: &AtomicU32, n: u32) {
    rt::interrupt_free(|| a.store(a.load(Ordering::Relaxed).wrapping_add(n), Ordering::Relaxed));
}

macro_rules! check {
    ($cond:expr) => { check!($cond, "") };
    ($cond:expr, $($fmt:tt)*) => {{
        if $cond {
            add(&PASSED, 1);
        } else {
            add(&FAILED, 1);
            println!("{}:{}: CHECK failed: {} {}", file!(), line!(), stringify!($cond),
                     format_args!($($fmt)*));
        }
    }};
}

/// The address range of each heap.
struct Regions {
    sram: Range<usize>,
    second: Range<usize>,
}

/// A linker symbol's address, hidden from the optimiser (a symbol at 0 is
/// legal here, and two symbols may be equal).
fn sym(p: *const u8) -> usize {
    core::hint::black_box(p as usize)
}

/// Whether `[p, p + len)` lies in `r`.
fn inside<T: ?Sized>(p: *const T, len: usize, r: &Range<usize>) -> bool {
    let a = p.cast::<u8>() as usize;
    a >= r.start && a.checked_add(len).is_some_and(|end| end <= r.end)
}

fn live(h: &Heap) -> usize {
    h.stats().live_blocks
}

fn test_init_rules(r: &Regions) {
    check!(!NEVER.is_initialized());
    check!(NEVER.stats() == Stats::default());
    // An empty heap is a consistent one.
    check!(NEVER.check() == Ok(()));
    check!(NEVER.largest_guaranteed() == 0);
    let mut v: Vec<u8, &Heap> = Vec::new_in(&NEVER);
    check!(v.try_reserve(1).is_err(), "allocation from a heap without a region");
    check!(Box::try_new_in(5u32, &NEVER).is_err());
    // SAFETY: a valid layout; null expected.
    check!(unsafe { NEVER.alloc(Layout::new::<u64>()) }.is_null());
    // SAFETY: never used: NEVER has no region to add to.
    check!(unsafe { NEVER.add_region(r.sram.start, 1024) } == Err(InitError::State));

    // SAFETY: only reference to TINY.
    let tiny = unsafe { &mut (*(&raw mut TINY)).0 };
    check!(TOO_SMALL.init_from(tiny) == Err(InitError::Region));
    check!(!TOO_SMALL.is_initialized());

    // init twice: refused, the heap untouched (the region offered is SECOND's own,
    // which a second rtheap_init would wipe).
    let before = SECOND.stats();
    // SAFETY: refused before anything is written.
    let again = unsafe { SECOND.init(r.second.start, r.second.len()) };
    check!(again == Err(InitError::State));
    check!(SECOND.stats() == before && SECOND.check() == Ok(()));
    check!(SRAM.is_initialized() && SECOND.is_initialized());
}

fn test_collections(r: &Regions, n: usize) {
    let (s0, p0) = (SRAM.stats(), SECOND.stats());
    // Vectors growing side by side, one in each heap.
    let mut a: Vec<u32> = Vec::new();
    let mut b: Vec<u32, &Heap> = Vec::new_in(&SECOND);
    let mut misplaced = 0;
    for i in 0..n as u32 {
        let (ca, cb) = (a.capacity(), b.capacity());
        a.push(i);
        b.push(!i);
        if a.capacity() != ca && !inside(a.as_ptr(), a.capacity() * 4, &r.sram) {
            misplaced += 1;
        }
        if b.capacity() != cb && !inside(b.as_ptr(), b.capacity() * 4, &r.second) {
            misplaced += 1;
        }
    }
    check!(misplaced == 0, "{} vector buffers outside their heap", misplaced);
    check!(a.iter().enumerate().all(|(i, &x)| x == i as u32));
    check!(b.iter().enumerate().all(|(i, &x)| x == !(i as u32)));
    check!(live(&SRAM) == s0.live_blocks + 1 && live(&SECOND) == p0.live_blocks + 1);

    // Boxes in the second heap, held by a vector in the first.
    let boxes: Vec<Box<u64, &Heap>> = (0..16u64).map(|i| Box::new_in(i * 3, &SECOND)).collect();
    check!(inside(boxes.as_ptr(), 16 * 4, &r.sram));
    check!(boxes.iter().all(|x| inside(&**x as *const u64, 8, &r.second)), "a box outside SECOND");
    check!(boxes.iter().enumerate().all(|(i, x)| **x == i as u64 * 3));
    check!(live(&SECOND) == p0.live_blocks + 1 + 16);
    check!(live(&SRAM) == s0.live_blocks + 2);

    // A map, a deque and a reference-counted value in the second heap: only its
    // statistics move.
    let s1 = SRAM.stats();
    let p1 = SECOND.stats();
    let mut m: BTreeMap<u32, u32, &Heap> = BTreeMap::new_in(&SECOND);
    for i in 0..40u32 {
        m.insert(i.wrapping_mul(2654435761) % 1000, i);
    }
    let mut d: VecDeque<u16, &Heap> = VecDeque::new_in(&SECOND);
    for i in 0..50u16 {
        if i % 2 == 0 { d.push_front(i) } else { d.push_back(i) }
    }
    let rc = Rc::new_in([1u8, 2, 3], &SECOND);
    let rc2 = Rc::clone(&rc);
    check!(inside(Rc::as_ptr(&rc2), 3, &r.second));
    check!(m.len() == 40 && m.keys().zip(m.keys().skip(1)).all(|(x, y)| x < y));
    check!(d.len() == 50 && d.front() == Some(&48) && d.back() == Some(&49));
    let (as_, ap) = (d.as_slices().0.as_ptr(), d.as_slices().1.as_ptr());
    check!(inside(as_, 2, &r.second) && (d.as_slices().1.is_empty() || inside(ap, 2, &r.second)));
    check!(SRAM.stats().alloc_count == s1.alloc_count, "the map/deque/Rc allocated in SRAM");
    check!(SECOND.stats().live_blocks >= p1.live_blocks + 3 + 1, "map nodes not in SECOND");
    drop((m, d, rc, rc2, boxes, a, b));
    check!(live(&SRAM) == s0.live_blocks && live(&SECOND) == p0.live_blocks, "not all freed");
}

#[repr(C, align(64))]
struct A64([u8; 100]);

fn test_alignment(r: &Regions) {
    let p0 = SECOND.stats();
    let max_align = if r.second.len() >= 64 * 1024 { 4096 } else { 512 };
    let mut align = 16;
    while align <= max_align {
        let l = Layout::from_size_align(24, align).unwrap();
        match SECOND.allocate(l) {
            Ok(p) => {
                let p = p.cast::<u8>();
                check!(p.as_ptr() as usize % align == 0, "align {}: {:p}", align, p);
                check!(inside(p.as_ptr(), 24, &r.second));
                // SAFETY: just allocated with l.
                unsafe { SECOND.deallocate(p, l) };
            }
            Err(_) => check!(false, "align {} failed", align),
        }
        // The same through GlobalAlloc on the global heap.
        // SAFETY: valid layout; freed below.
        let q = unsafe { SRAM.alloc(l) };
        check!(!q.is_null() && q as usize % align == 0 && inside(q, 24, &r.sram), "SRAM align {}", align);
        // SAFETY: allocated above with l.
        unsafe { SRAM.dealloc(q, l) };
        align *= 2;
    }
    let x = Box::new_in(A64([9; 100]), &SECOND);
    let y = Box::new(A64([8; 100]));
    check!(&*x as *const A64 as usize % 64 == 0 && inside(&*x as *const A64, 100, &r.second));
    check!(&*y as *const A64 as usize % 64 == 0 && inside(&*y as *const A64, 100, &r.sram));
    check!(x.0[99] == 9 && y.0[0] == 8);
    drop((x, y));
    check!(live(&SECOND) == p0.live_blocks);
}

fn test_resize(r: &Regions) {
    let l64 = Layout::from_size_align(64, 8).unwrap();
    let l256 = Layout::from_size_align(256, 8).unwrap();
    let l16 = Layout::from_size_align(16, 8).unwrap();
    let p0 = SECOND.stats();
    // Alone in an empty heap, the block is followed by free memory: it grows where it is.
    let p = SECOND.allocate(l64).unwrap().cast::<u8>();
    // SAFETY: 64 bytes of a live block.
    unsafe { p.as_ptr().write_bytes(0x5A, 64) };
    // SAFETY: p is live with l64.
    let g = unsafe { SECOND.grow(p, l64, l256) }.unwrap().cast::<u8>();
    let s = SECOND.stats();
    check!(g == p, "grow did not stay in place: {:p} -> {:p}", p, g);
    check!(s.alloc_count == p0.alloc_count + 1 && s.realloc_count > p0.realloc_count);
    // SAFETY: 256 bytes of a live block; the first 64 kept.
    check!(unsafe { core::slice::from_raw_parts(g.as_ptr(), 64) }.iter().all(|&x| x == 0x5A));
    // Shrinks in place; the tail returns to the heap.
    let before = SECOND.stats().free_bytes;
    // SAFETY: g is live with l256.
    let sh = unsafe { SECOND.shrink(g, l256, l16) }.unwrap().cast::<u8>();
    check!(sh == g && SECOND.stats().free_bytes > before, "shrink in place");
    // A used neighbour: the grow must move, the contents with it.
    let blocker = SECOND.allocate(l64).unwrap().cast::<u8>();
    // SAFETY: 16 bytes of a live block.
    unsafe { sh.as_ptr().write_bytes(0xC3, 16) };
    let s1 = SECOND.stats();
    // SAFETY: sh is live with l16.
    let mv = unsafe { SECOND.grow(sh, l16, l256) }.unwrap().cast::<u8>();
    let s2 = SECOND.stats();
    check!(mv != sh && inside(mv.as_ptr(), 256, &r.second), "moving grow");
    check!(s2.alloc_count == s1.alloc_count + 1 && s2.free_count == s1.free_count + 1);
    // SAFETY: 256 bytes of a live block; the first 16 kept.
    check!(unsafe { core::slice::from_raw_parts(mv.as_ptr(), 16) }.iter().all(|&x| x == 0xC3));
    // grow_zeroed zeroes what is new, keeps what was there.
    let l512 = Layout::from_size_align(512, 8).unwrap();
    // SAFETY: mv is live with l256.
    let z = unsafe { SECOND.grow_zeroed(mv, l256, l512) }.unwrap().cast::<u8>();
    // SAFETY: 512 bytes of a live block.
    let zs = unsafe { core::slice::from_raw_parts(z.as_ptr(), 512) };
    check!(zs[..16].iter().all(|&x| x == 0xC3) && zs[256..].iter().all(|&x| x == 0));
    // A shrink to a stricter alignment than the block has moves it.
    let l_al = Layout::from_size_align(32, 256).unwrap();
    let misaligned = z.as_ptr() as usize % 256 != 0;
    // SAFETY: z is live with l512.
    let al = unsafe { SECOND.shrink(z, l512, l_al) }.unwrap().cast::<u8>();
    check!(al.as_ptr() as usize % 256 == 0 && (misaligned == (al != z)));
    // SAFETY: 16 bytes of a live block, kept.
    check!(unsafe { core::slice::from_raw_parts(al.as_ptr(), 16) }.iter().all(|&x| x == 0xC3));
    // A grow to a stricter alignment honours it (moving when the block is not aligned).
    let l_big = Layout::from_size_align(128, 1024).unwrap();
    // SAFETY: al is live with l_al.
    let ga = unsafe { SECOND.grow(al, l_al, l_big) }.unwrap().cast::<u8>();
    check!(ga.as_ptr() as usize % 1024 == 0 && inside(ga.as_ptr(), 128, &r.second), "grow to align 1024");
    // SAFETY: 16 bytes of a live block, kept.
    check!(unsafe { core::slice::from_raw_parts(ga.as_ptr(), 16) }.iter().all(|&x| x == 0xC3));
    // SAFETY: ga is live with l_big.
    let al = unsafe { SECOND.shrink(ga, l_big, l_al) }.unwrap().cast::<u8>();
    check!(al == ga, "shrink keeping a satisfied alignment moved");
    // Shrink to nothing frees.
    // SAFETY: al is live with l_al.
    let e = unsafe { SECOND.shrink(al, l_al, Layout::from_size_align(0, 8).unwrap()) }.unwrap();
    check!(e.len() == 0);
    // SAFETY: live with l64.
    unsafe { SECOND.deallocate(blocker, l64) };
    check!(live(&SECOND) == p0.live_blocks, "resize leaked: {} live", live(&SECOND));

    // Vec growth and shrink_to_fit in the second heap, contents checked.
    let mut v: Vec<u16, &Heap> = Vec::with_capacity_in(4, &SECOND);
    for i in 0..300u16 {
        v.push(i);
    }
    let at = v.as_ptr();
    v.truncate(10);
    v.shrink_to_fit();
    check!(v.as_ptr() == at && v.capacity() == 10, "shrink_to_fit moved or kept capacity");
    check!(v.iter().enumerate().all(|(i, &x)| x == i as u16));
    drop(v);

    // Zero-size: no block at all.
    let n0 = live(&SECOND);
    let l0 = Layout::from_size_align(0, 16).unwrap();
    let z0 = SECOND.allocate(l0).unwrap();
    check!(z0.len() == 0 && z0.cast::<u8>().as_ptr() as usize % 16 == 0);
    // SAFETY: from allocate(l0).
    unsafe { SECOND.deallocate(z0.cast(), l0) };
    let unit = Box::new_in((), &SECOND);
    let empty: Vec<u64, &Heap> = Vec::with_capacity_in(0, &SECOND);
    check!(live(&SECOND) == n0, "zero-size requests took blocks");
    drop((unit, empty));
    // Through GlobalAlloc a zero size gets a (unique, freeable) minimum block.
    // SAFETY: freed below.
    let g0 = unsafe { SECOND.alloc(Layout::from_size_align(0, 8).unwrap()) };
    check!(!g0.is_null() && live(&SECOND) == n0 + 1);
    // SAFETY: from alloc.
    unsafe { SECOND.dealloc(g0, Layout::from_size_align(0, 8).unwrap()) };
    check!(live(&SECOND) == n0);
}

fn test_exhaustion(r: &Regions) {
    let (s0, p0) = (SRAM.stats(), SECOND.stats());
    let mut v: Vec<u8, &Heap> = Vec::new_in(&SECOND);
    check!(v.try_reserve_exact(r.second.len()).is_err(), "more than the heap");
    let (s1, p1) = (SRAM.stats(), SECOND.stats());
    check!(p1.failed_count == p0.failed_count + 1 && s1.failed_count == s0.failed_count);
    // What largest_guaranteed promises is there.
    let lg = SECOND.largest_guaranteed();
    check!(lg > 0 && lg < r.second.len());
    check!(v.try_reserve_exact(lg).is_ok(), "largest_guaranteed {} failed", lg);
    check!(inside(v.as_ptr(), lg, &r.second));
    drop(v);
    // PSRAM holds what SRAM cannot.
    if r.second.len() > r.sram.len() {
        let big = Layout::from_size_align(r.sram.len() + 1024 * 1024, 8).unwrap();
        // SAFETY: valid layouts; a null result is expected from SRAM.
        let in_sram = unsafe { SRAM.alloc(big) };
        check!(in_sram.is_null(), "SRAM gave a block larger than itself");
        let in_second = SECOND.allocate(big);
        check!(in_second.is_ok_and(|p| inside(p.as_ptr(), big.size(), &r.second)));
        if let Ok(p) = in_second {
            // SAFETY: allocated above.
            unsafe { SECOND.deallocate(p.cast(), big) };
        }
        check!(SRAM.stats().failed_count == s0.failed_count + 1);
    }
    check!(live(&SECOND) == p0.live_blocks && live(&SRAM) == s0.live_blocks);
}

fn test_foreign_block() {
    // A block of SRAM handed to SECOND is refused (and counted) by the C side,
    // and SRAM's block stays live.
    let b = Box::into_raw(Box::new(0x1234_5678u64));
    let (s0, p0) = (SRAM.stats(), SECOND.stats());
    // SAFETY: SECOND validates the pointer and refuses it (a foreign pointer).
    unsafe { SECOND.dealloc(b.cast(), Layout::new::<u64>()) };
    let (s1, p1) = (SRAM.stats(), SECOND.stats());
    check!(p1.error_count == p0.error_count + 1 && p1.free_count == p0.free_count);
    check!(s1.live_blocks == s0.live_blocks && SRAM.check() == Ok(()));
    // SAFETY: still SRAM's live block.
    check!(unsafe { *b } == 0x1234_5678);
    // SAFETY: from Box::into_raw.
    drop(unsafe { Box::from_raw(b) });
}

static TICKS: AtomicU32 = AtomicU32::new(0);
static TICK_FAILS: AtomicU32 = AtomicU32::new(0);

/// SysTick: one block from each heap, freed again.
fn tick() {
    let a = Box::try_new_in(TICKS.load(Ordering::Relaxed), &SECOND);
    let b: Result<Box<[u8; 24]>, _> = Box::try_new([7; 24]);
    if a.is_err() || b.is_err() {
        TICK_FAILS.store(TICK_FAILS.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }
    TICKS.store(TICKS.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

fn test_interrupts(n: usize) {
    let (s0, p0) = (SRAM.stats(), SECOND.stats());
    rt::set_systick_handler(Some(tick));
    rt::systick(Some(4000));
    let mut a: Vec<u32> = Vec::new();
    let mut b: Vec<u32, &Heap> = Vec::new_in(&SECOND);
    let mut rounds = 0;
    // Until 50 SysTick interrupts have allocated in between, bounded.
    while TICKS.load(Ordering::Relaxed) < 50 && rounds < 2_000_000 {
        rounds += 1;
        a.push(rounds);
        b.push(rounds);
        if a.len() >= n {
            a = Vec::new();
            b = Vec::new_in(&SECOND);
        }
    }
    rt::systick(None);
    rt::set_systick_handler(None);
    drop((a, b));
    check!(TICKS.load(Ordering::Relaxed) >= 50, "{} ticks in {} rounds", TICKS.load(Ordering::Relaxed), rounds);
    check!(TICK_FAILS.load(Ordering::Relaxed) == 0);
    check!(live(&SRAM) == s0.live_blocks && live(&SECOND) == p0.live_blocks);
    check!(SRAM.check() == Ok(()) && SECOND.check() == Ok(()));
}

fn balanced(name: &str, h: &Heap) {
    let s = h.stats();
    println!(
        "  {}: {} bytes in {} region(s); {} allocations, {} frees, {} reallocs, {} failed, {} errors, {} live, peak {}",
        name, s.heap_bytes, s.region_count, s.alloc_count, s.free_count, s.realloc_count,
        s.failed_count, s.error_count, s.live_blocks, s.peak_used_bytes
    );
    check!(s.live_blocks == 0 && s.used_bytes == 0, "{}: {} blocks live", name, s.live_blocks);
    check!(s.alloc_count == s.free_count && s.alloc_count > 0, "{}: unbalanced", name);
    check!(h.check() == Ok(()), "{}: {:?}", name, h.check());
}

fn fw_main() -> i32 {
    // Addresses of linker symbols only (no read: safe).
    let (hs, he, h2s, h2e) =
        (&raw const __heap_start, &raw const __heap_end, &raw const __heap2_start, &raw const __heap2_end);
    let sram = sym(hs)..sym(he);
    // SAFETY: the linker script leaves [__heap_start, __heap_end) to the heap; the
    // default heap, which would take it too, is never built.
    if let Err(e) = unsafe { SRAM.init(sram.start, sram.len()) } {
        println!("FAIL: SRAM.init: {}", e);
        return 1;
    }
    let psram = sym(h2s)..sym(h2e);
    let (second, what) = if psram.end > psram.start {
        // SAFETY: RAM2 is all heap (boards/<board>/ram2.x), and only this one's.
        let ok = unsafe { SECOND.init(psram.start, psram.len()) };
        (psram, if ok.is_ok() { "PSRAM" } else { "PSRAM (init failed)" })
    } else {
        // SAFETY: the only reference to POOL ever made.
        let pool = unsafe { &mut (*(&raw mut POOL)).0 };
        let start = pool.as_ptr() as usize;
        let ok = SECOND.init_from(pool);
        (start..start + POOL_BYTES, if ok.is_ok() { "static pool" } else { "static pool (init failed)" })
    };
    println!(
        "two_heaps on {}: SRAM {:#x}..{:#x} (global allocator), second heap {:#x}..{:#x} ({})",
        env!("RTHEAP_BOARD"), sram.start, sram.end, second.start, second.end, what
    );
    if !SECOND.is_initialized() {
        println!("FAIL: the second heap has no region");
        return 1;
    }
    let r = Regions { sram, second };
    // Scale: the smaller heap decides (micro:bit: a 4 KiB pool, 7 KiB of SRAM).
    let n = (r.second.len().min(r.sram.len()) / 32).min(2000);

    test_init_rules(&r);
    test_collections(&r, n);
    test_alignment(&r);
    test_resize(&r);
    test_exhaustion(&r);
    test_foreign_block();
    test_interrupts(n.min(200));

    balanced("SRAM", &SRAM);
    balanced("second", &SECOND);
    let (passed, failed) = (PASSED.load(Ordering::Relaxed), FAILED.load(Ordering::Relaxed));
    println!("{} passed, {} failed", passed, failed);
    if failed == 0 { 0 } else { 1 }
}
