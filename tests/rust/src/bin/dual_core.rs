// SPDX-License-Identifier: MIT OR Apache-2.0
//! Two cores, one heap, in Rust (mps2-an521: SSE-200, two Cortex-M33). Both
//! cores, and CPU0's SysTick handler, run a mixed workload at once on the
//! default rtheap heap through the global allocator (a 32 KiB pool given to
//! `rtheap::init`): `Box<[u8]>` of 1 to 320 bytes, `vec![0; n]` (alloc_zeroed),
//! `Vec<u32>` and `String` growing by push (realloc) and shrinking
//! (`shrink_to_fit`, `into_boxed_slice`), boxes aligned to 16, 64 and 128, and
//! drops. Every byte of every block holds its owner's pattern (the side's tag
//! and the slot), checked before every resize and drop, after every resize
//! and at the end; a zeroed block is checked to be zero first.
//!
//! The lock is chosen by the feature the firmware is built with: `smp-spin`
//! (rtheap's feature `spin-lock`, with docs/multicore.md's `rtheap_core_id()`),
//! `smp-user` (`user-lock`, through the snippet of docs/multicore.md that
//! forwards it to the critical-section crate, here a stand-in whose
//! implementation is PRIMASK plus Peterson's algorithm), or `smp` alone: the
//! default PRIMASK lock, which cannot keep the other core out (the negative
//! control).
//!
//! First, both cores give the same `rtheap::Heap` a region of their own at
//! once: exactly one `init` must win (the other gets `InitError::State`), and
//! the heap must be the winner's.
//!
//! The global allocator checks every block it hands out: inside the pool,
//! aligned as asked. After both cores are done CPU0 checks the contents, the
//! statistics against what each side counted (live blocks, alloc, free and
//! realloc counts: a lost counter update shows here), `rtheap::check()`, that
//! no error was reported (error, failed and quarantine counts), and after
//! dropping everything that the heap is empty and whole again.
//!
//! Damage seen while the cores run (a block changed under its owner, a block
//! outside the heap or misaligned, a failed allocation, which 28 small blocks
//! in 32 KiB never cause) stops both cores and ends the run at once, before a
//! wild pointer can fault: "dual_core: the heap was damaged: ..." and exit 1,
//! the same line and status as a failed final check. "dual_core: OK" and 0
//! when everything holds; 2 if CPU1 did not start or finish or the handler
//! never ran; faults exit 3 (rt.rs).
//!
//! Run under QEMU with `-icount shift=0,sleep=off` and the semihosting command
//! line `ops=N period=P` (`-append`): N steps per core, CPU0's SysTick reload
//! P. The running SysTick makes QEMU switch cores every 50 * (P + 1)
//! instructions, so each period is one fine interleaving, the same on every
//! run. CPU1 takes no interrupts (under -icount QEMU 7.2 stops running a core
//! once its SysTick interrupt is enabled).
#![no_std]
#![no_main]

extern crate alloc;

#[path = "../rt.rs"]
#[macro_use]
mod rt;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::arch::{asm, global_asm};
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// The lock the firmware was built with, for its output.
const LOCK: &str = if cfg!(feature = "smp-spin") {
    "spin-lock"
} else if cfg!(feature = "smp-user") {
    "user-lock (critical-section, Peterson)"
} else {
    "PRIMASK"
};

const HEAP_BYTES: usize = 32 * 1024;
const SLOTS: usize = 12;
const ISR_SLOTS: usize = 4;
/// Exit status when the cores or the handler did not run as planned.
const EXIT_SETUP: i32 = 2;

// ---------------------------------------------------------------------------
// The SSE-200: which core, and CPU1's start
// ---------------------------------------------------------------------------

/// CPU_IDENTITY (Secure alias): 0 on CPU0, 1 on CPU1, each core its own.
const CPU_IDENTITY: *const u32 = 0x5001_F000 as *const u32;
/// System control (Secure only): CPU1's vector table at reset, and CPUWAIT,
/// whose bit 1 holds CPU1 in reset (set at power-up).
const INITSVTOR1: *mut u32 = 0x5002_1114 as *mut u32;
const CPUWAIT: *mut u32 = 0x5002_1118 as *mut u32;

fn core_id() -> u32 {
    // SAFETY: a read-only register of the core that reads it.
    unsafe { CPU_IDENTITY.read_volatile() }
}

// The spinlock's core number (rtheap's feature `spin-lock`): rtheap_core_id(), as
// docs/multicore.md writes it (tests/rust/build.rs copies the snippet).
#[cfg(feature = "smp-spin")]
include!(concat!(env!("OUT_DIR"), "/smp-rust-core-id.rs"));

/// CPU1's stack: in .bss, zeroed by CPU0 before CPU1 starts.
#[repr(C, align(8))]
struct Stack([u8; 8192]);
#[unsafe(no_mangle)]
static mut DUAL_CPU1_STACK: Stack = Stack([0; 8192]);

// CPU1's vector table (VTOR: aligned to its size rounded up to a power of two):
// its own stack, its own reset entry, rt.rs's fault reports; no interrupts.
global_asm!(
    r#"
    .section .rodata.dual_cpu1_vectors, "a", %progbits
    .p2align 9
    .global dual_cpu1_vectors
dual_cpu1_vectors:
    .word DUAL_CPU1_STACK + 8192
    .word dual_cpu1_main
    .word rt_nmi
    .word rt_hardfault
    .word rt_memmanage
    .word rt_busfault
    .word rt_usagefault
    .word rt_securefault
    .word 0, 0, 0
    .rept 5
    .word rt_default_handler
    .endr
    .rept 48
    .word rt_default_handler
    .endr
    .size dual_cpu1_vectors, . - dual_cpu1_vectors
"#
);

extern "C" {
    static dual_cpu1_vectors: [u32; 64];
}

/// Releases CPU1 from reset: it loads SP and PC from its own table.
fn start_cpu1() {
    // SAFETY: SSE-200 system control registers; the table first, since the
    // release resets CPU1, which then reads it.
    unsafe {
        INITSVTOR1.write_volatile(core::ptr::addr_of!(dual_cpu1_vectors) as u32);
        asm!("dsb", options(nostack, preserves_flags));
        CPUWAIT.write_volatile(CPUWAIT.read_volatile() & !2);
        asm!("dsb", "isb", options(nostack, preserves_flags));
    }
}

static READY1: AtomicBool = AtomicBool::new(false);
static GO: AtomicBool = AtomicBool::new(false);
static DONE1: AtomicBool = AtomicBool::new(false);
/// Set when damage is seen: every side stops.
static STOP: AtomicBool = AtomicBool::new(false);
static OPS_PER_CORE: AtomicU32 = AtomicU32::new(5000);

/// A heap both cores try to init at once, with a pool each.
static CONTESTED: rtheap::Heap = rtheap::Heap::empty();
const CONTESTED_BYTES: usize = 2048;
static mut CONTESTED_POOLS: [Pool2K; 2] = [const { Pool2K([MaybeUninit::uninit(); CONTESTED_BYTES]) }; 2];
#[repr(C, align(8))]
struct Pool2K([MaybeUninit<u8>; CONTESTED_BYTES]);
/// Each core's init result: 0 not yet, 1 Ok, 2 Err(State), 3 other.
static CONTEST: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];

/// This core's init of CONTESTED, with its own pool.
fn contest(core: usize) {
    // SAFETY: each core takes its own pool, once.
    let pool = unsafe { &mut (*core::ptr::addr_of_mut!(CONTESTED_POOLS))[core].0 };
    let r = match CONTESTED.init_from(pool) {
        Ok(()) => 1,
        Err(rtheap::InitError::State) => 2,
        Err(_) => 3,
    };
    CONTEST[core].store(r, Ordering::Release);
}

#[unsafe(no_mangle)]
extern "C" fn dual_cpu1_main() -> ! {
    READY1.store(true, Ordering::SeqCst);
    while !GO.load(Ordering::Acquire) {}
    contest(1);
    // SAFETY: CPU1 is the only user of its side until DONE1.
    let side = unsafe { SIDES[1].get() };
    let ops = OPS_PER_CORE.load(Ordering::Relaxed);
    while side.ops < ops && !STOP.load(Ordering::Relaxed) {
        side.step();
    }
    DONE1.store(true, Ordering::Release);
    loop {
        // SAFETY: waits; CPU1 has no more work.
        unsafe { asm!("wfi", options(nomem, nostack, preserves_flags)) };
    }
}

// ---------------------------------------------------------------------------
// The user lock: docs/multicore.md's forwarding to critical-section, over a
// stand-in of that crate with a two-core implementation
// ---------------------------------------------------------------------------

#[cfg(feature = "smp-user")]
mod critical_section {
    //! The critical-section crate's interface (`acquire`, `release`, an opaque
    //! `Copy` `RestoreState` of one byte, as its feature `restore-state-u8`
    //! gives) with what a two-core HAL implements behind it: interrupts masked
    //! on this core (PRIMASK), then Peterson's algorithm between the two cores
    //! (plain loads and stores: it works on Armv6-M too), nesting by core.
    use core::arch::asm;
    use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

    /// Bit 0: interrupts were masked before the acquire. Bit 1: the acquire
    /// nested (the core held the lock already), so its release keeps it.
    #[derive(Clone, Copy, Debug)]
    pub struct RestoreState(u8);
    const MASKED: u8 = 1;
    const NESTED: u8 = 2;

    static WANTS: [AtomicBool; 2] = [AtomicBool::new(false), AtomicBool::new(false)];
    static TURN: AtomicU32 = AtomicU32::new(0);
    /// The holder's core number + 1, 0 when free. Only the holder writes it,
    /// and a core compares it with its own number only.
    static HOLDER: AtomicU32 = AtomicU32::new(0);

    /// # Safety
    /// Paired with one `release` of its state, properly nested.
    pub unsafe fn acquire() -> RestoreState {
        let primask: u32;
        // SAFETY: masks interrupts on this core; release restores them.
        unsafe { asm!("mrs {}, primask", "cpsid i", out(reg) primask, options(nostack, preserves_flags)) };
        let masked = (primask & 1) as u8;
        let me = super::core_id();
        if HOLDER.load(Ordering::Relaxed) == me + 1 {
            return RestoreState(masked | NESTED);
        }
        let other = 1 - me;
        // SeqCst: each store is done before the loads of the wait (DMB after the
        // store), and the heap's accesses stay after the wait (DMB after the load).
        WANTS[me as usize].store(true, Ordering::SeqCst);
        TURN.store(other, Ordering::SeqCst);
        // No spin_loop() hint: its YIELD makes QEMU's -icount scheduler run the other
        // core alone until that one waits too, which thins out the interleaving.
        while WANTS[other as usize].load(Ordering::SeqCst) && TURN.load(Ordering::SeqCst) == other {}
        HOLDER.store(me + 1, Ordering::Relaxed);
        RestoreState(masked)
    }

    /// # Safety
    /// `state` is the one its `acquire` returned.
    pub unsafe fn release(state: RestoreState) {
        if state.0 & NESTED != 0 {
            return;
        }
        HOLDER.store(0, Ordering::Relaxed);
        // SeqCst: the heap's accesses are done before the other core may enter.
        WANTS[super::core_id() as usize].store(false, Ordering::SeqCst);
        if state.0 & MASKED == 0 {
            // SAFETY: interrupts were enabled before the acquire.
            unsafe { asm!("cpsie i", options(nomem, nostack, preserves_flags)) };
        }
    }
}

// rtheap_user_lock_acquire and rtheap_user_lock_release, as docs/multicore.md
// writes them (tests/rust/build.rs copies the snippet).
#[cfg(feature = "smp-user")]
include!(concat!(env!("OUT_DIR"), "/smp-rust-critical-section.rs"));

// ---------------------------------------------------------------------------
// The heap, and the global allocator that checks and counts what it does
// ---------------------------------------------------------------------------

#[repr(C, align(8))]
struct Pool([MaybeUninit<u8>; HEAP_BYTES]);
static mut POOL: Pool = Pool([MaybeUninit::uninit(); HEAP_BYTES]);

fn pool_range() -> (usize, usize) {
    let start = core::ptr::addr_of!(POOL) as usize;
    (start, start + HEAP_BYTES)
}

/// Allocator calls of one side. Each set has one writer (its side), so a
/// load and a store make an increment.
struct Counts {
    alloc: AtomicU32,
    dealloc: AtomicU32,
    realloc: AtomicU32,
    /// Reallocs that returned a new address (the heap counts an alloc and a free).
    moved: AtomicU32,
}

impl Counts {
    const fn new() -> Self {
        Counts { alloc: AtomicU32::new(0), dealloc: AtomicU32::new(0), realloc: AtomicU32::new(0), moved: AtomicU32::new(0) }
    }
}

fn bump(a: &AtomicU32) {
    a.store(a.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

/// CPU0's main loop, CPU1, CPU0's SysTick handler.
static COUNTS: [Counts; 3] = [Counts::new(), Counts::new(), Counts::new()];
const SIDE_NAMES: [&str; 3] = ["cpu0", "cpu1", "cpu0 SysTick handler"];

fn in_handler() -> bool {
    let ipsr: u32;
    // SAFETY: reads a special register.
    unsafe { asm!("mrs {}, ipsr", out(reg) ipsr, options(nomem, nostack, preserves_flags)) };
    ipsr & 0x1ff != 0
}

/// The side that is calling: its index in COUNTS and SIDES.
fn side_index() -> usize {
    if core_id() == 1 {
        1
    } else if in_handler() {
        2
    } else {
        0
    }
}

/// Ends the run: what was found, and exit status 1 (QEMU stops both cores).
fn damaged(args: core::fmt::Arguments<'_>) -> ! {
    static REPORTED: AtomicBool = AtomicBool::new(false);
    STOP.store(true, Ordering::SeqCst);
    // One report: a core that finds damage too waits for the other's exit.
    if REPORTED.swap(true, Ordering::SeqCst) {
        loop {}
    }
    println!("dual_core: the heap was damaged: {} ({})", args, SIDE_NAMES[side_index()]);
    rt::exit(1)
}

/// A block the heap handed out: there, inside the pool, aligned as asked.
fn handed_out(p: *mut u8, size: usize, align: usize) {
    let (lo, hi) = pool_range();
    let at = p as usize;
    if p.is_null() {
        // 28 small blocks never fill 32 KiB: the heap lost track of its memory.
        let st = rtheap::stats();
        damaged(format_args!(
            "an allocation of {} bytes failed, with {} blocks live and {} bytes free",
            size, st.live_blocks, st.free_bytes
        ));
    }
    if at < lo || at > hi || size > hi - at || at % align != 0 {
        damaged(format_args!("block {:#x} of {} bytes (align {}) outside the heap or misaligned", at, size, align));
    }
}

/// rtheap::RtHeap, checked and counted per side.
struct Checked;

unsafe impl GlobalAlloc for Checked {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { rtheap::RtHeap.alloc(layout) };
        handed_out(p, layout.size(), layout.align());
        bump(&COUNTS[side_index()].alloc);
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { rtheap::RtHeap.alloc_zeroed(layout) };
        handed_out(p, layout.size(), layout.align());
        bump(&COUNTS[side_index()].alloc);
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { rtheap::RtHeap.dealloc(ptr, layout) };
        bump(&COUNTS[side_index()].dealloc);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { rtheap::RtHeap.realloc(ptr, layout, new_size) };
        handed_out(p, new_size, layout.align());
        let c = &COUNTS[side_index()];
        bump(&c.realloc);
        if p != ptr {
            bump(&c.moved);
        }
        p
    }
}

#[global_allocator]
static HEAP: Checked = Checked;

// ---------------------------------------------------------------------------
// The workload
// ---------------------------------------------------------------------------

#[repr(C, align(16))]
struct A16([u8; 40]);
#[repr(C, align(64))]
struct A64([u8; 64]);
#[repr(C, align(128))]
struct A128([u8; 136]);

/// A live object; every byte of it is its owner's pattern.
enum Obj {
    Bytes(Box<[u8]>),
    /// Allocated zeroed (`vec![0; n]`), then filled.
    Zeroed(Vec<u8>),
    Words(Vec<u32>),
    Text(String),
    Al16(Box<A16>),
    Al64(Box<A64>),
    Al128(Box<A128>),
}

impl Obj {
    /// Holds a heap block.
    fn allocated(&self) -> bool {
        match self {
            Obj::Bytes(b) => !b.is_empty(),
            Obj::Zeroed(v) => v.capacity() > 0,
            Obj::Words(v) => v.capacity() > 0,
            Obj::Text(t) => t.capacity() > 0,
            Obj::Al16(_) | Obj::Al64(_) | Obj::Al128(_) => true,
        }
    }

    /// Every byte is `b`.
    fn intact(&self, b: u8) -> bool {
        let all = |s: &[u8]| s.iter().all(|&x| x == b);
        match self {
            Obj::Bytes(v) => all(v),
            Obj::Zeroed(v) => all(v),
            Obj::Words(v) => v.iter().all(|&w| w == word(b)),
            Obj::Text(t) => t.bytes().all(|x| x == letter(b) as u8),
            Obj::Al16(x) => all(&x.0),
            Obj::Al64(x) => all(&x.0),
            Obj::Al128(x) => all(&x.0),
        }
    }
}

fn word(b: u8) -> u32 {
    u32::from_ne_bytes([b; 4])
}

/// A printable character for a string's pattern (its low six bits).
fn letter(b: u8) -> char {
    (b'0' + (b & 63)) as char
}

struct Side {
    slots: [Option<Obj>; SLOTS],
    nslots: usize,
    tag: u8,
    rng: u32,
    ops: u32,
    bad: u32,
}

impl Side {
    const fn new(tag: u8, rng: u32, nslots: usize) -> Self {
        Side { slots: [const { None }; SLOTS], nslots, tag, rng, ops: 0, bad: 0 }
    }

    fn rand(&mut self) -> u32 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        x
    }

    /// Slot i's pattern: the side's tag and the slot (never 0, and the three
    /// sides' ranges do not overlap).
    fn pattern(&self, i: usize) -> u8 {
        self.tag + 1 + 2 * i as u8
    }

    /// A block that changed under its owner: counted, and every side stops.
    fn check(&mut self, obj: &Obj, b: u8) {
        if !obj.intact(b) {
            self.bad += 1;
            STOP.store(true, Ordering::SeqCst);
        }
    }

    /// One step on a random slot: create an object (an allocation, and Vec or
    /// String growth), or resize one (realloc, or a free when shrunk to
    /// nothing), or drop it (a free).
    fn step(&mut self) {
        let r = self.rand();
        let i = (r as usize) % self.nslots;
        let b = self.pattern(i);
        let n = 1 + ((r >> 12) as usize) % 320;
        self.ops += 1;
        let Some(mut obj) = self.slots[i].take() else {
            let obj = self.create(r, n, b);
            self.check(&obj, b);
            self.slots[i] = Some(obj);
            return;
        };
        self.check(&obj, b);
        if (r >> 8) & 7 < 3 {
            return; // dropped: a free
        }
        let grow = r & (1 << 31) != 0;
        match &mut obj {
            Obj::Bytes(bytes) => {
                // Box<[u8]> -> Vec -> resized -> Box<[u8]>: reallocs.
                let mut v = core::mem::take(bytes).into_vec();
                v.resize(n, b);
                *bytes = v.into_boxed_slice();
            }
            Obj::Zeroed(v) => {
                if grow && v.len() < 200 {
                    v.reserve_exact(n);
                    v.resize(v.len() + n, b);
                } else {
                    v.truncate(v.len() / 2);
                    v.shrink_to_fit();
                }
            }
            Obj::Words(v) => {
                if grow && v.len() < 64 {
                    for _ in 0..1 + n / 16 {
                        v.push(word(b));
                    }
                } else {
                    v.truncate(v.len() / 3);
                    v.shrink_to_fit();
                }
            }
            Obj::Text(t) => {
                if grow && t.len() < 200 {
                    for _ in 0..1 + n / 8 {
                        t.push(letter(b));
                    }
                } else {
                    t.truncate(t.len() / 3);
                    t.shrink_to_fit();
                }
            }
            // Fixed sizes: replaced by a new box, the old one dropped.
            Obj::Al16(_) | Obj::Al64(_) | Obj::Al128(_) => obj = self.create(r >> 3, n, b),
        }
        self.check(&obj, b);
        self.slots[i] = Some(obj);
    }

    fn create(&mut self, r: u32, n: usize, b: u8) -> Obj {
        match (r >> 4) % 8 {
            0 | 1 => Obj::Bytes(vec![b; n].into_boxed_slice()),
            2 => {
                let mut v = vec![0u8; n];
                if v.iter().any(|&x| x != 0) {
                    self.bad += 1;
                    STOP.store(true, Ordering::SeqCst);
                }
                v.fill(b);
                Obj::Zeroed(v)
            }
            3 => {
                let mut v = Vec::new();
                for _ in 0..1 + n / 8 {
                    v.push(word(b));
                }
                Obj::Words(v)
            }
            4 => {
                let mut t = String::new();
                for _ in 0..1 + n / 4 {
                    t.push(letter(b));
                }
                Obj::Text(t)
            }
            5 => Obj::Al16(Box::new(A16([b; 40]))),
            6 => Obj::Al64(Box::new(A64([b; 64]))),
            _ => Obj::Al128(Box::new(A128([b; 136]))),
        }
    }

    /// Objects that hold a heap block.
    fn held(&self) -> usize {
        self.slots.iter().flatten().filter(|o| o.allocated()).count()
    }

    /// Checks and drops everything.
    fn clear(&mut self) {
        for i in 0..SLOTS {
            if let Some(obj) = self.slots[i].take() {
                let b = self.pattern(i);
                self.check(&obj, b);
            }
        }
    }
}

/// The three sides; each is used by one context at a time (its own, and
/// CPU0's main loop once that context has stopped).
struct SideCell(UnsafeCell<Side>);
// SAFETY: see above.
unsafe impl Sync for SideCell {}
impl SideCell {
    /// # Safety
    /// The caller is the side's only user now.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self) -> &mut Side {
        // SAFETY: the caller's promise.
        unsafe { &mut *self.0.get() }
    }
}
static SIDES: [SideCell; 3] = [
    SideCell(UnsafeCell::new(Side::new(0x11, 0x0001_2345, SLOTS))),
    SideCell(UnsafeCell::new(Side::new(0x77, 0x9E37_79B9, SLOTS))),
    SideCell(UnsafeCell::new(Side::new(0xC3, 0x0000_BEEF, ISR_SLOTS))),
];

// ---------------------------------------------------------------------------
// CPU0's SysTick handler
// ---------------------------------------------------------------------------

static TICKS: AtomicU32 = AtomicU32::new(0);
static ISR_EVERY: AtomicU32 = AtomicU32::new(1);
static ISR_STOP: AtomicBool = AtomicBool::new(false);

fn on_systick() {
    let n = TICKS.load(Ordering::Relaxed) + 1;
    TICKS.store(n, Ordering::Relaxed);
    if !ISR_STOP.load(Ordering::Relaxed) && !STOP.load(Ordering::Relaxed) && n % ISR_EVERY.load(Ordering::Relaxed) == 0 {
        // SAFETY: the handler's side, used by nothing else while SysTick runs.
        unsafe { SIDES[2].get() }.step();
    }
}

// ---------------------------------------------------------------------------
// CPU0
// ---------------------------------------------------------------------------

/// The semihosting command line (SYS_GET_CMDLINE): the kernel's path and
/// -append's text.
fn cmdline(buf: &mut [u8; 160]) -> &str {
    let mut block = [buf.as_mut_ptr() as usize, buf.len() - 1];
    // SAFETY: SYS_GET_CMDLINE takes a pointer to (buffer, length) and writes both.
    let r = unsafe { rt::semihost(0x15, block.as_mut_ptr() as usize) };
    let len = if r == 0 { block[1].min(buf.len()) } else { 0 };
    core::str::from_utf8(&buf[..len]).unwrap_or("")
}

/// The number after ` key=` in the command line, or `default`.
fn option(line: &str, key: &str, default: u32) -> u32 {
    line.split(' ')
        .filter_map(|w| w.strip_prefix(key)?.strip_prefix('='))
        .find_map(|v| v.parse().ok())
        .unwrap_or(default)
}

fn wait_for(flag: &AtomicBool) -> bool {
    (0..50_000_000u32).any(|_| flag.load(Ordering::Acquire))
}

const ICSR: *mut u32 = 0xE000_ED04 as *mut u32;

fn fw_main() -> i32 {
    let mut buf = [0u8; 160];
    let line = cmdline(&mut buf);
    let ops = option(line, "ops", 5000);
    let period = option(line, "period", 100);
    OPS_PER_CORE.store(ops, Ordering::Relaxed);
    // The handler's share: one step about every 10,000 instructions, whatever P.
    ISR_EVERY.store(1 + 200 / (period + 1), Ordering::Relaxed);

    // SAFETY: the only reference to POOL ever made.
    if rtheap::init_from(unsafe { &mut (*core::ptr::addr_of_mut!(POOL)).0 }).is_err() {
        println!("dual_core: rtheap::init refused the pool");
        return EXIT_SETUP;
    }
    start_cpu1();
    if !wait_for(&READY1) {
        println!("dual_core: CPU1 did not start");
        return EXIT_SETUP;
    }
    rt::set_systick_handler(Some(on_systick));
    // The running SysTick also sets QEMU's next switch of cores.
    rt::systick(Some(period));
    GO.store(true, Ordering::Release);
    contest(0);
    // SAFETY: CPU0's main loop is its side's only user.
    let cpu0 = unsafe { SIDES[0].get() };
    while cpu0.ops < ops && !STOP.load(Ordering::Relaxed) {
        cpu0.step();
    }
    if !wait_for(&DONE1) {
        // SAFETY: a racy read of CPU1's step count, for the message only.
        let steps = unsafe { core::ptr::addr_of!((*SIDES[1].0.get()).ops).read_volatile() };
        println!(
            "dual_core: CPU1 did not finish ({} steps made; its init of the contested heap: {})",
            steps,
            if CONTEST[1].load(Ordering::Relaxed) == 0 { "not returned" } else { "returned" }
        );
        return EXIT_SETUP;
    }
    ISR_STOP.store(true, Ordering::SeqCst);
    rt::systick(None);
    // SAFETY: ICSR.PENDSTCLR: a tick already pending is dropped.
    unsafe { ICSR.write_volatile(1 << 25) };
    rt::set_systick_handler(None);
    // SAFETY: barriers only.
    unsafe { asm!("dsb", "isb", options(nostack, preserves_flags)) };

    // SAFETY: CPU1 and the handler have stopped: CPU0 owns every side now.
    let mut sides = unsafe { [SIDES[0].get(), SIDES[1].get(), SIDES[2].get()] };
    println!(
        "dual_core lock={} period={}: steps cpu0 {}, cpu1 {}, cpu0 SysTick handler {} ({} interrupts)",
        LOCK,
        period,
        sides[0].ops,
        sides[1].ops,
        sides[2].ops,
        TICKS.load(Ordering::Relaxed)
    );
    let bad: u32 = sides.iter().map(|s| s.bad).sum();
    if bad != 0 || STOP.load(Ordering::SeqCst) {
        println!("dual_core: the heap was damaged: blocks changed under their owner: {}", bad);
        return 1;
    }
    if sides[2].ops == 0 {
        println!("dual_core: the SysTick handler never ran a step");
        return EXIT_SETUP;
    }

    let mut failed = 0u32;
    macro_rules! expect {
        ($ok:expr, $($what:tt)*) => {
            if !$ok {
                failed += 1;
                println!("dual_core: CHECK failed: {}", format_args!($($what)*));
            }
        };
    }
    let sum = |f: fn(&Counts) -> &AtomicU32| COUNTS.iter().map(|c| f(c).load(Ordering::Relaxed)).sum::<u32>();
    let (allocs, deallocs) = (sum(|c| &c.alloc), sum(|c| &c.dealloc));
    let (reallocs, moved) = (sum(|c| &c.realloc), sum(|c| &c.moved));
    let held: usize = sides.iter().map(|s| s.held()).sum();
    let st = rtheap::stats();
    println!(
        "  counted: {} allocs, {} deallocs, {} reallocs ({} moved), {} blocks held; heap: {} live, \
         {} allocs, {} frees, {} reallocs",
        allocs, deallocs, reallocs, moved, held, st.live_blocks, st.alloc_count, st.free_count, st.realloc_count
    );
    let contest = [CONTEST[0].load(Ordering::Acquire), CONTEST[1].load(Ordering::Acquire)];
    let winner = contest.iter().position(|&r| r == 1).unwrap_or(0);
    // SAFETY: the address of a pool, not read.
    let won_pool = unsafe { core::ptr::addr_of!(CONTESTED_POOLS[winner]) } as usize;
    let at = CONTESTED.stats();
    expect!(
        contest == [1, 2] || contest == [2, 1],
        "the inits of one heap by both cores returned {:?} (1 Ok, 2 State)",
        contest
    );
    expect!(at.heap_bytes == CONTESTED_BYTES && CONTESTED.check() == Ok(()), "the contested heap: {:?}", at);
    let probe = Layout::from_size_align(64, 8).unwrap();
    // SAFETY: a valid layout; freed at once.
    let p = unsafe { CONTESTED.alloc(probe) } as usize;
    expect!(p > won_pool && p + 64 <= won_pool + CONTESTED_BYTES, "the contested heap is not the winner's pool");
    // SAFETY: a live block of CONTESTED.
    unsafe { CONTESTED.dealloc(p as *mut u8, probe) };
    expect!(rtheap::check() == Ok(()), "rtheap::check() is {:?}", rtheap::check());
    expect!(st.live_blocks == held, "{} live blocks, {} held", st.live_blocks, held);
    expect!(allocs.wrapping_sub(deallocs) as usize == held, "{} allocs - {} deallocs, {} held", allocs, deallocs, held);
    // The heap counts a moving realloc as one alloc, one free and one realloc.
    expect!(st.alloc_count == allocs + moved, "alloc_count {}, counted {} + {} moved", st.alloc_count, allocs, moved);
    expect!(st.free_count == deallocs + moved, "free_count {}, counted {} + {} moved", st.free_count, deallocs, moved);
    expect!(st.realloc_count == reallocs, "realloc_count {}, counted {}", st.realloc_count, reallocs);
    expect!(
        st.error_count == 0 && st.failed_count == 0 && st.quarantine_count == 0,
        "{} errors, {} failed, {} quarantined",
        st.error_count,
        st.failed_count,
        st.quarantine_count
    );
    // Dropped only when it all holds: a damaged heap is not given more work.
    if failed == 0 {
        for s in sides.iter_mut() {
            s.clear();
        }
        let bad: u32 = sides.iter().map(|s| s.bad).sum();
        let end = rtheap::stats();
        expect!(
            bad == 0 && end.live_blocks == 0 && end.used_bytes == 0 && rtheap::check() == Ok(()),
            "after dropping everything: {} changed, {} live, {} bytes used, check {:?}",
            bad,
            end.live_blocks,
            end.used_bytes,
            rtheap::check()
        );
    }
    if failed != 0 {
        println!("dual_core: the heap was damaged or its accounting is wrong ({} checks failed)", failed);
        return 1;
    }
    println!("dual_core: OK");
    0
}
