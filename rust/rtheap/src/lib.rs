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
//! `#[panic_handler]` sees it.
//!
//! Every call is ISR-safe: with the library's default configuration the C
//! side masks interrupts (PRIMASK) for the O(1) duration of each call, so
//! interrupt handlers may allocate and free too.
//!
//! # Linking the C library
//!
//! `build.rs` links `librtheap.a`: from `RTHEAP_LIB_DIR` if that is set (a
//! prebuilt library for the same CPU), else it builds it in `OUT_DIR` with the
//! repository's CMake build and `toolchain/arm-none-eabi.cmake`, the CPU taken
//! from the Rust target (`thumbv6m-none-eabi` → `cortex-m0`,
//! `thumbv7m-none-eabi` → `cortex-m3`, `thumbv7em-none-eabi` → `cortex-m4`,
//! `thumbv7em-none-eabihf` → `cortex-m4f`, `thumbv8m.main-none-eabi` →
//! `cortex-m33`; `RTHEAP_CPU` overrides it).
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
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::{c_char, c_void, CStr};
use core::fmt;

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

        pub fn rtheap_default() -> *mut Heap;
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
        unsafe { ffi::__rust_allocate(layout.size(), layout.align()).cast() }
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

// The C layout: 8 size_t then 6 uint32_t, no padding on 32-bit (and a tail
// pad on 64-bit, which #[repr(C)] reproduces).
const _: () = {
    assert!(core::mem::offset_of!(Stats, alloc_count) == 8 * core::mem::size_of::<usize>());
    assert!(core::mem::offset_of!(Stats, region_count) == 8 * core::mem::size_of::<usize>() + 20);
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
    /// The control structure is damaged, or there is no heap at all
    /// (the linker symbols describe a region too small for one).
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
/// blocks), with interrupts masked for the whole walk. `Err(HeapError::Control)`
/// if there is no heap.
pub fn check() -> Result<(), HeapError> {
    // SAFETY: rtheap_check accepts NULL (reports RTHEAP_ERR_CONTROL).
    let code = unsafe { ffi::rtheap_check(ffi::rtheap_default()) };
    // Codes are 0..=16; anything else maps to HeapError::Unknown.
    match HeapError::from_code(u8::try_from(code).unwrap_or(u8::MAX)) {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

/// Usable bytes an allocation of `layout` gets (`__rust_usable_size`): every
/// block handed out for it has at least this many, all usable. 0 if the
/// request can never be satisfied. Pure, O(1).
pub fn usable_size(layout: Layout) -> usize {
    // SAFETY: pure function of its arguments.
    unsafe { ffi::__rust_usable_size(layout.size(), layout.align()) }
}
