// SPDX-License-Identifier: MIT OR Apache-2.0
//! Heap maps: every block of a heap, from the C library's `rtheap_walk()`,
//! summed into one text bar per region, and the block dump that
//! `tools/heapmap.py` draws (the format `rtheap map --dump` prints in GDB).
//!
//! The crate has no walk of its own, so this module declares the few C
//! functions it needs from the library the crate links (`src/rtheap.h`). The
//! C heap of the default heap is `rtheap_default()`; that of a
//! `rtheap::Heap` is its control structure, which `rtheap_init()` puts at
//! the start of the heap's first region, rounded up to 8 bytes.
//! [`CHeap::at`] confirms it with `rtheap_check()`, which knows its heaps
//! by a tag that holds their own address.
use core::ffi::c_void;

/// `rtheap_block_info_t` (src/rtheap.h).
#[repr(C)]
struct BlockInfo {
    ptr: *mut c_void,
    size: usize,
    used: bool,
    region: u32,
}

type Walker = unsafe extern "C" fn(block: *const BlockInfo, user: *mut c_void) -> bool;

extern "C" {
    fn rtheap_default() -> *mut c_void;
    fn rtheap_check(heap: *mut c_void) -> i32;
    fn rtheap_walk(heap: *mut c_void, walker: Walker, user: *mut c_void) -> usize;
}

/// A C heap (`rtheap_t *`) to walk.
#[derive(Clone, Copy)]
pub struct CHeap(*mut c_void);

impl CHeap {
    /// The default heap (the global allocator's); it must exist already.
    pub fn default_heap() -> CHeap {
        // SAFETY: no arguments; the heap exists, so nothing is built here.
        CHeap(unsafe { rtheap_default() })
    }

    /// The heap whose first region starts at `start`, if `rtheap_check()`
    /// recognises a consistent heap there.
    pub fn at(start: usize) -> Option<CHeap> {
        let heap = ((start + 7) & !7) as *mut c_void;
        // SAFETY: rtheap_check reads the control structure only after its
        // tag matches the address; `start` is the start of a heap's region.
        (unsafe { rtheap_check(heap) } == 0).then_some(CHeap(heap))
    }
}

/// Slices per region in the text map.
pub const SLICES: usize = 64;

/// What a walk found in one region of a heap. It lives on the stack (4 KiB
/// in all on the micro:bit), so a map holds one region and a heap of two is
/// walked twice.
pub struct RegionMap {
    /// The region's number in its heap, and its bytes `[lo, hi)`.
    index: u32,
    lo: usize,
    hi: usize,
    /// Free bytes in each slice.
    slice_free: [u32; SLICES],
    used_blocks: usize,
    used_bytes: usize,
    free_blocks: usize,
    free_bytes: usize,
    largest_free: usize,
}

impl RegionMap {
    /// The map of region `index` of `heap`, which spans `[lo, hi)`.
    pub fn of(heap: CHeap, index: u32, (lo, hi): (usize, usize)) -> RegionMap {
        let mut map = RegionMap {
            index,
            lo,
            hi,
            slice_free: [0; SLICES],
            used_blocks: 0,
            used_bytes: 0,
            free_blocks: 0,
            free_bytes: 0,
            largest_free: 0,
        };
        // SAFETY: a live heap; the callback gets `map` back as `user`.
        unsafe { rtheap_walk(heap.0, add_block, (&raw mut map).cast()) };
        map
    }

    /// Blocks in use in the region.
    pub fn used_blocks(&self) -> usize {
        self.used_blocks
    }

    /// The region's bar: `#` all used, `.` all free, `+` both; then its
    /// block counts.
    pub fn print(&self) {
        let len = self.hi - self.lo;
        let mut bar = [0u8; SLICES];
        for (k, c) in bar.iter_mut().enumerate() {
            let (s0, s1) = slice(len, k);
            let free = self.slice_free[k] as usize;
            *c = if free == 0 { b'#' } else if free >= s1 - s0 { b'.' } else { b'+' };
        }
        // SAFETY: ASCII only.
        let bar = unsafe { core::str::from_utf8_unchecked(&bar) };
        println!("  r{} {:08x} |{}| {}", self.index, self.lo, bar, Size(len));
        println!("      used {} blocks, {}; free {} blocks, {}, largest free {}", self.used_blocks,
                 Size(self.used_bytes), self.free_blocks, Size(self.free_bytes), Size(self.largest_free));
    }
}

/// The byte range of slice `k` of a region of `len` bytes.
fn slice(len: usize, k: usize) -> (usize, usize) {
    let at = |k: usize| (len as u64 * k as u64 / SLICES as u64) as usize;
    (at(k), at(k + 1))
}

unsafe extern "C" fn add_block(block: *const BlockInfo, user: *mut c_void) -> bool {
    // SAFETY: rtheap_walk passes a valid block and our `user`, a `RegionMap`.
    let (b, r) = unsafe { (&*block, &mut *user.cast::<RegionMap>()) };
    if b.region != r.index {
        return true;
    }
    if b.used {
        r.used_blocks += 1;
        r.used_bytes += b.size;
        return true;
    }
    r.free_blocks += 1;
    r.free_bytes += b.size;
    r.largest_free = r.largest_free.max(b.size);
    // The free bytes, slice by slice.
    let len = r.hi - r.lo;
    let lo = (b.ptr as usize).saturating_sub(r.lo);
    let hi = (lo + b.size).min(len);
    let mut k = (lo as u64 * SLICES as u64 / len as u64) as usize;
    while k < SLICES {
        let (s0, s1) = slice(len, k);
        if s0 >= hi {
            break;
        }
        let overlap = hi.min(s1).saturating_sub(lo.max(s0));
        r.slice_free[k] += overlap as u32;
        k += 1;
    }
    true
}

/// Bytes as the C demo prints them: B below 10 KiB, KiB below 10 MiB, MiB.
pub struct Size(pub usize);

impl core::fmt::Display for Size {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            n if n >= 10 << 20 => write!(f, "{} MiB", n >> 20),
            n if n >= 10 << 10 => write!(f, "{} KiB", n >> 10),
            n => write!(f, "{} B", n),
        }
    }
}

/// Prints the dump `tools/heapmap.py` reads ("rtheap heapmap v1") between the
/// markers `tools/demo.sh` cuts it out by. Several heaps, each with the
/// bounds of its regions: their regions are numbered one after another.
pub fn print_dump(title: core::fmt::Arguments<'_>, heaps: &[(CHeap, &[(usize, usize)])]) {
    println!("--- heapmap begin ---");
    println!("# rtheap heapmap v1");
    println!("# title {}", title);
    println!("# word {}", core::mem::size_of::<usize>());
    let mut first = 0;
    for (_, bounds) in heaps {
        for (lo, hi) in bounds.iter() {
            println!("# region {} {:#x} {:#x}", first, lo, hi);
            first += 1;
        }
    }
    let mut pos = DumpPos { offset: 0, region: u32::MAX, index: 0 };
    for (heap, bounds) in heaps {
        pos.region = u32::MAX;
        // SAFETY: a live heap; the callback gets `pos` back as `user`.
        unsafe { rtheap_walk(heap.0, dump_block, (&raw mut pos).cast()) };
        pos.offset += bounds.len() as u32;
    }
    println!("--- heapmap end ---");
}

/// The dump's position: this heap's regions are numbered from `offset`;
/// blocks are numbered within their region.
struct DumpPos {
    offset: u32,
    region: u32,
    index: u32,
}

unsafe extern "C" fn dump_block(block: *const BlockInfo, user: *mut c_void) -> bool {
    // SAFETY: rtheap_walk passes a valid block and our `user`, a `DumpPos`.
    let (b, pos) = unsafe { (&*block, &mut *user.cast::<DumpPos>()) };
    if b.region != pos.region {
        pos.region = b.region;
        pos.index = 0;
    }
    println!("{} {} {:#x} {} {}", pos.offset + b.region, pos.index, b.ptr as usize, b.size, b.used as u8);
    pos.index += 1;
    true
}
