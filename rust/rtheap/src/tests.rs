// SPDX-License-Identifier: MIT OR Apache-2.0
//! Host tests of the crate against the real C core (built by build.rs with
//! the host's C compiler). `cargo test` runs them on several threads; each
//! test has heaps of its own, and only `default_heap` touches the default heap.
use super::*;
use core::ptr;
use std::string::ToString;
use std::vec::Vec;

/// A static, 8-aligned pool of N bytes.
#[repr(C, align(8))]
struct Pool<const N: usize>([MaybeUninit<u8>; N]);

impl<const N: usize> Pool<N> {
    const fn new() -> Self {
        Pool([MaybeUninit::uninit(); N])
    }
}

/// The pool behind a `static mut`, borrowed once for the rest of the program.
macro_rules! take {
    ($pool:ident) => {
        // SAFETY: each pool is taken once, by the one test that owns it.
        unsafe { &mut (*ptr::addr_of_mut!($pool)).0 }
    };
}

#[test]
fn empty_heap_fails_every_allocation_and_reports_empty() {
    static NEVER: Heap = Heap::empty();
    const _: Heap = Heap::new();
    assert!(!NEVER.is_initialized());
    assert_eq!(NEVER.stats(), Stats::default());
    assert_eq!((NEVER.used(), NEVER.free(), NEVER.largest_guaranteed()), (0, 0, 0));
    assert_eq!(NEVER.check(), Ok(()));
    // SAFETY: a valid layout; null expected.
    assert!(unsafe { NEVER.alloc(Layout::new::<u64>()) }.is_null());
    // SAFETY: refused before anything is written.
    assert_eq!(unsafe { NEVER.add_region(0x1000, 4096) }, Err(InitError::State));
}

#[test]
fn heap_lifecycle_through_global_alloc() {
    static HEAP: Heap = Heap::empty();
    static mut POOL: Pool<16384> = Pool::new();
    static mut SECOND: Pool<4096> = Pool::new();
    let pool = take!(POOL);
    let start = pool.as_ptr() as usize;
    HEAP.init_from(pool).unwrap();
    assert!(HEAP.is_initialized());
    let s0 = HEAP.stats();
    assert_eq!((s0.heap_bytes, s0.region_count, s0.live_blocks), (16384, 1, 0));
    assert!(HEAP.free() > 14000 && HEAP.free() == s0.free_bytes && HEAP.used() == 0);

    // Blocks inside the pool, aligned as asked, counted.
    let mut blocks = Vec::new();
    for (i, align) in [1usize, 8, 16, 64, 256].iter().cycle().take(40).enumerate() {
        let layout = Layout::from_size_align(8 + i * 13, *align).unwrap();
        // SAFETY: a valid layout.
        let p = unsafe { HEAP.alloc(layout) };
        assert!(!p.is_null(), "allocation {i}");
        assert_eq!(p as usize % align, 0);
        assert!(p as usize >= start && p as usize + layout.size() <= start + 16384);
        // SAFETY: the block has layout.size() bytes.
        unsafe { ptr::write_bytes(p, i as u8, layout.size()) };
        blocks.push((p, layout, i as u8));
    }
    let s1 = HEAP.stats();
    assert_eq!((s1.live_blocks, s1.alloc_count), (40, 40));
    assert_eq!(HEAP.used(), s1.used_bytes);
    assert!(HEAP.used() >= blocks.iter().map(|b| b.1.size()).sum::<usize>());
    assert_eq!(HEAP.check(), Ok(()));

    // realloc keeps the contents and the alignment.
    let (p, layout, fill) = blocks.swap_remove(3);
    // SAFETY: a live block of HEAP with `layout`.
    let q = unsafe { HEAP.realloc(p, layout, layout.size() + 500) };
    assert!(!q.is_null() && q as usize % layout.align() == 0);
    // SAFETY: the first layout.size() bytes were kept.
    assert!(unsafe { core::slice::from_raw_parts(q, layout.size()) }.iter().all(|&b| b == fill));
    let grown = Layout::from_size_align(layout.size() + 500, layout.align()).unwrap();
    // SAFETY: the block has grown.size() bytes now.
    unsafe { ptr::write_bytes(q, fill, grown.size()) };
    blocks.push((q, grown, fill));

    for (p, layout, fill) in blocks.drain(..) {
        // SAFETY: as written above.
        assert!(unsafe { core::slice::from_raw_parts(p, layout.size()) }.iter().all(|&b| b == fill));
        // SAFETY: a live block of HEAP.
        unsafe { HEAP.dealloc(p, layout) };
    }
    let s2 = HEAP.stats();
    assert_eq!((s2.live_blocks, s2.used_bytes), (0, 0));
    assert_eq!(s2.alloc_count, s2.free_count);
    assert_eq!(HEAP.free(), s0.free_bytes);
    assert_eq!(HEAP.check(), Ok(()));

    // Out of memory: null, counted, the heap intact.
    // SAFETY: a valid layout.
    assert!(unsafe { HEAP.alloc(Layout::from_size_align(1 << 20, 8).unwrap()) }.is_null());
    assert_eq!(HEAP.stats().failed_count, 1);

    // init runs once; the memory offered the second time is untouched.
    let second = take!(SECOND);
    second[0] = MaybeUninit::new(0xA5);
    let (addr, len) = (second.as_mut_ptr() as usize, second.len());
    // SAFETY: refused before anything is written.
    assert_eq!(unsafe { HEAP.init(addr, len) }, Err(InitError::State));
    // SAFETY: written just above.
    assert_eq!(unsafe { second[0].assume_init() }, 0xA5);

    // A second region.
    // SAFETY: SECOND is used by nothing else.
    unsafe { HEAP.add_region(addr, len) }.unwrap();
    assert_eq!(HEAP.stats().region_count, 2);
    assert_eq!(HEAP.stats().heap_bytes, 16384 + 4096);
    // SAFETY: the same region again: refused (overlap).
    assert_eq!(unsafe { HEAP.add_region(addr, len) }, Err(InitError::Region));
    assert_eq!(HEAP.check(), Ok(()));
}

/// A small first region and a larger one added: `init` cuts the larger
/// into blocks the small one's index holds, `init_for` serves a block
/// larger than the whole first region from it.
#[test]
fn init_for_sizes_the_index_for_a_larger_region() {
    static CUT: Heap = Heap::new();
    static SIZED: Heap = Heap::new();
    static mut FIRST_A: Pool<2048> = Pool::new();
    static mut BIG_A: Pool<65536> = Pool::new();
    static mut FIRST_B: Pool<2048> = Pool::new();
    static mut BIG_B: Pool<65536> = Pool::new();
    let wide = Layout::from_size_align(16384, 8).unwrap();
    let cases = [
        (&CUT, take!(FIRST_A), take!(BIG_A), false),
        (&SIZED, take!(FIRST_B), take!(BIG_B), true),
    ];
    for (heap, first, big, sized) in cases {
        let (a, n) = (first.as_mut_ptr() as usize, first.len());
        let (b, m) = (big.as_mut_ptr() as usize, big.len());
        // SAFETY: pools used by nothing else.
        unsafe { if sized { heap.init_for(a, n, m) } else { heap.init(a, n) } }.unwrap();
        // SAFETY: as above.
        unsafe { heap.add_region(b, m) }.unwrap();
        // SAFETY: a valid layout; freed below.
        let p = unsafe { heap.alloc(wide) };
        assert_eq!(!p.is_null(), sized, "16 KiB from a 64 KiB region (init_for: {sized})");
        if !p.is_null() {
            assert!((p as usize) >= b && (p as usize) + wide.size() <= b + m);
            // SAFETY: allocated above with this layout.
            unsafe { heap.dealloc(p, wide) };
        }
        assert_eq!(heap.check(), Ok(()));
    }
}

#[test]
fn too_small_region_is_refused_and_left_unused() {
    static SMALL: Heap = Heap::new();
    static mut TINY: Pool<64> = Pool::new();
    assert_eq!(SMALL.init_from(take!(TINY)), Err(InitError::Region));
    assert!(!SMALL.is_initialized());
    assert_eq!(SMALL.stats(), Stats::default());
}

/// Marks the three usable words of `b`, the smallest block, whose layout
/// `one` asks for 1 byte (the test writes past the layout on purpose: the
/// bytes are the block's), and reallocates it to 100 bytes, which moves it.
/// Checks that only its first word came along: a moving `realloc` keeps
/// `layout.size()` bytes, not the block's usable size. Returns the new block.
///
/// # Safety
/// `b` is a live block of `heap` with layout `one`, which cannot grow in place.
unsafe fn move_marked_block(heap: &Heap, b: *mut u8, one: Layout) -> *mut u8 {
    let word = core::mem::size_of::<usize>();
    // SAFETY: b's block has three usable words (caller contract).
    unsafe { ptr::write_bytes(b, 0xAB, 3 * word) };
    // SAFETY: a live block of heap with layout `one` (caller contract).
    let q = unsafe { heap.realloc(b, one, 100) };
    assert!(!q.is_null() && q != b, "moved: {b:p} -> {q:p}");
    // SAFETY: q's block has at least three usable words.
    let moved = unsafe { core::slice::from_raw_parts(q, 3 * word) };
    assert_eq!(moved[0], 0xAB, "the byte in use is kept");
    assert!(moved[word..].iter().any(|&x| x != 0xAB), "only its word is copied: {moved:x?}");
    q
}

#[test]
fn moving_realloc_copies_the_layout_not_the_block() {
    static HEAP: Heap = Heap::empty();
    static mut POOL: Pool<8192> = Pool::new();
    HEAP.init_from(take!(POOL)).unwrap();
    let (big, one) = (Layout::from_size_align(200, 8).unwrap(), Layout::from_size_align(1, 1).unwrap());
    // SAFETY: valid layouts; each block checked before use.
    let (a, b, guard) = unsafe { (HEAP.alloc(big), HEAP.alloc(one), HEAP.alloc(one)) };
    assert!(!a.is_null() && !b.is_null() && !guard.is_null());
    // SAFETY: a live block of HEAP.
    unsafe { HEAP.dealloc(a, big) };
    // b's next block (guard) is in use: b cannot grow in place, and moves into
    // a's block, the smallest free one that fits.
    // SAFETY: b is a live block of HEAP with layout `one`.
    let q = unsafe { move_marked_block(&HEAP, b, one) };
    assert_eq!(q, a, "moved into the block freed in front of it");
    // SAFETY: live blocks of HEAP.
    unsafe {
        HEAP.dealloc(q, Layout::from_size_align(100, 1).unwrap());
        HEAP.dealloc(guard, one);
    }
    assert_eq!(HEAP.check(), Ok(()));
    assert_eq!(HEAP.stats().live_blocks, 0);
}

/// The same for an over-aligned layout, which also keeps its alignment.
#[test]
fn moving_over_aligned_realloc_copies_the_layout_not_the_block() {
    static HEAP: Heap = Heap::empty();
    static mut POOL: Pool<8192> = Pool::new();
    HEAP.init_from(take!(POOL)).unwrap();
    let (one, wide) = (Layout::from_size_align(1, 64).unwrap(), Layout::from_size_align(200, 64).unwrap());
    // b lies between two blocks at the next 64-byte positions: the gap after
    // it is too small for 100 bytes, so it cannot grow in place.
    // SAFETY: valid layouts; each block checked before use.
    let (a, b, guard) = unsafe { (HEAP.alloc(wide), HEAP.alloc(one), HEAP.alloc(wide)) };
    assert!(!a.is_null() && !b.is_null() && !guard.is_null());
    assert!(b as usize > a as usize && (guard as usize) < b as usize + 128, "{a:p} {b:p} {guard:p}");
    // SAFETY: b is a live block of HEAP with layout `one`.
    let q = unsafe { move_marked_block(&HEAP, b, one) };
    assert_eq!(q as usize % 64, 0, "aligned: {q:p}");
    // SAFETY: live blocks of HEAP.
    unsafe {
        HEAP.dealloc(q, Layout::from_size_align(100, 64).unwrap());
        HEAP.dealloc(a, wide);
        HEAP.dealloc(guard, wide);
    }
    assert_eq!(HEAP.check(), Ok(()));
    assert_eq!(HEAP.stats().live_blocks, 0);
}

#[test]
fn bad_free_is_refused_and_counted() {
    static HEAP: Heap = Heap::empty();
    static mut POOL: Pool<8192> = Pool::new();
    HEAP.init_from(take!(POOL)).unwrap();
    let layout = Layout::from_size_align(32, 8).unwrap();
    // SAFETY: a valid layout.
    let p = unsafe { HEAP.alloc(layout) };
    assert!(!p.is_null());
    // SAFETY: a live block.
    unsafe { HEAP.dealloc(p, layout) };
    // A double free: refused by the C side in O(1), the heap untouched.
    // SAFETY: rtheap validates the pointer (this is what is tested).
    unsafe { HEAP.dealloc(p, layout) };
    assert_eq!(HEAP.stats().error_count, 1);
    assert_eq!(HEAP.check(), Ok(()));
}

/// The host's C core has no lock of its own: the crate's must serialise
/// heaps shared by threads.
#[test]
fn one_heap_shared_by_threads() {
    static SHARED: Heap = Heap::empty();
    static mut POOL: Pool<{ 256 * 1024 }> = Pool::new();
    SHARED.init_from(take!(POOL)).unwrap();
    let threads: Vec<_> = (0..4u32)
        .map(|t| {
            std::thread::spawn(move || {
                let mut seed = 0x9e37_79b9u32.wrapping_mul(t + 1);
                let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
                for i in 0..20_000u32 {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    if live.len() < 32 && (seed % 3 != 0 || live.is_empty()) {
                        let layout = Layout::from_size_align(1 + (seed % 700) as usize, 8).unwrap();
                        // SAFETY: a valid layout.
                        let p = unsafe { SHARED.alloc(layout) };
                        assert!(!p.is_null());
                        let fill = (i ^ t) as u8;
                        // SAFETY: the block has layout.size() bytes.
                        unsafe { ptr::write_bytes(p, fill, layout.size()) };
                        live.push((p, layout, fill));
                    } else {
                        let (p, layout, fill) = live.swap_remove(seed as usize % live.len());
                        // SAFETY: written above, still this thread's.
                        let bytes = unsafe { core::slice::from_raw_parts(p, layout.size()) };
                        assert!(bytes.iter().all(|&b| b == fill), "thread {t}: a block changed under it");
                        // SAFETY: a live block of SHARED.
                        unsafe { SHARED.dealloc(p, layout) };
                    }
                }
                for (p, layout, _) in live {
                    // SAFETY: live blocks of SHARED.
                    unsafe { SHARED.dealloc(p, layout) };
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let s = SHARED.stats();
    assert_eq!((s.live_blocks, s.error_count), (0, 0));
    assert_eq!(s.alloc_count, s.free_count);
    assert_eq!(SHARED.check(), Ok(()));
}

/// The default heap is one per process: one test does all of it, in order.
#[test]
fn default_heap_free_functions() {
    static mut POOL: Pool<32768> = Pool::new();
    // Nothing built it: statistics and check report an empty heap and build
    // nothing (else init_from below would be refused).
    assert_eq!(stats(), Stats::default());
    assert_eq!(check(), Ok(()));
    assert!(default_heap().is_null());
    let pool = take!(POOL);
    let start = pool.as_ptr() as usize;
    init_from(pool).unwrap();
    assert_eq!(status(), Ok(()));
    assert_eq!(stats().heap_bytes, 32768);

    // RtHeap: the five entry points on this heap.
    let layout = Layout::from_size_align(200, 8).unwrap();
    // SAFETY: a valid layout.
    let p = unsafe { RtHeap.alloc_zeroed(layout) };
    assert!(!p.is_null() && (start..start + 32768).contains(&(p as usize)));
    // SAFETY: 200 zeroed bytes.
    assert!(unsafe { core::slice::from_raw_parts(p, 200) }.iter().all(|&b| b == 0));
    // Grows in place: the rest of the heap is free after it.
    // SAFETY: a live block with `layout`.
    let q = unsafe { RtHeap.realloc(p, layout, 1000) };
    assert_eq!(q, p);
    // An over-aligned block elsewhere.
    let big = Layout::from_size_align(64, 512).unwrap();
    // SAFETY: a valid layout.
    let r = unsafe { RtHeap.alloc(big) };
    assert!(!r.is_null() && r as usize % 512 == 0);
    assert_eq!(stats().live_blocks, 2);
    assert!(usable_size(layout) >= 200);
    // SAFETY: live blocks.
    unsafe {
        RtHeap.dealloc(r, big);
        RtHeap.dealloc(q, Layout::from_size_align(1000, 8).unwrap());
    }
    assert_eq!(stats().live_blocks, 0);
    assert_eq!(check(), Ok(()));
    // Once only.
    static mut MORE: Pool<4096> = Pool::new();
    assert_eq!(init_from(take!(MORE)), Err(InitError::State));
}

#[test]
fn errors_display_and_codes() {
    for code in 1..=17u8 {
        let e = HeapError::from_code(code).unwrap();
        assert_eq!(e.code(), code);
        assert!(!e.name().is_empty() && e.name() != "?");
        assert!(std::format!("{e}").contains(&std::format!("rtheap error {code}")));
    }
    assert_eq!(HeapError::from_code(0), None);
    assert_eq!(HeapError::from_code(200), Some(HeapError::Unknown));
    const CODE: u8 = HeapError::NoHeap.code();
    assert_eq!(CODE, 17);
    let errors: [&dyn core::error::Error; 3] = [&HeapError::Chain, &InitError::State, &InitError::Region];
    for e in errors {
        assert!(e.to_string().starts_with("rtheap") || e.to_string().contains("rtheap error"));
    }
}

#[cfg(feature = "allocator-api")]
#[test]
fn allocator_api_collections_in_a_heap() {
    use std::boxed::Box;
    static HEAP: Heap = Heap::empty();
    static mut POOL: Pool<16384> = Pool::new();
    HEAP.init_from(take!(POOL)).unwrap();
    let mut v: Vec<u32, &Heap> = Vec::new_in(&HEAP);
    v.extend(0..1000);
    let b = Box::new_in(7u64, &HEAP);
    assert_eq!(HEAP.stats().live_blocks, 2);
    assert_eq!(v.iter().sum::<u32>(), 999 * 1000 / 2);
    v.shrink_to(10);
    v.truncate(10);
    v.shrink_to_fit();
    drop((v, b));
    assert_eq!(HEAP.stats().live_blocks, 0);
    assert_eq!(HEAP.check(), Ok(()));
}

/// The feature `user-lock` on the host: the C library calls the program's
/// `rtheap_user_lock_acquire`/`_release`, here a lock over threads that nests
/// per thread (the crate adds no lock of its own then, so the threaded test
/// above runs on this one) and logs each thread's calls.
#[cfg(feature = "user-lock")]
mod user_lock {
    use core::cell::Cell;
    use core::sync::atomic::{AtomicUsize, Ordering};

    /// The holding thread (the address of its `DEPTH`), 0 when free.
    static OWNER: AtomicUsize = AtomicUsize::new(0);

    std::thread_local! {
        /// This thread's nesting depth.
        pub static DEPTH: Cell<u32> = const { Cell::new(0) };
        /// Acquires made by this thread.
        pub static ACQUIRES: Cell<u32> = const { Cell::new(0) };
        /// Releases whose state was not their acquire's, or without an acquire.
        pub static MISMATCHES: Cell<u32> = const { Cell::new(0) };
    }

    fn me() -> usize {
        DEPTH.with(|d| d as *const Cell<u32> as usize)
    }

    /// The depth before this acquire is the state: its release must bring it back.
    #[unsafe(no_mangle)]
    extern "C" fn rtheap_user_lock_acquire() -> u32 {
        let depth = DEPTH.get();
        if depth == 0 {
            while OWNER.compare_exchange_weak(0, me(), Ordering::Acquire, Ordering::Relaxed).is_err() {
                std::thread::yield_now();
            }
        }
        DEPTH.set(depth + 1);
        ACQUIRES.set(ACQUIRES.get() + 1);
        depth
    }

    #[unsafe(no_mangle)]
    extern "C" fn rtheap_user_lock_release(state: u32) {
        let depth = DEPTH.get();
        if depth == 0 || state != depth - 1 || OWNER.load(Ordering::Relaxed) != me() {
            MISMATCHES.set(MISMATCHES.get() + 1);
            return;
        }
        DEPTH.set(state);
        if state == 0 {
            OWNER.store(0, Ordering::Release);
        }
    }
}

/// Every call of a `Heap` goes through the program's lock, released as often
/// as taken, with the state its acquire returned; `init` takes it around its
/// check-then-set (the C library's `rtheap_init`, on memory nothing else
/// sees yet, takes no lock).
#[cfg(feature = "user-lock")]
#[test]
fn user_lock_takes_every_call() {
    use user_lock::{ACQUIRES, DEPTH, MISMATCHES};
    static HEAP: Heap = Heap::empty();
    static mut POOL: Pool<8192> = Pool::new();
    static mut MORE: Pool<4096> = Pool::new();
    // (acquires made by `$e`, its value); the lock is free again after it.
    macro_rules! locked {
        ($e:expr) => {{
            let before = ACQUIRES.get();
            let value = $e;
            assert_eq!(DEPTH.get(), 0, "{} left the lock held", stringify!($e));
            (ACQUIRES.get() - before, value)
        }};
    }
    let (n, r) = locked!(HEAP.init_from(take!(POOL)));
    assert_eq!(r, Ok(()));
    assert_eq!(n, 1, "init: {n} acquires (one, around its check-then-set)");
    let (n, r) = locked!(HEAP.init_from(take!(MORE)));
    assert_eq!((n, r), (1, Err(InitError::State)), "a second init is refused under the lock");
    let layout = Layout::from_size_align(48, 16).unwrap();
    // SAFETY: a valid layout.
    let (n, p) = locked!(unsafe { HEAP.alloc(layout) });
    assert!(n >= 1 && !p.is_null());
    // SAFETY: a live block with `layout`.
    let (n, q) = locked!(unsafe { HEAP.realloc(p, layout, 300) });
    assert!(n >= 1 && !q.is_null());
    let (n, s) = locked!(HEAP.stats());
    assert!(n >= 1 && s.live_blocks == 1);
    let (n, c) = locked!(HEAP.check());
    assert!(n >= 1 && c == Ok(()));
    // SAFETY: a live block of HEAP.
    let (n, ()) = locked!(unsafe { HEAP.dealloc(q, Layout::from_size_align(300, 16).unwrap()) });
    assert!(n >= 1);
    assert_eq!(MISMATCHES.get(), 0, "releases that did not match their acquire");
}
