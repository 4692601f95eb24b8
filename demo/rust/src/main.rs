// SPDX-License-Identifier: MIT OR Apache-2.0
//! rtheap Rust demo: a telemetry hub on two rtheap heaps.
//!
//! Six sensors are sampled at different rates; each sample goes through the
//! sensor's filter (a `Box<dyn Filter>`) into a batch (`Vec`) that grows by
//! `push`. A full batch becomes a radio packet, encoded into a `Vec<u8>` of
//! exactly its size in the **packet heap**, and queued (`VecDeque`, also in
//! the packet heap) for one of three uplinks that send at different rates;
//! a line about it goes into the journal, a `BTreeMap<u32, Entry>` whose
//! entries share their sensor's name (`Rc<str>`). Everything but the packets
//! and their queues lives in the **default heap**, the global allocator.
//!
//! - The default heap (`rtheap::RtHeap`) is built on first use from the
//!   symbols of the crate's linker script, `rtheap-cortex-m.ld`:
//!   `__heap_start`/`__heap_end` (all RAM between `.bss` and the stack) and
//!   `__heap2_start`/`__heap2_end` (a second RAM, on boards that have one:
//!   build.rs writes them into `memory.x`).
//! - The packet heap is a `rtheap::Heap` over a static pool, given to it
//!   once with `init_from`; collections name it (`Vec::new_in(&PACKETS)`).
//!   When it is full, `try_reserve` says so and the packet is dropped: no
//!   panic, the rest of the firmware goes on.
//!
//! The burst runs until 30 % of the default heap is in use. Then the `lora`
//! uplink is lost with the packets queued for it, and the host acknowledges
//! the journal entries of the packets `wifi` sent: both heaps are left with
//! holes. Then everything is sent and the journal emptied. At each point the
//! firmware prints both heaps' maps and statistics; at the fragmented one
//! also the block dump that `tools/heapmap.py` draws. At the end, the
//! instructions each allocator call took (SysTick under `qemu -icount`) and
//! a full check of both heaps: the exit status is 0 only if both check out
//! with no block left and every walk agreed with the statistics.
#![no_std]
#![no_main]
#![feature(allocator_api)]

extern crate alloc;

#[macro_use]
mod rt;
mod heapmap;
mod meter;

// BOARD (the board's name) and PACKET_POOL_BYTES, from build.rs.
include!(concat!(env!("OUT_DIR"), "/board.rs"));

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::mem::MaybeUninit;

use heapmap::{CHeap, RegionMap, Size};
use meter::Metered;
use rtheap::Heap;

/// The global allocator: the default rtheap heap, every call measured.
/// (Without the measuring, this is `static HEAP: rtheap::RtHeap = rtheap::RtHeap;`.)
#[global_allocator]
static GLOBAL: Metered<rtheap::RtHeap> = Metered::new(rtheap::RtHeap);

/// The packet heap: a heap of its own, so that a backlog of packets can
/// never take the memory the rest of the firmware needs (and the reverse).
static PACKETS: Metered<Heap> = Metered::new(Heap::empty());

#[repr(align(8))]
struct Pool([MaybeUninit<u8>; PACKET_POOL_BYTES]);
static mut PACKET_POOL: Pool = Pool([MaybeUninit::uninit(); PACKET_POOL_BYTES]);

/// What collections in the packet heap name as their allocator.
type PacketHeap = &'static Metered<Heap>;
/// An encoded packet: header and samples, in the packet heap.
type Packet = Vec<u8, PacketHeap>;

/// The burst ends when this share of the default heap is in use.
const FILL_PERCENT: usize = 30;

extern "C" {
    // The default heap's regions (rtheap-cortex-m.ld; the second one is empty,
    // both symbols 0, on boards without a second RAM).
    static __heap_start: u8;
    static __heap_end: u8;
    static __heap2_start: u8;
    static __heap2_end: u8;
}

// ---------------------------------------------------------------------------
// Sensors and their filters
// ---------------------------------------------------------------------------

/// What a sensor's samples go through.
trait Filter {
    fn apply(&mut self, x: i32) -> i32;
    fn describe(&self) -> String;
}

/// Mean of the last `len` samples.
struct MovingAverage {
    window: VecDeque<i32>,
    len: usize,
    sum: i64,
}

impl Filter for MovingAverage {
    fn apply(&mut self, x: i32) -> i32 {
        self.window.push_back(x);
        self.sum += i64::from(x);
        if self.window.len() > self.len {
            self.sum -= i64::from(self.window.pop_front().unwrap_or(0));
        }
        (self.sum / self.window.len() as i64) as i32
    }
    fn describe(&self) -> String {
        format!("moving average of {}", self.len)
    }
}

/// First-order low pass: moves 1/2^shift of the way to each sample.
struct LowPass {
    shift: u32,
    state: i32,
}

impl Filter for LowPass {
    fn apply(&mut self, x: i32) -> i32 {
        self.state += (x - self.state) >> self.shift;
        self.state
    }
    fn describe(&self) -> String {
        format!("low pass 1/{}", 1 << self.shift)
    }
}

struct Sensor {
    name: Rc<str>,
    /// Sampled every `period` ticks.
    period: u32,
    /// Samples per packet.
    batch_len: usize,
    uplink: usize,
    filter: Box<dyn Filter>,
    batch: Vec<i32>,
    seq: u16,
    /// Signal: a triangle of this amplitude and period, plus noise.
    amplitude: i32,
    wave: u32,
    noise: u32,
}

impl Sensor {
    fn sample(&mut self, tick: u32) -> i32 {
        // A deterministic signal: triangle wave plus pseudo-random noise.
        let phase = (tick % self.wave) as i32;
        let half = (self.wave / 2) as i32;
        let tri = if phase < half { phase } else { 2 * half - phase };
        self.noise = self.noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = ((self.noise >> 16) as i32 % (self.amplitude / 8 + 1)) - self.amplitude / 16;
        let raw = self.amplitude * tri / half.max(1) - self.amplitude / 2 + noise;
        self.filter.apply(raw)
    }
}

// ---------------------------------------------------------------------------
// Uplinks and the journal
// ---------------------------------------------------------------------------

struct Uplink {
    name: &'static str,
    /// Sends one packet every `every` ticks.
    every: u32,
    queue: VecDeque<Packet, PacketHeap>,
    sent: u32,
    lost: u32,
}

/// A journal line about one packet.
struct Entry {
    sensor: Rc<str>,
    uplink: usize,
    text: String,
}

const WIFI: usize = 0;
const LORA: usize = 1;
const SAT: usize = 2;

/// Packet: sensor (1 byte), sequence number (2), sample count (1), then
/// the samples, 4 bytes each, little-endian. None if the packet heap has no
/// room for it.
fn encode(id: usize, seq: u16, samples: &[i32]) -> Option<Packet> {
    let mut p: Packet = Vec::new_in(&PACKETS);
    p.try_reserve_exact(4 + 4 * samples.len()).ok()?;
    p.push(id as u8);
    p.extend_from_slice(&seq.to_le_bytes());
    p.push(samples.len() as u8);
    for s in samples {
        p.extend_from_slice(&s.to_le_bytes());
    }
    Some(p)
}

struct Hub {
    sensors: Vec<Sensor>,
    uplinks: Vec<Uplink>,
    journal: BTreeMap<u32, Entry>,
    next_entry: u32,
    tick: u32,
    samples: u32,
    packets: u32,
    dropped: u32,
}

impl Hub {
    fn new(scale: usize) -> Hub {
        // name, period, batch (times scale), uplink, amplitude, wave, filter
        let table: [(&str, u32, usize, usize, i32, u32, Box<dyn Filter>); 6] = [
            ("accel", 1, 8, WIFI, 2000, 50, Box::new(MovingAverage { window: VecDeque::new(), len: 4, sum: 0 })),
            ("gyro", 1, 6, WIFI, 500, 36, Box::new(LowPass { shift: 2, state: 0 })),
            ("mag", 2, 6, LORA, 600, 200, Box::new(MovingAverage { window: VecDeque::new(), len: 8, sum: 0 })),
            ("baro", 4, 4, LORA, 120, 900, Box::new(LowPass { shift: 3, state: 0 })),
            ("temp", 8, 2, SAT, 300, 4000, Box::new(LowPass { shift: 4, state: 0 })),
            ("light", 4, 3, SAT, 1000, 700, Box::new(MovingAverage { window: VecDeque::new(), len: 16, sum: 0 })),
        ];
        let sensors = table
            .into_iter()
            .enumerate()
            .map(|(i, (name, period, batch, uplink, amplitude, wave, filter))| Sensor {
                name: Rc::from(name),
                period,
                batch_len: batch * scale,
                uplink,
                filter,
                batch: Vec::new(),
                seq: 0,
                amplitude,
                wave,
                noise: 0x1234_5678 ^ (i as u32 * 0x9E37_79B9),
            })
            .collect();
        // wifi keeps up with its sensors; lora and sat fall behind, so their
        // backlogs fill the packet heap.
        let uplinks = [("wifi", 6), ("lora", 30), ("sat", 28)]
            .into_iter()
            .map(|(name, every)| Uplink { name, every, queue: VecDeque::new_in(&PACKETS), sent: 0, lost: 0 })
            .collect();
        Hub { sensors, uplinks, journal: BTreeMap::new(), next_entry: 0, tick: 0, samples: 0, packets: 0, dropped: 0 }
    }

    /// One tick: sensors due are sampled, full batches sent to their uplink's
    /// queue, and each uplink due sends its oldest packet.
    fn step(&mut self) {
        let tick = self.tick;
        for (id, s) in self.sensors.iter_mut().enumerate() {
            if tick % s.period != 0 {
                continue;
            }
            let x = s.sample(tick);
            s.batch.push(x);
            self.samples += 1;
            if s.batch.len() < s.batch_len {
                continue;
            }
            s.seq = s.seq.wrapping_add(1);
            let up = &mut self.uplinks[s.uplink];
            // Both the packet and a slot in the queue must fit in the packet heap.
            let queued = match encode(id, s.seq, &s.batch) {
                Some(p) if up.queue.try_reserve(1).is_ok() => {
                    up.queue.push_back(p);
                    true
                }
                _ => false,
            };
            let (min, max) = s.batch.iter().fold((i32::MAX, i32::MIN), |(a, b), &x| (a.min(x), b.max(x)));
            let mean = s.batch.iter().map(|&x| i64::from(x)).sum::<i64>() / s.batch.len() as i64;
            let text = format!("t={} {} #{}: {} samples, mean {}, min {}, max {} -> {}{}", tick, s.name, s.seq,
                               s.batch.len(), mean, min, max, up.name, if queued { "" } else { " (dropped)" });
            self.journal.insert(self.next_entry, Entry { sensor: Rc::clone(&s.name), uplink: s.uplink, text });
            self.next_entry += 1;
            if queued {
                self.packets += 1;
            } else {
                self.dropped += 1;
            }
            s.batch = Vec::new();
        }
        for up in self.uplinks.iter_mut() {
            if tick % up.every == 0 && up.queue.pop_front().is_some() {
                up.sent += 1;
            }
        }
        self.tick += 1;
    }

    fn print_queues(&self) {
        print!("uplinks:");
        for up in &self.uplinks {
            print!(" {} {} queued ({} sent)", up.name, up.queue.len(), up.sent);
        }
        println!("; journal {} entries", self.journal.len());
    }
}

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

/// The default heap's regions: `__heap_start`.. and, when there is one,
/// `__heap2_start`.. .
fn default_bounds() -> ([(usize, usize); 2], usize) {
    // Raw addresses, no references: the second region's symbols may be 0.
    let (h0, h1, h2, h3) = (
        (&raw const __heap_start) as usize,
        (&raw const __heap_end) as usize,
        (&raw const __heap2_start) as usize,
        (&raw const __heap2_end) as usize,
    );
    let regions = if h3 > h2 { 2 } else { 1 };
    ([(h0, h1), (h2, h3)], regions)
}

fn pool_bounds() -> (usize, usize) {
    let lo = (&raw const PACKET_POOL) as usize;
    (lo, lo + PACKET_POOL_BYTES)
}

fn packet_heap() -> CHeap {
    CHeap::at(pool_bounds().0).expect("the packet heap's control structure is at the start of its pool")
}

fn print_stats(s: &rtheap::Stats) {
    println!("  stats: used {} B (+headers {} B) in {} blocks, free {} B, peak {} B", s.used_bytes,
             s.used_bytes_with_overhead - s.used_bytes, s.live_blocks, s.free_bytes, s.peak_used_bytes);
    println!("         calls: {} alloc, {} free, {} realloc, {} failed, {} errors", s.alloc_count, s.free_count,
             s.realloc_count, s.failed_count, s.error_count);
    println!("  largest guaranteed allocation: {} B ({})", s.largest_guaranteed, Size(s.largest_guaranteed));
}

/// Prints both heaps' maps and statistics; false if a walk and the
/// statistics disagree on the blocks in use.
fn report(title: &str, hub: Option<&Hub>) -> bool {
    println!();
    println!("-- {} --", title);
    println!("heap maps ('#' used, '.' free, '+' both; {} slices per region):", heapmap::SLICES);
    let (bounds, n) = default_bounds();
    println!("default heap (the global allocator):");
    let agree = print_heap(CHeap::default_heap(), &bounds[..n], rtheap::stats);
    println!("packet heap (rtheap::Heap over a static pool):");
    let heap = PACKETS.inner();
    let agree = print_heap(packet_heap(), &[pool_bounds()], || heap.stats()) && agree;
    println!("  used() {} B, free() {} B", heap.used(), heap.free());
    if let Some(hub) = hub {
        hub.print_queues();
    }
    agree
}

/// One heap's map and statistics; false if the walks and the statistics
/// disagree on the blocks in use.
#[inline(never)]
fn print_heap(heap: CHeap, bounds: &[(usize, usize)], stats: impl Fn() -> rtheap::Stats) -> bool {
    let mut used_blocks = 0;
    for (i, &region) in bounds.iter().enumerate() {
        let map = RegionMap::of(heap, i as u32, region);
        map.print();
        used_blocks += map.used_blocks();
    }
    // Nothing allocates while a report is printed: the walks and the
    // statistics see the same heap.
    let s = stats();
    print_stats(&s);
    if used_blocks != s.live_blocks {
        println!("MISMATCH: the walk found {} blocks in use, the statistics count {}", used_blocks, s.live_blocks);
    }
    used_blocks == s.live_blocks
}

fn print_meters() {
    println!();
    println!("instructions per call (SysTick under qemu -icount, empty call subtracted):");
    println!("  heap     call                  calls     mean      max");
    let rows = [
        ("default", "alloc", &GLOBAL.alloc),
        ("default", "free", &GLOBAL.free),
        ("default", "realloc (in place)", &GLOBAL.resize_in_place),
        ("default", "realloc (moved)", &GLOBAL.resize_moved),
        ("default", "no memory", &GLOBAL.failed),
        ("packets", "allocate", &PACKETS.alloc),
        ("packets", "deallocate", &PACKETS.free),
        ("packets", "grow (in place)", &PACKETS.resize_in_place),
        ("packets", "grow (moved)", &PACKETS.resize_moved),
        ("packets", "no memory", &PACKETS.failed),
    ];
    for (heap, call, m) in rows {
        if m.calls() == 0 {
            println!("  {:<8} {:<18} {:>9} {:>8} {:>8}", heap, call, 0, "-", "-");
        } else {
            println!("  {:<8} {:<18} {:>9} {:>8} {:>8}", heap, call, m.calls(), m.mean(), m.max());
        }
    }
}

// ---------------------------------------------------------------------------

fn fw_main() -> i32 {
    let clocks_per_kinsn = meter::calibrate();

    // The packet heap gets its pool once, before its first allocation.
    // SAFETY: the only reference to PACKET_POOL ever made.
    let pool = unsafe { &mut (*(&raw mut PACKET_POOL)).0 };
    PACKETS.inner().init_from(pool).expect("the packet heap takes its pool");

    // The default heap takes every byte of its regions; the workload scales
    // with them: 1x batches on 16 KiB of RAM, up to 4x.
    let (bounds, regions) = default_bounds();
    let heap_bytes: usize = bounds[..regions].iter().map(|(lo, hi)| hi - lo).sum();
    let scale = (heap_bytes / (64 << 10)).clamp(1, 4);
    // The default heap is built by its first allocation: measured on its own.
    drop(Box::new(0u8));
    let build = GLOBAL.alloc.max();
    GLOBAL.reset();
    println!("rtheap Rust demo: telemetry hub on {}", BOARD);
    println!("default heap (global allocator, from the linker script): {} in {} region(s)", Size(heap_bytes),
             regions);
    println!("  built by the first allocation from the linker symbols, in {} instructions", build);
    println!("packet heap (rtheap::Heap over a static pool): {}", Size(PACKETS.inner().stats().heap_bytes));

    let mut hub = Hub::new(scale);
    burst(&mut hub, heap_bytes / 100 * FILL_PERCENT);
    let mut agree = report("after the burst", Some(&hub));
    agree &= fragment(&mut hub);
    let (packets, sent, lost) = finish(hub);
    agree &= report("everything sent", None);

    print_meters();
    println!("  (calibration: {}.{:03} SysTick clocks per instruction, empty measurement {} clocks)",
             clocks_per_kinsn / 1000, clocks_per_kinsn % 1000, meter::empty_clocks());

    // The verdict: both heaps consistent and empty.
    let default = rtheap::check();
    let packet = PACKETS.inner().check();
    let (d, p) = (rtheap::stats(), PACKETS.inner().stats());
    println!();
    println!("heap check: default {}, packets {}; live blocks {} and {}; {} packets: {} sent, {} lost",
             Verdict(default), Verdict(packet), d.live_blocks, p.live_blocks, packets, sent, lost);
    let ok = agree && default.is_ok() && packet.is_ok() && d.live_blocks == 0 && p.live_blocks == 0
        && d.alloc_count == d.free_count && p.alloc_count == p.free_count && packets == sent + lost;
    if ok { 0 } else { 1 }
}

// The phases, out of line: the stack (4 KiB on the micro:bit) holds one at a time.

/// Runs the hub until `target` bytes of the default heap are in use.
#[inline(never)]
fn burst(hub: &mut Hub, target: usize) {
    for s in &hub.sensors {
        println!("  sensor {:<5} every {} tick(s), {:>3} samples per packet, {}, via {}", s.name, s.period,
                 s.batch_len, s.filter.describe(), hub.uplinks[s.uplink].name);
    }
    println!("burst until {}% of the default heap is in use", FILL_PERCENT);
    while rtheap::stats().used_bytes_with_overhead < target {
        hub.step();
    }
    println!();
    println!("burst: {} ticks, {} samples, {} packets queued, {} dropped (packet heap full), {} journal entries",
             hub.tick, hub.samples, hub.packets, hub.dropped, hub.journal.len());
}

/// Leaves holes in both heaps: the lora uplink is lost with the packets
/// queued for it (between sat's), and the host acknowledges the journal
/// entries of the packets wifi sent (between the others). Reports, and dumps
/// the blocks for the picture.
#[inline(never)]
fn fragment(hub: &mut Hub) -> bool {
    let lost = hub.uplinks[LORA].queue.len() as u32;
    hub.uplinks[LORA].lost += lost;
    hub.uplinks[LORA].queue.clear();
    hub.journal.retain(|_, e| e.uplink != WIFI);
    println!();
    println!("lora uplink lost: {} queued packets dropped; wifi's journal entries acknowledged: {} left", lost,
             hub.journal.len());
    let agree = report("lora lost, wifi's entries acknowledged (fragmented)", Some(hub));
    let (bounds, n) = default_bounds();
    heapmap::print_dump(
        format_args!("{}: fragmented; r0{}: default heap, r{}: packet heap", BOARD, if n == 2 { "-r1" } else { "" },
                     n),
        &[(CHeap::default_heap(), &bounds[..n]), (packet_heap(), &[pool_bounds()])],
    );
    agree
}

/// Sends every packet left and uploads the journal, entry by entry; drops
/// the hub. Returns the packets queued, sent and lost.
#[inline(never)]
fn finish(mut hub: Hub) -> (u32, u32, u32) {
    while hub.uplinks.iter().any(|u| !u.queue.is_empty()) {
        hub.step_uplinks_only();
    }
    let mut uploaded = 0;
    let mut by_sensor: BTreeMap<Rc<str>, u32> = BTreeMap::new();
    while let Some((_, e)) = hub.journal.pop_first() {
        *by_sensor.entry(e.sensor).or_insert(0) += 1;
        uploaded += e.text.len();
    }
    print!("\njournal uploaded: {} bytes;", uploaded);
    for (name, n) in &by_sensor {
        print!(" {} {}", name, n);
    }
    println!();
    let sent = hub.uplinks.iter().map(|u| u.sent).sum();
    let lost = hub.uplinks.iter().map(|u| u.lost).sum();
    (hub.packets, sent, lost)
}

/// A check's result as the report prints it (without allocating).
struct Verdict(Result<(), rtheap::HeapError>);

impl core::fmt::Display for Verdict {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.0 {
            Ok(()) => f.write_str("OK"),
            Err(e) => write!(f, "FAILED ({})", e),
        }
    }
}

impl Hub {
    /// A tick of the uplinks alone (the sensors are off).
    fn step_uplinks_only(&mut self) {
        let tick = self.tick;
        for up in self.uplinks.iter_mut() {
            if tick % up.every == 0 && up.queue.pop_front().is_some() {
                up.sent += 1;
            }
        }
        self.tick += 1;
    }
}
