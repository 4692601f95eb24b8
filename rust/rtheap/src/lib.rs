// SPDX-License-Identifier: MIT OR Apache-2.0
//! Rust global allocator over **rtheap**, a real-time O(1) TLSF heap for
//! bare-metal Arm Cortex-M (the C library of this repository).
//!
//! # Use
//!
//! In `Cargo.toml` of the firmware:
//!
//! ```toml
//! [dependencies]
//! rtheap = { path = "<rtheap>/rust/rtheap" }
//! ```
//!
//! In the firmware (a `#![no_std]` crate with `extern crate alloc;`):
//!
//! ```ignore
//! #[global_allocator]
//! static HEAP: rtheap::RtHeap = rtheap::RtHeap;
//! ```
//!
//! That is all: `Box`, `Vec`, `String`, `format!`, `BTreeMap`, `Rc`, ... now
//! allocate from the default rtheap heap. It is built on first use from the
//! linker symbols `__heap_start` and `__heap_end` (plus `__heap2_start` /
//! `__heap2_end` for a second RAM region, if the script defines them), so the
//! firmware's linker script must define them (`linker/cortex-m.ld` of this
//! repository does). A firmware that prefers an explicit region calls
//! [`init`] before the first allocation instead.
//!
//! Allocation failure ends in `alloc::alloc::handle_alloc_error`, which on
//! `no_std` panics with "memory allocation of N bytes failed": the firmware's
//! `#[panic_handler]` sees it. A firmware without a heap at all (its linker
//! script defines no `__heap_start`/`__heap_end`, or too small a region, and
//! nothing called [`init`]) panics at the first allocation with a message
//! that says so and names both fixes ([`NO_HEAP_MESSAGE`]).
//!
//! Every call is ISR-safe: with the library's default configuration the C
//! side masks interrupts (PRIMASK) for the O(1) duration of each call, so
//! interrupt handlers may allocate and free too.
//!
//! # Linking the C library
//!
//! `build.rs` compiles the C sources shipped in the crate (`csrc/`) with
//! `arm-none-eabi-gcc` for the Rust target's CPU and float ABI
//! (`thumbv6m-none-eabi` → `cortex-m0`, `thumbv7m-none-eabi` → `cortex-m3`,
//! `thumbv7em-none-eabi` → `cortex-m4`, `thumbv7em-none-eabihf` →
//! `cortex-m4` with `fpv4-sp-d16` and the hard-float ABI,
//! `thumbv8m.base-none-eabi` → `cortex-m23`, `thumbv8m.main-none-eabi` →
//! `cortex-m33`, `thumbv8m.main-none-eabihf` → `cortex-m33` with
//! `fpv5-sp-d16`; `RTHEAP_CPU` overrides it) and archives them with
//! `arm-none-eabi-ar`. `RTHEAP_LIB_DIR` links a prebuilt `librtheap.a`
//! instead, after checking its Arm build attributes against the target.
//!
//! # Several heaps
//!
//! [`Heap`] is a heap over memory the firmware gives it (a static pool, a
//! DMA-capable SRAM bank, external PSRAM): `const fn new()` then
//! [`Heap::init`] or [`Heap::init_from`]. It can be the `#[global_allocator]`
//! too, and with the `allocator-api` feature (nightly, or `RUSTC_BOOTSTRAP=1`)
//! collections name the heap they live in: `Vec::new_in(&DMA)`,
//! `Box::new_in(x, &FAST)`.
//!
//! # Why a Rust type and not the C symbols directly
//!
//! The C library exports the five classic Rust allocator entry points
//! (`__rust_allocate`, `__rust_deallocate`, `__rust_reallocate`,
//! `__rust_reallocate_inplace`, `__rust_usable_size`). Current rustc no longer
//! calls such symbols itself (its allocator shims are mangled, crate-private
//! symbols), so a `#[global_allocator]` is the only way in; [`RtHeap`] is a
//! zero-sized one that forwards to those five entry points.
#![no_std]
#![cfg_attr(feature = "allocator-api", feature(allocator_api))]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::{c_char, c_void, CStr};
use core::fmt;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicPtr, Ordering};

/// The C API (src/rtheap.h) this crate uses.
mod ffi {
    use core::ffi::{c_char, c_void};

    /// `rtheap_t`: opaque.
    #[repr(C)]
    pub struct Heap {
        _opaque: [u8; 0],
    }

    extern "C" {
        pub fn __rust_allocate(size: usize, align: usize) -> *mut c_void;
        pub fn __rust_deallocate(ptr: *mut c_void, old_size: usize, align: usize);
        pub fn __rust_reallocate(
            ptr: *mut c_void,
            old_size: usize,
            size: usize,
            align: usize,
        ) -> *mut c_void;
        pub fn __rust_reallocate_inplace(
            ptr: *mut c_void,
            old_size: usize,
            size: usize,
            align: usize,
        ) -> usize;
        pub fn __rust_usable_size(size: usize, align: usize) -> usize;

        pub fn rtheap_init(mem: *mut c_void, bytes: usize) -> *mut Heap;
        pub fn rtheap_add_region(heap: *mut Heap, mem: *mut c_void, bytes: usize) -> bool;
        pub fn rtheap_alloc_aligned(heap: *mut Heap, size: usize, align: usize) -> *mut c_void;
        pub fn rtheap_free(heap: *mut Heap, ptr: *mut c_void);
        pub fn rtheap_realloc_aligned(
            heap: *mut Heap,
            ptr: *mut c_void,
            size: usize,
            align: usize,
        ) -> *mut c_void;
        #[cfg_attr(not(feature = "allocator-api"), allow(dead_code))]
        pub fn rtheap_resize_in_place(heap: *mut Heap, ptr: *mut c_void, size: usize) -> usize;

        pub fn rtheap_default() -> *mut Heap;
        pub fn rtheap_default_status() -> i32;
        pub fn rtheap_default_init(mem: *mut c_void, bytes: usize) -> *mut Heap;
        pub fn rtheap_get_stats(heap: *mut Heap, out: *mut super::Stats) -> bool;
        // `rtheap_error_t` is int-sized on every target (a sentinel enumerator
        // keeps arm-none-eabi-gcc's short enums from shrinking it).
        pub fn rtheap_check(heap: *mut Heap) -> i32;
        pub fn rtheap_error_name(kind: u32) -> *const c_char;
    }
}

/// The global allocator: a zero-sized handle on the default rtheap heap.
///
/// ```ignore
/// #[global_allocator]
/// static HEAP: rtheap::RtHeap = rtheap::RtHeap;
/// ```
///
/// Method by method:
/// - `alloc` → `__rust_allocate(size, align)` (any power-of-two alignment;
///   alignments above 8 cost up to `align` bytes of search slack, not waste);
/// - `dealloc` → `__rust_deallocate` (the C side validates the pointer in O(1)
///   and refuses a bad one; size and alignment are checked in `RTHEAP_DEBUG`
///   builds only);
/// - `realloc` first tries `__rust_reallocate_inplace` (shrink, or grow into a
///   free neighbour: O(1), nothing copied) and falls back to
///   `__rust_reallocate` (allocate, copy, free; `NULL` leaves the old block
///   intact, as `GlobalAlloc` requires);
/// - `alloc_zeroed` allocates and then zeroes the `layout.size()` requested
///   bytes with `write_bytes`: the C side has a zeroing call (`rtheap_calloc`)
///   for the default 8-byte alignment only, none for larger alignments, so
///   the zeroing is done here for every alignment (the cost is the same).
#[derive(Clone, Copy, Debug, Default)]
pub struct RtHeap;

unsafe impl GlobalAlloc for RtHeap {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: any size/align is accepted by the C side; NULL on failure.
        let p: *mut u8 = unsafe { ffi::__rust_allocate(layout.size(), layout.align()).cast() };
        if p.is_null() {
            no_heap_check();
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from this allocator with this layout (caller contract).
        unsafe { ffi::__rust_deallocate(ptr.cast(), layout.size(), layout.align()) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as alloc; the block has at least layout.size() bytes.
        unsafe {
            let p = self.alloc(layout);
            if !p.is_null() {
                core::ptr::write_bytes(p, 0, layout.size());
            }
            p
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: ptr is a live block of this allocator with `layout` (caller contract).
        unsafe {
            // Returns the new usable size (>= new_size) on success, `old_size`
            // when the block cannot be resized where it is. A block that keeps
            // its place keeps its alignment. (A shrink never fails on a valid
            // block; even if it did, keeping the larger block would be fine:
            // the block would still fit the new layout.)
            let usable = ffi::__rust_reallocate_inplace(
                ptr.cast(),
                layout.size(),
                new_size,
                layout.align(),
            );
            if usable >= new_size {
                return ptr;
            }
            ffi::__rust_reallocate(ptr.cast(), layout.size(), new_size, layout.align()).cast()
        }
    }
}

/// The panic message of the first allocation from a default heap that does
/// not exist.
pub const NO_HEAP_MESSAGE: &str = "rtheap: no heap: the linker script defines no __heap_start/\
__heap_end (or too small a region) and rtheap::init was not called. Fix: define __heap_start \
and __heap_end (8-byte aligned, after .bss) in the linker script, or call \
rtheap::init(start, bytes) before the first allocation";

/// After a failed allocation of the default heap: "no heap" is a
/// configuration error, said as such (out of memory is left to
/// `handle_alloc_error`). Out of line: the allocation fast path stays small.
#[cold]
#[inline(never)]
fn no_heap_check() {
    // SAFETY: no arguments; O(1) once the default heap has been looked up.
    if unsafe { ffi::rtheap_default_status() } == HeapError::NoHeap.code() as i32 {
        // A literal message: formatting it allocates nothing.
        panic!("{}", NO_HEAP_MESSAGE);
    }
}

/// Heap statistics: the C `rtheap_stats_t`, field for field (`#[repr(C)]`,
/// `size_t` as `usize`, `uint32_t` as `u32`).
///
/// The byte and call counters are kept only when the C library is built with
/// `RTHEAP_STATS 1` (the default); otherwise they read 0.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// All bytes given to the heap (regions).
    pub heap_bytes: usize,
    /// Bytes in blocks (heap minus control structure, sentinels, padding).
    pub arena_bytes: usize,
    /// Usable payload bytes of live blocks.
    pub used_bytes: usize,
    /// `used_bytes` plus the header word of each live block.
    pub used_bytes_with_overhead: usize,
    /// `arena_bytes - used_bytes_with_overhead`.
    pub free_bytes: usize,
    /// Highest `used_bytes_with_overhead` seen.
    pub peak_used_bytes: usize,
    /// A default-aligned allocation of up to this many bytes cannot fail now.
    pub largest_guaranteed: usize,
    /// Blocks allocated and not freed.
    pub live_blocks: usize,
    /// Successful allocations (including moving reallocs).
    pub alloc_count: u32,
    /// Successful frees (including those of moving reallocs).
    pub free_count: u32,
    /// Successful reallocs and in-place resizes.
    pub realloc_count: u32,
    /// Allocations that failed for want of memory.
    pub failed_count: u32,
    /// Bad-input errors detected (bad pointers passed to free/realloc).
    pub error_count: u32,
    /// Regions in the heap (1, or 2 with a second RAM region).
    pub region_count: u32,
    /// Damaged free blocks (or lists) taken out of service.
    pub quarantine_count: u32,
    /// Bytes of the quarantined blocks.
    pub quarantined_bytes: usize,
}

// The C layout: 8 size_t, 7 uint32_t, then one size_t (after 4 bytes of padding
// on 64-bit, which #[repr(C)] reproduces). On Cortex-M: 64 bytes, the last field at
// 60; build.rs compiles stats_layout.c, which asserts the same numbers against
// src/rtheap.h, so a change on either side fails the build.
const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    const W: usize = size_of::<usize>();
    const TAIL: usize = (8 * W + 28).next_multiple_of(align_of::<usize>());
    assert!(offset_of!(Stats, alloc_count) == 8 * W);
    assert!(offset_of!(Stats, region_count) == 8 * W + 20);
    assert!(offset_of!(Stats, quarantine_count) == 8 * W + 24);
    assert!(offset_of!(Stats, quarantined_bytes) == TAIL);
    assert!(size_of::<Stats>() == TAIL + W);
    #[cfg(target_pointer_width = "32")]
    assert!(offset_of!(Stats, quarantined_bytes) == 60 && size_of::<Stats>() == 64);
};

/// What [`check`] reports: the C `rtheap_error_t` values, same numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
#[non_exhaustive]
pub enum HeapError {
    /// Pointer not inside any region of the heap.
    ForeignPointer = 1,
    /// Pointer not aligned to the heap's granule.
    Misaligned = 2,
    /// The block is already free.
    DoubleFree = 3,
    /// Header implausible: interior pointer or overwritten.
    BadHeader = 4,
    /// A physical neighbour disagrees with the header.
    BadNeighbour = 5,
    /// A free-list link is inconsistent.
    BadFreeList = 6,
    /// Bad argument (alignment not a power of two, region too small, ...).
    BadArgument = 7,
    /// Physical chain broken (a size runs past its region).
    Chain = 8,
    /// Block sizes do not add up to the regions.
    Accounting = 9,
    /// Two free blocks are neighbours.
    Coalesce = 10,
    /// A free block is in the wrong list.
    ListClass = 11,
    /// Bitmaps disagree with the lists.
    Bitmap = 12,
    /// Free blocks in lists differ from free blocks in the chains.
    FreeCount = 13,
    /// Statistics disagree with the heap.
    Stats = 14,
    /// A free block was written after free (`RTHEAP_POISON` builds).
    Poison = 15,
    /// The control structure itself is damaged.
    Control = 16,
    /// No heap: the heap symbols are missing or describe too small a region.
    NoHeap = 17,
    /// A code this crate does not know (a newer C library).
    Unknown = 255,
}

impl HeapError {
    /// The `rtheap_error_t` value for an error code; `None` for `RTHEAP_OK` (0).
    pub fn from_code(code: u8) -> Option<HeapError> {
        use HeapError::*;
        Some(match code {
            0 => return None,
            1 => ForeignPointer,
            2 => Misaligned,
            3 => DoubleFree,
            4 => BadHeader,
            5 => BadNeighbour,
            6 => BadFreeList,
            7 => BadArgument,
            8 => Chain,
            9 => Accounting,
            10 => Coalesce,
            11 => ListClass,
            12 => Bitmap,
            13 => FreeCount,
            14 => Stats,
            15 => Poison,
            16 => Control,
            17 => NoHeap,
            _ => Unknown,
        })
    }

    /// The numeric `rtheap_error_t` value.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The C library's short name for the error (`rtheap_error_name()`).
    pub fn name(self) -> &'static str {
        // SAFETY: rtheap_error_name returns a static NUL-terminated string, never NULL.
        let s: *const c_char = unsafe { ffi::rtheap_error_name(u32::from(self.code())) };
        unsafe { CStr::from_ptr(s) }.to_str().unwrap_or("?")
    }
}

impl fmt::Display for HeapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (rtheap error {})", self.name(), self.code())
    }
}

/// Builds the default heap in `[start, start + bytes)` instead of from the
/// linker symbols `__heap_start`/`__heap_end` (`rtheap_default_init()`).
///
/// Returns false if the default heap exists already (something allocated
/// before this call, or `init` was called twice) or the region is too small.
///
/// # Safety
/// The region must be valid, writable memory that nothing else uses, for the
/// rest of the program, and call this before any allocation.
pub unsafe fn init(start: *mut u8, bytes: usize) -> bool {
    // SAFETY: forwarded caller contract.
    !unsafe { ffi::rtheap_default_init(start.cast::<c_void>(), bytes) }.is_null()
}

/// [`init`] from a static pool: safe, since a `&'static mut` borrow is the
/// only one there will ever be. On failure (the default heap exists already,
/// or the pool is too small) the pool stays unused.
///
/// ```ignore
/// #[repr(align(8))]
/// struct Pool([MaybeUninit<u8>; 32 * 1024]);
/// static mut POOL: Pool = Pool([MaybeUninit::uninit(); 32 * 1024]);
/// // SAFETY: the only reference to POOL ever made.
/// assert!(rtheap::init_from(unsafe { &mut (*(&raw mut POOL)).0 }));
/// ```
pub fn init_from(pool: &'static mut [MaybeUninit<u8>]) -> bool {
    // SAFETY: the pool is ours for the rest of the program.
    unsafe { init(pool.as_mut_ptr().cast(), pool.len()) }
}

/// Statistics of the default heap (O(1), ISR-safe). Builds the heap from the
/// linker symbols if nothing has yet. All zero if there is no heap (the
/// symbols describe a region too small for one).
pub fn stats() -> Stats {
    let mut s = Stats::default();
    // SAFETY: rtheap_default() is NULL or a live heap; s is a valid out buffer.
    unsafe {
        let heap = ffi::rtheap_default();
        if !heap.is_null() {
            ffi::rtheap_get_stats(heap, &mut s);
        }
    }
    s
}

/// Full consistency check of the default heap (`rtheap_check()`): O(number of
/// blocks), with interrupts masked for the whole walk. `Err(HeapError::NoHeap)`
/// if there is no heap.
pub fn check() -> Result<(), HeapError> {
    // SAFETY: no arguments.
    let heap = unsafe { ffi::rtheap_default() };
    if heap.is_null() {
        return Err(HeapError::NoHeap);
    }
    // SAFETY: a live heap.
    error_result(unsafe { ffi::rtheap_check(heap) })
}

/// `rtheap_error_t` -> Result (codes this crate does not know: HeapError::Unknown).
fn error_result(code: i32) -> Result<(), HeapError> {
    match HeapError::from_code(u8::try_from(code).unwrap_or(u8::MAX)) {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

/// Whether the default heap exists (`rtheap_default_status()`): `Ok` once it is
/// built or can be, `Err(HeapError::NoHeap)` if the linker symbols describe no
/// usable region and [`init`] was not called. Builds the heap if nothing has.
pub fn status() -> Result<(), HeapError> {
    // SAFETY: no arguments.
    error_result(unsafe { ffi::rtheap_default_status() })
}

/// Usable bytes an allocation of `layout` gets (`__rust_usable_size`): every
/// block handed out for it has at least this many, all usable. 0 if the
/// request can never be satisfied. Pure, O(1).
pub fn usable_size(layout: Layout) -> usize {
    // SAFETY: pure function of its arguments.
    unsafe { ffi::__rust_usable_size(layout.size(), layout.align()) }
}

// ---------------------------------------------------------------------------
// Heaps as values
// ---------------------------------------------------------------------------

/// Why [`Heap::init`] or [`Heap::add_region`] refused a region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitError {
    /// `init`: the heap has a region already (`init` runs once per heap).
    /// `add_region`: the heap has none yet (call `init` first).
    State,
    /// The region cannot hold a heap (null, or smaller than the control
    /// structure plus one block), or for `add_region`: it overlaps a region of
    /// the heap, or the heap has the most regions it can have.
    Region,
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InitError::State => "rtheap::Heap: init twice, or add_region before init",
            InitError::Region => "rtheap::Heap: region refused (too small, null or overlapping)",
        })
    }
}

/// A heap over memory the firmware gives it: a static pool, a DMA-capable
/// SRAM bank, external PSRAM. Each `Heap` is an rtheap heap of its own (its
/// own free lists, statistics and lock); the default heap ([`RtHeap`]) is
/// another one.
///
/// ```ignore
/// static DMA: rtheap::Heap = rtheap::Heap::new();
/// // once, before the first allocation from it:
/// unsafe { DMA.init(0x2000_0000 as *mut u8, 64 * 1024) }.unwrap();
/// ```
///
/// - `const fn new()` makes an empty heap, so a `Heap` can be a `static` (and
///   a `#[global_allocator]`); every allocation from it returns null (the
///   `Allocator` API: `AllocError`) until [`init`](Heap::init) or
///   [`init_from`](Heap::init_from) gives it a region. Give the global
///   allocator its region first thing in `main`.
/// - `init` runs once: a second call returns `Err(InitError::State)` and leaves
///   the heap (and the memory offered) untouched. It runs with interrupts
///   masked, so an interrupt handler allocating from the same heap sees either
///   no heap or the whole of it.
/// - All calls after that go through the C library, which serialises them with
///   the heap's own lock (PRIMASK by default): a `Heap` is `Sync` and may be
///   used from interrupt handlers. It holds only the handle of the C heap,
///   which lives at the start of its first region, so it needs no interior
///   mutability beyond that one atomically published pointer.
/// - Any power-of-two alignment is served (above 8 bytes at the cost of up to
///   `align` bytes of search slack, not of waste). Zero-size requests through
///   `GlobalAlloc` get a minimum block; through `Allocator` a dangling,
///   aligned pointer that costs nothing (as `Global` does).
pub struct Heap {
    /// The C heap (`rtheap_t *`), null until init.
    raw: AtomicPtr<ffi::Heap>,
}

impl Heap {
    /// An empty heap: allocations fail until it is given a region.
    pub const fn new() -> Heap {
        Heap { raw: AtomicPtr::new(core::ptr::null_mut()) }
    }

    /// The C heap, or null before init.
    #[inline]
    fn raw(&self) -> *mut ffi::Heap {
        self.raw.load(Ordering::Acquire)
    }

    /// Builds the heap in `[start, start + bytes)` (`rtheap_init`; any
    /// alignment, the start is rounded up to 8). Runs once per heap.
    ///
    /// # Safety
    /// The region must be valid, writable memory that nothing else uses
    /// (no other heap, no static, not the stack) for the rest of the program.
    pub unsafe fn init(&self, start: *mut u8, bytes: usize) -> Result<(), InitError> {
        with_interrupts_masked(|| {
            if !self.raw().is_null() {
                return Err(InitError::State);
            }
            // SAFETY: forwarded caller contract; nothing else can see the region yet.
            let heap = unsafe { ffi::rtheap_init(start.cast(), bytes) };
            if heap.is_null() {
                return Err(InitError::Region);
            }
            self.raw.store(heap, Ordering::Release);
            Ok(())
        })
    }

    /// [`init`](Heap::init) from a static pool: safe, since a `&'static mut`
    /// borrow is the only one there will ever be. On failure the pool stays
    /// unused.
    ///
    /// ```ignore
    /// #[repr(align(8))]
    /// struct Pool([MaybeUninit<u8>; 8192]);
    /// static mut POOL: Pool = Pool([MaybeUninit::uninit(); 8192]);
    /// static FAST: rtheap::Heap = rtheap::Heap::new();
    /// // SAFETY: the only reference to POOL ever made.
    /// FAST.init_from(unsafe { &mut (*(&raw mut POOL)).0 }).unwrap();
    /// ```
    pub fn init_from(&self, pool: &'static mut [MaybeUninit<u8>]) -> Result<(), InitError> {
        // SAFETY: the pool is borrowed for the rest of the program.
        unsafe { self.init(pool.as_mut_ptr().cast(), pool.len()) }
    }

    /// Adds a further, non-contiguous region (`rtheap_add_region`): blocks
    /// never span two regions.
    ///
    /// # Safety
    /// As for [`init`](Heap::init).
    pub unsafe fn add_region(&self, start: *mut u8, bytes: usize) -> Result<(), InitError> {
        let heap = self.raw();
        if heap.is_null() {
            return Err(InitError::State);
        }
        // SAFETY: a live heap; forwarded caller contract. The C side refuses overlaps.
        if unsafe { ffi::rtheap_add_region(heap, start.cast(), bytes) } {
            Ok(())
        } else {
            Err(InitError::Region)
        }
    }

    /// Whether the heap has been given its region.
    pub fn is_initialized(&self) -> bool {
        !self.raw().is_null()
    }

    /// Statistics (O(1), ISR-safe); all zero before init.
    pub fn stats(&self) -> Stats {
        let mut s = Stats::default();
        let heap = self.raw();
        if !heap.is_null() {
            // SAFETY: a live heap and a valid out buffer.
            unsafe { ffi::rtheap_get_stats(heap, &mut s) };
        }
        s
    }

    /// A default-aligned allocation of up to this many bytes cannot fail now
    /// (O(1), from the free-list bitmaps); 0 before init.
    pub fn largest_guaranteed(&self) -> usize {
        self.stats().largest_guaranteed
    }

    /// Full consistency check (`rtheap_check()`): O(number of blocks), with
    /// interrupts masked for the whole walk. `Err(HeapError::NoHeap)` before
    /// init.
    pub fn check(&self) -> Result<(), HeapError> {
        let heap = self.raw();
        if heap.is_null() {
            return Err(HeapError::NoHeap);
        }
        // SAFETY: a live heap.
        error_result(unsafe { ffi::rtheap_check(heap) })
    }

    /// A block of `size` bytes aligned to `align`, or null (no heap, no memory).
    #[inline]
    fn alloc_raw(&self, size: usize, align: usize) -> *mut u8 {
        let heap = self.raw();
        if heap.is_null() {
            return core::ptr::null_mut();
        }
        // SAFETY: a live heap; the C side checks size and alignment.
        unsafe { ffi::rtheap_alloc_aligned(heap, size, align).cast() }
    }

    /// Frees a block of this heap (the C side refuses and reports any other).
    #[inline]
    unsafe fn free_raw(&self, ptr: *mut u8) {
        // SAFETY: a block exists, so the heap does.
        unsafe { ffi::rtheap_free(self.raw(), ptr.cast()) }
    }

    /// Resizes keeping `align`: in place when the block is aligned to it and
    /// can grow or shrink where it is, else moved; null (block intact) on
    /// failure.
    #[inline]
    unsafe fn realloc_raw(&self, ptr: *mut u8, size: usize, align: usize) -> *mut u8 {
        // SAFETY: ptr is a live block of this heap (caller contract).
        unsafe { ffi::rtheap_realloc_aligned(self.raw(), ptr.cast(), size, align).cast() }
    }
}

impl Default for Heap {
    fn default() -> Heap {
        Heap::new()
    }
}

impl fmt::Debug for Heap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Heap").field("raw", &self.raw()).finish()
    }
}

unsafe impl GlobalAlloc for Heap {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.alloc_raw(layout.size(), layout.align())
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: ptr came from this heap (caller contract).
        unsafe { self.free_raw(ptr) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: ptr is a live block of this heap with `layout` (caller contract).
        unsafe { self.realloc_raw(ptr, new_size, layout.align()) }
    }
}

/// Runs `f` with interrupts masked (PRIMASK saved, set, restored): the one
/// check-then-set that must not be interleaved with an interrupt handler.
#[cfg(target_arch = "arm")]
fn with_interrupts_masked<R>(f: impl FnOnce() -> R) -> R {
    let primask: u32;
    // SAFETY: reads PRIMASK, then masks interrupts; restored below.
    unsafe {
        core::arch::asm!("mrs {}, primask", "cpsid i", out(reg) primask,
                         options(nostack, preserves_flags));
    }
    let r = f();
    // SAFETY: restores the value read above.
    unsafe { core::arch::asm!("msr primask, {}", in(reg) primask, options(nostack, preserves_flags)) };
    r
}

/// Elsewhere (a host `cargo check`): no interrupts to mask.
#[cfg(not(target_arch = "arm"))]
fn with_interrupts_masked<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(feature = "allocator-api")]
mod allocator_api {
    //! `core::alloc::Allocator` for [`Heap`], so for `&Heap` too (core's
    //! blanket impl): `Vec::new_in(&HEAP)`, `Box::new_in(x, &HEAP)`.
    use super::Heap;
    use core::alloc::{AllocError, Allocator, Layout};
    use core::ptr::NonNull;

    /// A block of `len` bytes at `p`, or the error for null.
    fn block(p: *mut u8, len: usize) -> Result<NonNull<[u8]>, AllocError> {
        NonNull::new(p).map(|p| NonNull::slice_from_raw_parts(p, len)).ok_or(AllocError)
    }

    /// Zero-size blocks: dangling and aligned, never in the heap.
    fn empty(layout: Layout) -> NonNull<[u8]> {
        NonNull::slice_from_raw_parts(layout.dangling_ptr(), 0)
    }

    fn is_aligned(p: NonNull<u8>, align: usize) -> bool {
        p.as_ptr().addr() & (align - 1) == 0
    }

    unsafe impl Allocator for Heap {
        #[inline]
        fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
            if layout.size() == 0 {
                return Ok(empty(layout));
            }
            block(self.alloc_raw(layout.size(), layout.align()), layout.size())
        }

        #[inline]
        unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
            if layout.size() != 0 {
                // SAFETY: a live block of this heap (caller contract).
                unsafe { self.free_raw(ptr.as_ptr()) }
            }
        }

        unsafe fn grow(
            &self,
            ptr: NonNull<u8>,
            old: Layout,
            new: Layout,
        ) -> Result<NonNull<[u8]>, AllocError> {
            if old.size() == 0 {
                return self.allocate(new);
            }
            // In place (O(1), nothing copied) when the block is aligned to the new
            // alignment and its next neighbour is free and large enough; else a new
            // block, the old contents copied, the old block freed. Null: the old
            // block is intact, as Allocator requires.
            // SAFETY: a live block of this heap with `old` (caller contract).
            block(unsafe { self.realloc_raw(ptr.as_ptr(), new.size(), new.align()) }, new.size())
        }

        unsafe fn grow_zeroed(
            &self,
            ptr: NonNull<u8>,
            old: Layout,
            new: Layout,
        ) -> Result<NonNull<[u8]>, AllocError> {
            // SAFETY: forwarded caller contract.
            let b = unsafe { self.grow(ptr, old, new) }?;
            // SAFETY: the block has new.size() bytes; the first old.size() are kept.
            unsafe {
                b.cast::<u8>().as_ptr().add(old.size()).write_bytes(0, new.size() - old.size());
            }
            Ok(b)
        }

        unsafe fn shrink(
            &self,
            ptr: NonNull<u8>,
            old: Layout,
            new: Layout,
        ) -> Result<NonNull<[u8]>, AllocError> {
            if new.size() == 0 {
                // SAFETY: forwarded caller contract.
                unsafe { self.deallocate(ptr, old) };
                return Ok(empty(new));
            }
            if is_aligned(ptr, new.align()) {
                // Where it is: the tail goes back to the heap when it is large
                // enough to be a block. If it is not returned (0), the block keeps
                // its old size, which fits the new layout as well.
                // SAFETY: a live block of this heap (caller contract).
                unsafe { super::ffi::rtheap_resize_in_place(self.raw(), ptr.as_ptr().cast(), new.size()) };
                return Ok(NonNull::slice_from_raw_parts(ptr, new.size()));
            }
            // A stricter alignment than the block has: it must move.
            // SAFETY: as above.
            block(unsafe { self.realloc_raw(ptr.as_ptr(), new.size(), new.align()) }, new.size())
        }
    }
}
