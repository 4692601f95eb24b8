// SPDX-License-Identifier: MIT OR Apache-2.0
//! Rust global allocator over **rtheap**, a real-time O(1) TLSF heap in C for
//! bare-metal Arm Cortex-M.
//!
//! # The default heap
//!
//! ```no_run
//! #[global_allocator]
//! static HEAP: rtheap::RtHeap = rtheap::RtHeap;
//! # fn main() {}
//! ```
//!
//! That is all: `Box`, `Vec`, `String`, `format!`, `BTreeMap`, `Rc`, ... now
//! allocate from the default rtheap heap. It is built on first use from the
//! linker symbols `__heap_start` and `__heap_end` (plus `__heap2_start` /
//! `__heap2_end` for a second RAM region, if the script defines them): the
//! crate's linker scripts define them (`rtheap.x` for cortex-m-rt's
//! `link.x`, `rtheap-cortex-m.ld` for firmware without cortex-m-rt; both are
//! on the linker's search path). A firmware that prefers an explicit region
//! calls [`init`] or [`init_from`] before the first allocation instead:
//!
//! ```
//! use core::alloc::{GlobalAlloc, Layout};
//! use core::mem::MaybeUninit;
//!
//! static mut POOL: [MaybeUninit<u8>; 32 * 1024] = [MaybeUninit::uninit(); 32 * 1024];
//!
//! // SAFETY: the only reference to POOL ever made.
//! rtheap::init_from(unsafe { &mut *core::ptr::addr_of_mut!(POOL) }).expect("the default heap");
//!
//! // What `#[global_allocator] static HEAP: rtheap::RtHeap` does for a Box:
//! let layout = Layout::new::<[u32; 100]>();
//! let p = unsafe { rtheap::RtHeap.alloc(layout) };
//! assert!(!p.is_null());
//! assert_eq!(rtheap::stats().live_blocks, 1);
//! unsafe { rtheap::RtHeap.dealloc(p, layout) };
//! assert_eq!(rtheap::check(), Ok(()));
//! ```
//!
//! Allocation failure ends in `alloc::alloc::handle_alloc_error`, which on
//! `no_std` panics with "memory allocation of N bytes failed": the firmware's
//! `#[panic_handler]` sees it. A firmware without a heap at all (no
//! `__heap_start`/`__heap_end`, or too small a region, and no [`init`])
//! panics at the first allocation with a message that says so and names both
//! fixes ([`NO_HEAP_MESSAGE`]).
//!
//! Every call is ISR-safe: the C library masks interrupts (PRIMASK) for the
//! O(1) duration of each call, so interrupt handlers may allocate and free
//! too. PRIMASK belongs to one core: a chip whose cores share a heap needs
//! one of the multi-core locks (see [Several cores](#several-cores)). A C
//! configuration without a lock (`RTHEAP_LOCK_NONE`) is refused by the build
//! unless the feature `unsafe-no-lock` is on (see below).
//!
//! # Several heaps, and migrating from embedded-alloc
//!
//! [`Heap`] is a heap over memory the firmware gives it (a static pool, a
//! DMA-capable SRAM bank, external PSRAM), with embedded-alloc's interface:
//! `Heap::empty()`, `unsafe fn init(start_addr: usize, size: usize)`,
//! `used()`, `free()`, the feature `allocator_api`. A firmware on
//! embedded-alloc changes its `use` line to `use rtheap::Heap;` and builds.
//! [`Heap::init`] returns a `#[must_use]` [`Result`] where embedded-alloc's
//! returns `()`: a call written as a statement (`HEAP.init(start, size);`)
//! compiles with a warning that asks for the result to be looked at, and a
//! call written as the last expression of a block that must be `()`
//! (`{ unsafe { HEAP.init(start, size) } }`) needs a `;` or, better,
//! `.unwrap()`.
//!
//! # Building the C library
//!
//! `build.rs` compiles the C sources shipped in the crate (`csrc/`) with the
//! first C compiler it finds: the one `CC_<target>`, `TARGET_CC` or `CC`
//! names, else `arm-none-eabi-gcc`, else `clang --target=<target>`; for
//! cargo's `opt-level` (`s`/`z`: `-Os`) and `debug` (`-g`). Without any C
//! compiler it links the archive the crate carries for the target (default
//! configuration, `-Os`), and says so in a warning. On a target that is not
//! Cortex-M (`cargo test`, `cargo doc` on the host) it builds the C library
//! with the host's C compiler, so the crate's tests and examples run against
//! the real C core.
//!
//! Variables: `RTHEAP_CONFIG_HEADER` (a header with your `#define
//! RTHEAP_...` options), `RTHEAP_CPU` (one of `cortex-m0`, `cortex-m3`,
//! `cortex-m4`, `cortex-m4f`, `cortex-m7`, `cortex-m23`, `cortex-m33`,
//! `cortex-m33f`, `cortex-m55`, `cortex-m55f`; one the target's code runs
//! on, with its float ABI), `RTHEAP_CFLAGS`, `RTHEAP_CC`, `RTHEAP_AR`, and
//! `RTHEAP_LIB_DIR` (a directory with a `librtheap.a` built elsewhere,
//! checked against the target).
//!
//! # Features
//!
//! - `allocator-api` (alias `allocator_api`): `core::alloc::Allocator` for
//!   [`Heap`], so that collections name their heap: `Vec::new_in(&DMA)`.
//!   Needs a nightly compiler (or `RUSTC_BOOTSTRAP=1`) and
//!   `#![feature(allocator_api)]` in the firmware.
//! - `unsafe-no-lock`: accept a C configuration without a lock
//!   (`RTHEAP_LOCK_NONE`). [`Heap`] and [`RtHeap`] are `Sync` whatever the
//!   configuration, so this feature is the firmware's promise that only one
//!   thread of execution (no interrupt handler, no second core) ever uses
//!   an rtheap heap. Breaking that promise is undefined behaviour.
//! - `spin-lock`, `user-lock`: the multi-core locks, below. At most one of
//!   them, and neither with `unsafe-no-lock`: the build refuses both at once
//!   and either with `unsafe-no-lock`.
//!
//! # Several cores
//!
//! [`Heap`] and [`RtHeap`] are `Sync`. With the default lock that holds for
//! the interrupt handlers of one core only: two cores that use one heap at
//! once corrupt it. Where cores share a heap, enable one of the two features
//! that make the C library's lock a multi-core one (every call of every heap
//! takes it, the default heap's first build included):
//!
//! - `spin-lock`: interrupts masked on the calling core (PRIMASK), then a
//!   spinlock on one word with exclusive accesses (LDAEX/STREX and STL on
//!   Armv8-M, LDREX/STREX and DMB on Armv7-M). For chips whose cores have
//!   exclusive accesses and arbitrate them between each other on the shared
//!   RAM (a global exclusive monitor: the chip's reference manual says).
//!   Refused on Armv6-M (`thumbv6m-none-eabi`), which has no exclusive
//!   accesses. The lock nests by core number, which the firmware supplies:
//!
//!   ```no_run
//!   /// SSE-200 (Arm Musca, MPS2 AN521): each core reads its own number here.
//!   #[unsafe(no_mangle)]
//!   pub extern "C" fn rtheap_core_id() -> u32 {
//!       // SAFETY: CPU_IDENTITY, a read-only register of the core that reads it.
//!       unsafe { core::ptr::read_volatile(0x5001_F000 as *const u32) }
//!   }
//!   # fn main() {}
//!   ```
//!
//!   (Or `RTHEAP_CONFIG_HEADER` defines the C macro `RTHEAP_CORE_ID()`, which
//!   is then inlined.)
//! - `user-lock`: a lock of the firmware's, for any core (Armv6-M included)
//!   and for hardware semaphores (RP2040 SIO spinlocks, STM32H7 HSEM,
//!   nRF5340 MUTEX). The firmware defines two functions:
//!   `rtheap_user_lock_acquire() -> u32` takes the lock and returns what the
//!   release needs; `rtheap_user_lock_release(state: u32)` gets it back.
//!   Between the two: no other core gets the lock; interrupts whose handlers
//!   use a heap are masked on this core; an acquire on the core that holds the
//!   lock returns at once, and its release leaves the lock held (rtheap nests
//!   its calls); a barrier (DMB) after taking the lock and before giving it
//!   back. They must not allocate. A multi-core implementation of the
//!   `critical-section` crate (a HAL's) does all of this; forwarding to it
//!   carries its `RestoreState` through the `u32`:
//!
//!   ```
//!   # mod critical_section {
//!   #     // A stand-in with the crate's interface (`RestoreState` opaque, one
//!   #     // byte); the firmware links a HAL's multi-core implementation.
//!   #     use core::sync::atomic::{AtomicU8, Ordering};
//!   #     pub static DEPTH: AtomicU8 = AtomicU8::new(0);
//!   #     #[derive(Clone, Copy, Debug)]
//!   #     pub struct RestoreState(u8);
//!   #     pub unsafe fn acquire() -> RestoreState {
//!   #         RestoreState(DEPTH.fetch_add(1, Ordering::Acquire))
//!   #     }
//!   #     pub unsafe fn release(state: RestoreState) {
//!   #         assert_eq!(DEPTH.fetch_sub(1, Ordering::Release), state.0 + 1);
//!   #     }
//!   # }
//!   use core::mem::{align_of, size_of};
//!   use critical_section::RestoreState;
//!
//!   // critical-section's restore-state-bool, -u8, -u16 and -u32 fit in a u32.
//!   const _: () = assert!(size_of::<RestoreState>() <= 4 && align_of::<RestoreState>() <= 4);
//!
//!   #[unsafe(no_mangle)]
//!   pub unsafe extern "C" fn rtheap_user_lock_acquire() -> u32 {
//!       let mut state = 0u32;
//!       // SAFETY: the RestoreState fits in the u32 (above); it goes back to
//!       // release unchanged.
//!       unsafe { (&raw mut state).cast::<RestoreState>().write(critical_section::acquire()) };
//!       state
//!   }
//!
//!   #[unsafe(no_mangle)]
//!   pub unsafe extern "C" fn rtheap_user_lock_release(state: u32) {
//!       // SAFETY: `state` is what rtheap_user_lock_acquire returned: it holds
//!       // the RestoreState of that acquire.
//!       unsafe { critical_section::release((&raw const state).cast::<RestoreState>().read()) }
//!   }
//!   # // Nested, as rtheap takes its lock again inside some calls.
//!   # unsafe {
//!   #     let outer = rtheap_user_lock_acquire();
//!   #     let inner = rtheap_user_lock_acquire();
//!   #     rtheap_user_lock_release(inner);
//!   #     rtheap_user_lock_release(outer);
//!   # }
//!   # assert_eq!(critical_section::DEPTH.load(core::sync::atomic::Ordering::Relaxed), 0);
//!   ```
//!
//! Neither feature can use the prebuilt archives: they need a C compiler (or
//! `RTHEAP_LIB_DIR` with a library built with that lock, which the build
//! checks). The repository's docs/multicore.md says which lock suits which
//! chip, and what each costs per call.
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

#[cfg(test)]
extern crate std;

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::{c_char, c_void, CStr};
use core::fmt;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicPtr, Ordering};

/// The C API (csrc/rtheap.h) this crate uses.
mod ffi {
    use core::ffi::{c_char, c_void};
    use core::sync::atomic::AtomicPtr;

    /// `rtheap_t`: opaque.
    #[repr(C)]
    pub struct Heap {
        _opaque: [u8; 0],
    }

    extern "C" {
        pub fn __rust_allocate(size: usize, align: usize) -> *mut c_void;
        pub fn __rust_deallocate(ptr: *mut c_void, old_size: usize, align: usize);
        pub fn __rust_reallocate(ptr: *mut c_void, old_size: usize, size: usize, align: usize) -> *mut c_void;
        pub fn __rust_reallocate_inplace(ptr: *mut c_void, old_size: usize, size: usize, align: usize) -> usize;
        pub fn __rust_usable_size(size: usize, align: usize) -> usize;

        pub fn rtheap_init_for(mem: *mut c_void, bytes: usize, largest_region: usize) -> *mut Heap;
        pub fn rtheap_add_region(heap: *mut Heap, mem: *mut c_void, bytes: usize) -> bool;
        pub fn rtheap_alloc_aligned(heap: *mut Heap, size: usize, align: usize) -> *mut c_void;
        pub fn rtheap_free(heap: *mut Heap, ptr: *mut c_void);
        /// `rtheap_realloc_aligned` that keeps `old_size` bytes on a move: the
        /// call `__rust_reallocate` makes for an over-aligned layout
        /// (csrc/core/units.h, internal to the library and this crate).
        pub fn rtheap_rust_realloc_aligned(
            heap: *mut Heap,
            ptr: *mut c_void,
            old_size: usize,
            size: usize,
            align: usize,
        ) -> *mut c_void;
        pub fn rtheap_realloc_sized(heap: *mut Heap, ptr: *mut c_void, old_size: usize, size: usize) -> *mut c_void;
        #[cfg_attr(not(feature = "allocator-api"), allow(dead_code))]
        pub fn rtheap_resize_in_place(heap: *mut Heap, ptr: *mut c_void, size: usize) -> usize;

        pub fn rtheap_default_status() -> i32;
        pub fn rtheap_default_init(mem: *mut c_void, bytes: usize) -> *mut Heap;
        pub fn rtheap_get_stats(heap: *mut Heap, out: *mut super::Stats) -> bool;
        // `rtheap_error_t` is int-sized on every target (a sentinel enumerator
        // keeps arm-none-eabi-gcc's short enums from shrinking it).
        pub fn rtheap_check(heap: *mut Heap) -> i32;
        pub fn rtheap_error_name(kind: u32) -> *const c_char;

        /// The default heap once built, else null (csrc/rtheap_default.c's
        /// `rtheap_t *volatile`, written once under the lock). Read, never
        /// written, here: statistics and checks must not build the heap,
        /// which `rtheap_default()` would do.
        pub static rtheap_default_heap: AtomicPtr<Heap>;
    }
}

/// Runs one call of the C library. On Cortex-M the C library takes its own
/// lock (PRIMASK by default) inside every call, so nothing is needed here;
/// nor with the feature `user-lock` on any target, where that lock is the
/// program's own.
#[cfg(any(target_arch = "arm", feature = "user-lock"))]
#[inline(always)]
fn serialized<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Elsewhere (the host) the C library's default is no lock at all, yet the
/// heaps are `Sync` and `cargo test` runs tests on several threads: calls
/// are serialised by one spin lock over every heap.
#[cfg(not(any(target_arch = "arm", feature = "user-lock")))]
fn serialized<R>(f: impl FnOnce() -> R) -> R {
    use core::sync::atomic::AtomicBool;
    static LOCKED: AtomicBool = AtomicBool::new(false);
    while LOCKED.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
        core::hint::spin_loop();
    }
    let r = f();
    LOCKED.store(false, Ordering::Release);
    r
}

/// The global allocator: a zero-sized handle on the default rtheap heap.
///
/// ```no_run
/// #[global_allocator]
/// static HEAP: rtheap::RtHeap = rtheap::RtHeap;
/// # fn main() {}
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
///   bytes.
///
/// Interrupt handlers may allocate too. Several cores may share the default
/// heap only with the feature `spin-lock` or `user-lock` ([Several
/// cores](crate#several-cores)); with the default PRIMASK lock, one core only.
#[derive(Clone, Copy, Debug, Default)]
pub struct RtHeap;

unsafe impl GlobalAlloc for RtHeap {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: any size/align is accepted by the C side; NULL on failure.
        let p: *mut u8 = serialized(|| unsafe { ffi::__rust_allocate(layout.size(), layout.align()) }).cast();
        if p.is_null() {
            no_heap_check();
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from this allocator with this layout (caller contract).
        serialized(|| unsafe { ffi::__rust_deallocate(ptr.cast(), layout.size(), layout.align()) })
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
        // Returns the new usable size (>= new_size) on success, `old_size` when
        // the block cannot be resized where it is. A block that keeps its place
        // keeps its alignment.
        // SAFETY: ptr is a live block of this allocator with `layout` (caller contract).
        let usable = serialized(|| unsafe {
            ffi::__rust_reallocate_inplace(ptr.cast(), layout.size(), new_size, layout.align())
        });
        if usable >= new_size {
            return ptr;
        }
        // SAFETY: as above; NULL leaves the block intact.
        serialized(|| unsafe { ffi::__rust_reallocate(ptr.cast(), layout.size(), new_size, layout.align()) }).cast()
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
    if status() == Err(HeapError::NoHeap) {
        no_heap_panic();
    }
}

/// The panic of [`no_heap_check`]. A global allocator must not unwind: an
/// `extern "C"` function cannot, so where panics unwind (a host program) the
/// panic aborts here (the standard library's panic hook allocates too, and
/// may stop before it prints the message); on firmware (`panic = "abort"`)
/// the panic handler gets it as usual.
#[cold]
#[inline(never)]
extern "C" fn no_heap_panic() -> ! {
    // A literal message: formatting it allocates nothing.
    panic!("{}", NO_HEAP_MESSAGE);
}

/// Heap statistics: the C `rtheap_stats_t`, field for field (`#[repr(C)]`,
/// `size_t` as `usize`, `uint32_t` as `u32`). More fields may come:
/// read them by name, build a `Stats` with `Stats::default()`.
///
/// The byte and call counters are kept only when the C library is built with
/// `RTHEAP_STATS 1` (the default); otherwise they read 0.
#[repr(C)]
#[non_exhaustive]
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
    /// `arena_bytes - used_bytes_with_overhead - quarantined_bytes`.
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
    /// Bad input and damage detected (bad pointers passed to free/realloc).
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
// rtheap.h, so a change on either side fails the build.
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
///
/// ```
/// use rtheap::HeapError;
/// assert_eq!(HeapError::from_code(3), Some(HeapError::DoubleFree));
/// assert_eq!(HeapError::DoubleFree.code(), 3);
/// // Display: the C library's name and the number.
/// let text = format!("{}", HeapError::DoubleFree);
/// assert!(text.ends_with("(rtheap error 3)"), "{text}");
/// // An error like any other.
/// let e: &dyn core::error::Error = &HeapError::NoHeap;
/// assert!(!e.to_string().is_empty());
/// ```
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
    pub const fn from_code(code: u8) -> Option<HeapError> {
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
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The C library's short name for the error (`rtheap_error_name()`).
    pub fn name(self) -> &'static str {
        // SAFETY: rtheap_error_name returns a static NUL-terminated string, never NULL.
        let s: *const c_char = unsafe { ffi::rtheap_error_name(u32::from(self.code())) };
        // SAFETY: as above.
        unsafe { CStr::from_ptr(s) }.to_str().unwrap_or("?")
    }
}

impl fmt::Display for HeapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (rtheap error {})", self.name(), self.code())
    }
}

impl core::error::Error for HeapError {}

/// Why an `init`, `init_from` or `add_region` refused a region.
///
/// ```
/// let e = rtheap::InitError::Region;
/// assert!(e.to_string().contains("region refused"));
/// let _: &dyn core::error::Error = &e;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InitError {
    /// `init`: the heap has a region already (`init` runs once per heap; for
    /// the default heap: something allocated before, or `init` ran).
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
            InitError::State => "rtheap: init of a heap that has its region already, or add_region before init",
            InitError::Region => "rtheap: region refused (too small, null or overlapping)",
        })
    }
}

impl core::error::Error for InitError {}

/// The default heap if it exists; never builds it.
#[inline]
fn default_heap() -> *mut ffi::Heap {
    // SAFETY: a pointer-sized static of the C library, written under its lock.
    unsafe { ffi::rtheap_default_heap.load(Ordering::Acquire) }
}

/// Builds the default heap in `[start_addr, start_addr + size)` instead of
/// from the linker symbols `__heap_start`/`__heap_end`
/// (`rtheap_default_init()`; any alignment, the start is rounded up to 8 on
/// Cortex-M, 16 on a 64-bit host).
///
/// `Err(InitError::State)` if the default heap exists already (something
/// allocated before this call, or `init` ran), `Err(InitError::Region)` if
/// the region is too small; the memory is untouched then.
///
/// # Safety
/// The region must be valid, writable memory that nothing else uses, for the
/// rest of the program.
#[must_use = "the region may have been refused: `.unwrap()` or `.expect(...)` the result"]
pub unsafe fn init(start_addr: usize, size: usize) -> Result<(), InitError> {
    if !default_heap().is_null() {
        return Err(InitError::State);
    }
    let mem = start_addr as *mut c_void;
    // SAFETY: forwarded caller contract.
    let heap = serialized(|| unsafe { ffi::rtheap_default_init(mem, size) });
    if !heap.is_null() {
        Ok(())
    } else if !default_heap().is_null() {
        // Built in between (an interrupt handler allocated).
        Err(InitError::State)
    } else {
        Err(InitError::Region)
    }
}

/// [`init`] from a static pool: safe, since a `&'static mut` borrow is the
/// only one there will ever be. On failure the pool stays unused.
///
/// ```
/// use core::mem::MaybeUninit;
///
/// #[repr(align(8))]
/// struct Pool([MaybeUninit<u8>; 16 * 1024]);
/// static mut POOL: Pool = Pool([MaybeUninit::uninit(); 16 * 1024]);
///
/// // Statistics and checks do not build the default heap from the linker
/// // symbols: before init it is empty, and init still takes the pool.
/// assert_eq!(rtheap::stats().heap_bytes, 0);
/// assert_eq!(rtheap::check(), Ok(()));
/// // SAFETY: the only reference to POOL ever made.
/// rtheap::init_from(unsafe { &mut (*core::ptr::addr_of_mut!(POOL)).0 }).unwrap();
/// assert_eq!(rtheap::stats().heap_bytes, 16 * 1024);
/// // Once only.
/// static mut MORE: [MaybeUninit<u8>; 4096] = [MaybeUninit::uninit(); 4096];
/// let again = rtheap::init_from(unsafe { &mut *core::ptr::addr_of_mut!(MORE) });
/// assert_eq!(again, Err(rtheap::InitError::State));
/// ```
#[must_use = "the pool may have been refused: `.unwrap()` or `.expect(...)` the result"]
pub fn init_from(pool: &'static mut [MaybeUninit<u8>]) -> Result<(), InitError> {
    // SAFETY: the pool is ours for the rest of the program.
    unsafe { init(pool.as_mut_ptr() as usize, pool.len()) }
}

/// Statistics of the default heap (O(1), ISR-safe). Never builds the heap:
/// before the first allocation (or [`init`]) they are all zero, as they are
/// when there is no heap.
pub fn stats() -> Stats {
    let heap = default_heap();
    let mut s = Stats::default();
    if !heap.is_null() {
        // SAFETY: a live heap and a valid out buffer.
        serialized(|| unsafe { ffi::rtheap_get_stats(heap, &mut s) });
    }
    s
}

/// Full consistency check of the default heap (`rtheap_check()`): O(number of
/// blocks), with interrupts masked for the whole walk. Never builds the heap:
/// before the first allocation (or [`init`]) the heap is empty and `Ok`.
/// [`status`] tells whether there is a heap at all.
pub fn check() -> Result<(), HeapError> {
    let heap = default_heap();
    if heap.is_null() {
        return Ok(());
    }
    // SAFETY: a live heap.
    error_result(serialized(|| unsafe { ffi::rtheap_check(heap) }))
}

/// `rtheap_error_t` -> Result (codes this crate does not know: HeapError::Unknown).
fn error_result(code: i32) -> Result<(), HeapError> {
    match HeapError::from_code(u8::try_from(code).unwrap_or(u8::MAX)) {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

/// Whether the default heap exists (`rtheap_default_status()`): `Ok` once it is
/// built, `Err(HeapError::NoHeap)` if the linker symbols describe no usable
/// region and [`init`] was not called. To answer it looks the heap up as the
/// first allocation would: it builds the heap from the linker symbols if
/// nothing has, so call [`init`] before it if you use [`init`]. This is what
/// tells "no heap" from "out of memory" after a failed allocation.
pub fn status() -> Result<(), HeapError> {
    if !default_heap().is_null() {
        return Ok(());
    }
    // SAFETY: no arguments.
    error_result(serialized(|| unsafe { ffi::rtheap_default_status() }))
}

/// Usable bytes an allocation of `layout` gets (`__rust_usable_size`): every
/// block handed out for it has at least this many, all usable. 0 if the
/// request can never be satisfied. Pure, O(1).
///
/// ```
/// use core::alloc::Layout;
/// let n = rtheap::usable_size(Layout::from_size_align(10, 4).unwrap());
/// assert!(n >= 10 && n % 4 == 0);
/// ```
pub fn usable_size(layout: Layout) -> usize {
    // SAFETY: pure function of its arguments.
    unsafe { ffi::__rust_usable_size(layout.size(), layout.align()) }
}

// ---------------------------------------------------------------------------
// Heaps as values
// ---------------------------------------------------------------------------

/// An alignment every block of a heap has: `RTHEAP_ALIGNMENT` is at least two
/// pointers in every configuration (csrc/rtheap_config.h).
const PLAIN_ALIGN: usize = 2 * core::mem::size_of::<usize>();

/// A heap over memory the firmware gives it: a static pool, a DMA-capable
/// SRAM bank, external PSRAM. Each `Heap` is an rtheap heap of its own (its
/// own free lists, statistics and lock); the default heap ([`RtHeap`]) is
/// another one.
///
/// Its interface is embedded-alloc's (`empty`, `init(start_addr, size)`,
/// `used`, `free`), so a firmware moves over by changing its `use` line:
///
/// ```no_run
/// use rtheap::Heap; // was: use embedded_alloc::LlffHeap as Heap;
///
/// #[global_allocator]
/// static HEAP: Heap = Heap::empty();
///
/// fn main() {
///     use core::mem::MaybeUninit;
///     const HEAP_SIZE: usize = 1024;
///     static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
///     // The result says whether the heap took the region.
///     unsafe { HEAP.init(core::ptr::addr_of_mut!(HEAP_MEM) as usize, HEAP_SIZE) }.unwrap();
/// }
/// ```
///
/// A heap besides the global allocator, used through `GlobalAlloc` (or,
/// with the `allocator-api` feature, `Vec::new_in(&FAST)`):
///
/// ```
/// use core::alloc::{GlobalAlloc, Layout};
/// use core::mem::MaybeUninit;
///
/// static FAST: rtheap::Heap = rtheap::Heap::empty();
/// static mut POOL: [MaybeUninit<u8>; 8192] = [MaybeUninit::uninit(); 8192];
///
/// assert_eq!(FAST.used(), 0);
/// // SAFETY: POOL is used by nothing else, for the rest of the program.
/// unsafe { FAST.init(core::ptr::addr_of_mut!(POOL) as usize, 8192) }.unwrap();
/// let free = FAST.free();
/// assert!(free > 7000);
///
/// let layout = Layout::from_size_align(100, 16).unwrap();
/// let p = unsafe { FAST.alloc(layout) };
/// assert!(!p.is_null() && p as usize % 16 == 0);
/// assert!(FAST.used() >= 100 && FAST.free() < free);
/// unsafe { FAST.dealloc(p, layout) };
/// assert_eq!((FAST.used(), FAST.free()), (0, free));
/// assert_eq!(FAST.check(), Ok(()));
/// ```
///
/// - `const fn empty()` (or `new()`) makes an empty heap, so a `Heap` can be a
///   `static` (and a `#[global_allocator]`); every allocation from it returns
///   null (the `Allocator` API: `AllocError`) until [`init`](Heap::init) or
///   [`init_from`](Heap::init_from) gives it a region. Give the global
///   allocator its region first thing in `main`.
/// - `init` runs once: a second call returns `Err(InitError::State)` and leaves
///   the heap (and the memory offered) untouched. It runs with interrupts
///   masked, so an interrupt handler allocating from the same heap sees either
///   no heap or the whole of it.
/// - All calls after that go through the C library, which serialises them with
///   the heap's own lock (PRIMASK by default): a `Heap` is `Sync` and may be
///   used from interrupt handlers. It holds only the handle of the C heap,
///   which lives at the start of its first region.
/// - Several cores may share a `Heap` only with the feature `spin-lock` or
///   `user-lock` ([Several cores](crate#several-cores)); with the default
///   PRIMASK lock, one core only. `init` then keeps the other cores out too.
/// - Any power-of-two alignment is served (above 8 bytes on Cortex-M, 16 on a
///   64-bit host, at the cost of up to `align` bytes of search slack, not of
///   waste). Zero-size requests through
///   `GlobalAlloc` get a minimum block; through `Allocator` a dangling,
///   aligned pointer that costs nothing (as `Global` does).
pub struct Heap {
    /// The C heap (`rtheap_t *`), null until init.
    raw: AtomicPtr<ffi::Heap>,
}

impl Heap {
    /// An empty heap: allocations fail until it is given a region
    /// (embedded-alloc's name; the same as [`Heap::new`]).
    pub const fn empty() -> Heap {
        Heap { raw: AtomicPtr::new(core::ptr::null_mut()) }
    }

    /// An empty heap: allocations fail until it is given a region.
    pub const fn new() -> Heap {
        Heap::empty()
    }

    /// The C heap, or null before init.
    #[inline]
    fn raw(&self) -> *mut ffi::Heap {
        self.raw.load(Ordering::Acquire)
    }

    /// Builds the heap in `[start_addr, start_addr + size)` (`rtheap_init`;
    /// any alignment, the start is rounded up to 8 on Cortex-M, 16 on a 64-bit
    /// host). Runs once per heap: `Err(InitError::State)` after that,
    /// `Err(InitError::Region)` for a region too small for a heap; the memory
    /// is untouched then.
    ///
    /// The arguments are embedded-alloc's. Its `init` returns `()`; this one a
    /// [`Result`], which the compiler asks you to look at: a call that is the
    /// last expression of a block that must be `()` (`{ unsafe {
    /// HEAP.init(start, size) } }`) needs a `;` or `.unwrap()`.
    ///
    /// # Safety
    /// The region must be valid, writable memory that nothing else uses
    /// (no other heap, no static, not the stack) for the rest of the program.
    #[must_use = "the region may have been refused: `.unwrap()` or `.expect(...)` the result"]
    pub unsafe fn init(&self, start_addr: usize, size: usize) -> Result<(), InitError> {
        // SAFETY: forwarded caller contract.
        unsafe { self.init_for(start_addr, size, 0) }
    }

    /// [`init`](Heap::init) for a heap that will also get a region larger
    /// than this first one ([`add_region`](Heap::add_region);
    /// `rtheap_init_for`): its index is sized for blocks as large as
    /// `largest_region` bytes, one row of the index (68 bytes on Cortex-M)
    /// per doubling. Without it, a larger region is cut into blocks no larger
    /// than the first region can hold. `largest_region` no larger than `size`
    /// is the same as [`init`](Heap::init).
    ///
    /// # Safety
    /// As for [`init`](Heap::init).
    #[must_use = "the region may have been refused: `.unwrap()` or `.expect(...)` the result"]
    pub unsafe fn init_for(
        &self,
        start_addr: usize,
        size: usize,
        largest_region: usize,
    ) -> Result<(), InitError> {
        let mem = start_addr as *mut c_void;
        init_section(|| {
            if !self.raw().is_null() {
                return Err(InitError::State);
            }
            // SAFETY: forwarded caller contract; nothing else can see the region yet.
            let heap = serialized(|| unsafe { ffi::rtheap_init_for(mem, size, largest_region) });
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
    /// ```
    /// use core::mem::MaybeUninit;
    ///
    /// #[repr(align(8))]
    /// struct Pool([MaybeUninit<u8>; 8192]);
    /// static mut POOL: Pool = Pool([MaybeUninit::uninit(); 8192]);
    /// static FAST: rtheap::Heap = rtheap::Heap::new();
    ///
    /// // SAFETY: the only reference to POOL ever made.
    /// FAST.init_from(unsafe { &mut (*core::ptr::addr_of_mut!(POOL)).0 }).unwrap();
    /// assert_eq!(FAST.stats().heap_bytes, 8192);
    /// ```
    #[must_use = "the pool may have been refused: `.unwrap()` or `.expect(...)` the result"]
    pub fn init_from(&self, pool: &'static mut [MaybeUninit<u8>]) -> Result<(), InitError> {
        // SAFETY: the pool is borrowed for the rest of the program.
        unsafe { self.init(pool.as_mut_ptr() as usize, pool.len()) }
    }

    /// Adds a further, non-contiguous region (`rtheap_add_region`): blocks
    /// never span two regions. The largest block is what the index built by
    /// [`init`](Heap::init) holds, sized for the first region: a larger region
    /// is cut into blocks of that size, unless the heap was built with
    /// [`init_for`](Heap::init_for).
    ///
    /// # Safety
    /// As for [`init`](Heap::init).
    #[must_use = "the region may have been refused: `.unwrap()` or `.expect(...)` the result"]
    pub unsafe fn add_region(&self, start_addr: usize, size: usize) -> Result<(), InitError> {
        let heap = self.raw();
        if heap.is_null() {
            return Err(InitError::State);
        }
        let mem = start_addr as *mut c_void;
        // SAFETY: a live heap; forwarded caller contract. The C side refuses overlaps.
        if serialized(|| unsafe { ffi::rtheap_add_region(heap, mem, size) }) {
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
            serialized(|| unsafe { ffi::rtheap_get_stats(heap, &mut s) });
        }
        s
    }

    /// Usable payload bytes of the live blocks ([`Stats::used_bytes`]; 0
    /// before init). embedded-alloc's `used()`.
    pub fn used(&self) -> usize {
        self.stats().used_bytes
    }

    /// Bytes in free blocks ([`Stats::free_bytes`]; 0 before init).
    /// embedded-alloc's `free()`. Each block costs a 4-byte header and is a
    /// multiple of 8 bytes on Cortex-M (8 and 16 on a 64-bit host), so
    /// `used() + free()` is a little below the region's size.
    pub fn free(&self) -> usize {
        self.stats().free_bytes
    }

    /// A default-aligned allocation of up to this many bytes cannot fail now
    /// (O(1), from the free-list bitmaps); 0 before init.
    pub fn largest_guaranteed(&self) -> usize {
        self.stats().largest_guaranteed
    }

    /// Full consistency check (`rtheap_check()`): O(number of blocks), with
    /// interrupts masked for the whole walk. `Ok` before init (an empty heap).
    pub fn check(&self) -> Result<(), HeapError> {
        let heap = self.raw();
        if heap.is_null() {
            return Ok(());
        }
        // SAFETY: a live heap.
        error_result(serialized(|| unsafe { ffi::rtheap_check(heap) }))
    }

    /// A block of `size` bytes aligned to `align`, or null (no heap, no memory).
    #[inline]
    fn alloc_raw(&self, size: usize, align: usize) -> *mut u8 {
        let heap = self.raw();
        if heap.is_null() {
            return core::ptr::null_mut();
        }
        // SAFETY: a live heap; the C side checks size and alignment.
        serialized(|| unsafe { ffi::rtheap_alloc_aligned(heap, size, align) }).cast()
    }

    /// Frees a block of this heap (the C side refuses and reports any other).
    #[inline]
    unsafe fn free_raw(&self, ptr: *mut u8) {
        let heap = self.raw();
        // SAFETY: a block exists, so the heap does.
        serialized(|| unsafe { ffi::rtheap_free(heap, ptr.cast()) })
    }

    /// Resizes keeping `align`: in place when the block is aligned to it and
    /// can grow or shrink where it is, else moved; null (block intact) on
    /// failure. A move copies the `old_size` bytes in use (rounded up to a
    /// word), not the whole block, whatever the alignment.
    #[inline]
    unsafe fn realloc_raw(&self, ptr: *mut u8, old_size: usize, size: usize, align: usize) -> *mut u8 {
        let heap = self.raw();
        // SAFETY: ptr is a live block of this heap (caller contract).
        serialized(|| unsafe {
            if align <= PLAIN_ALIGN {
                ffi::rtheap_realloc_sized(heap, ptr.cast(), old_size, size)
            } else {
                ffi::rtheap_rust_realloc_aligned(heap, ptr.cast(), old_size, size, align)
            }
        })
        .cast()
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
        unsafe { self.realloc_raw(ptr, layout.size(), new_size, layout.align()) }
    }
}

/// Runs `f` with interrupts masked (PRIMASK saved, set, restored): the one
/// check-then-set that must not be interleaved with an interrupt handler.
#[cfg(target_arch = "arm")]
// The user lock does this itself.
#[cfg_attr(feature = "user-lock", allow(dead_code))]
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

/// Elsewhere (the host): one init at a time, across threads.
#[cfg(not(target_arch = "arm"))]
// The user lock does this itself.
#[cfg_attr(feature = "user-lock", allow(dead_code))]
fn with_interrupts_masked<R>(f: impl FnOnce() -> R) -> R {
    use core::sync::atomic::AtomicBool;
    static INIT: AtomicBool = AtomicBool::new(false);
    while INIT.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
        core::hint::spin_loop();
    }
    let r = f();
    INIT.store(false, Ordering::Release);
    r
}

/// Runs `Heap::init`'s check-then-set with every other user of the heaps kept
/// out: this core's interrupt handlers (PRIMASK), and with the default lock
/// nothing else, since there is no other core then.
#[cfg(not(any(feature = "spin-lock", feature = "user-lock")))]
fn init_section<R>(f: impl FnOnce() -> R) -> R {
    with_interrupts_masked(f)
}

/// With the spinlock, the other cores too: this core's interrupts masked
/// first (a handler cannot preempt the holder, so it never spins on its own
/// core), then a spinlock of its own (the C spinlock is inline code of the C
/// library, out of Rust's reach).
#[cfg(all(feature = "spin-lock", not(feature = "user-lock")))]
fn init_section<R>(f: impl FnOnce() -> R) -> R {
    use core::sync::atomic::AtomicBool;
    static INIT: AtomicBool = AtomicBool::new(false);
    with_interrupts_masked(|| {
        // No spin_loop() hint: on Cortex-M it is a YIELD, which the cores treat as a
        // no-op, and after which QEMU's -icount scheduler runs the other core alone
        // until it waits too (as the C spinlock, this loop has no hint).
        while INIT.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {}
        let r = f();
        INIT.store(false, Ordering::Release);
        r
    })
}

/// With the firmware's lock, that lock: it masks this core's interrupts and
/// keeps the other cores out.
#[cfg(feature = "user-lock")]
fn init_section<R>(f: impl FnOnce() -> R) -> R {
    extern "C" {
        fn rtheap_user_lock_acquire() -> u32;
        fn rtheap_user_lock_release(state: u32);
    }
    // SAFETY: the firmware's functions (the feature's contract); paired below.
    let state = unsafe { rtheap_user_lock_acquire() };
    let r = f();
    // SAFETY: the state of the acquire above.
    unsafe { rtheap_user_lock_release(state) };
    r
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

        unsafe fn grow(&self, ptr: NonNull<u8>, old: Layout, new: Layout) -> Result<NonNull<[u8]>, AllocError> {
            if old.size() == 0 {
                return self.allocate(new);
            }
            // In place (O(1), nothing copied) when the block is aligned to the new
            // alignment and its next neighbour is free and large enough; else a new
            // block, the old contents copied, the old block freed. Null: the old
            // block is intact, as Allocator requires.
            // SAFETY: a live block of this heap with `old` (caller contract).
            block(unsafe { self.realloc_raw(ptr.as_ptr(), old.size(), new.size(), new.align()) }, new.size())
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

        unsafe fn shrink(&self, ptr: NonNull<u8>, old: Layout, new: Layout) -> Result<NonNull<[u8]>, AllocError> {
            if new.size() == 0 {
                // SAFETY: forwarded caller contract.
                unsafe { self.deallocate(ptr, old) };
                return Ok(empty(new));
            }
            if is_aligned(ptr, new.align()) {
                // Where it is: the tail goes back to the heap when it is large
                // enough to be a block. If it is not returned (0), the block keeps
                // its old size, which fits the new layout as well.
                let heap = self.raw();
                // SAFETY: a live block of this heap (caller contract).
                super::serialized(|| unsafe {
                    super::ffi::rtheap_resize_in_place(heap, ptr.as_ptr().cast(), new.size())
                });
                return Ok(NonNull::slice_from_raw_parts(ptr, new.size()));
            }
            // A stricter alignment than the block has: it must move.
            // SAFETY: as above.
            block(unsafe { self.realloc_raw(ptr.as_ptr(), old.size(), new.size(), new.align()) }, new.size())
        }
    }
}

#[cfg(test)]
mod tests;
