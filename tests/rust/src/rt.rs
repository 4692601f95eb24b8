// SPDX-License-Identifier: MIT OR Apache-2.0
//! A minimal Cortex-M runtime for the test firmware, no crates needed
//! (Armv6-M, Armv7-M with or without FPU, Armv8-M Mainline), for the
//! project's linker/cortex-m.ld (symbols __data_start/__data_end/__data_load,
//! __bss_start/__bss_end, _stack_top; KEEPs `.vectors`).
//!
//! - vector table in `.vectors`; `Reset_Handler` (assembly, before any Rust
//!   code): enables the FPU on `eabihf` targets, copies .data, zeroes .bss,
//!   calls `crate::fw_main()` and exits through semihosting with its value;
//! - faults (NMI, HardFault, MemManage, BusFault, UsageFault, SecureFault)
//!   print `HardFault: PC=0x........ LR=0x........` and exit with [`FAULT_EXIT`];
//! - `SysTick_Handler` calls the function set by [`set_systick_handler`];
//!   other exceptions print "Unhandled exception N" and exit 4;
//! - `#[panic_handler]` prints the panic (allocation failure included: "memory
//!   allocation of N bytes failed") and exits with [`PANIC_EXIT`];
//! - semihosting console output ([`print!`]/[`println!`], no allocation) and
//!   [`exit`] with SYS_EXIT_EXTENDED, so QEMU's exit status is the code.
//!
//! Include it as a module of the binary (`mod rt;`) that defines
//! `fn fw_main() -> i32`.
#![allow(dead_code)]

// Console macros (textual scope: the binary declares `#[macro_use] mod rt;`).
#[allow(unused_macros)]
macro_rules! print {
    ($($t:tt)*) => { $crate::rt::print_args(format_args!($($t)*)) };
}
macro_rules! println {
    () => { $crate::rt::print_args(format_args!("\n")) };
    ($($t:tt)*) => { $crate::rt::print_args(format_args!("{}\n", format_args!($($t)*))) };
}

use core::arch::{asm, global_asm};
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicUsize, Ordering};

/// Exit status of a fault.
pub const FAULT_EXIT: i32 = 3;
/// Exit status of an unhandled exception.
pub const UNHANDLED_EXIT: i32 = 4;
/// Exit status of a panic (as a Rust program's on a host).
pub const PANIC_EXIT: i32 = 101;

// ---------------------------------------------------------------------------
// Vector table and reset, in assembly: nothing of Rust runs before .data and
// .bss are ready (and the FPU is on).
// ---------------------------------------------------------------------------

#[cfg(target_abi = "eabihf")]
macro_rules! rt_fpu_enable {
    () => {
        r#"
    ldr r0, =0xE000ED88
    ldr r1, [r0]
    ldr r2, =0x00F00000
    orrs r1, r2
    str r1, [r0]
    dsb
    isb
"#
    };
}
#[cfg(not(target_abi = "eabihf"))]
macro_rules! rt_fpu_enable {
    () => {
        ""
    };
}

// A fault entry: pass the stacked exception frame (MSP or PSP, from EXC_RETURN
// bit 2) to rt_fault. Thumb-1 only, so valid on Armv6-M too.
macro_rules! rt_fault_entry {
    ($name:literal, $kind:literal) => {
        concat!(
            "\n    .section .text.", $name, ", \"ax\", %progbits\n",
            "    .global ", $name, "\n",
            "    .type ", $name, ", %function\n",
            "    .thumb_func\n",
            $name, ":\n",
            "    movs r0, #4\n",
            "    mov r1, lr\n",
            "    tst r0, r1\n",
            "    beq 1f\n",
            "    mrs r0, psp\n",
            "    b 2f\n",
            "1:  mrs r0, msp\n",
            "2:  movs r1, #", $kind, "\n",
            "    ldr r2, =rt_fault\n",
            "    bx r2\n",
            "    .ltorg\n",
            "    .size ", $name, ", . - ", $name, "\n"
        )
    };
}

global_asm!(
    r#"
    .section .vectors, "a", %progbits
    .p2align 2
    .global __rt_vectors
__rt_vectors:
    .word _stack_top
    .word Reset_Handler
    .word rt_nmi
    .word rt_hardfault
    .word rt_memmanage
    .word rt_busfault
    .word rt_usagefault
    .word rt_securefault
    .word 0, 0, 0
    .word rt_default_handler   /* SVCall */
    .word rt_default_handler   /* DebugMonitor */
    .word 0
    .word rt_default_handler   /* PendSV */
    .word SysTick_Handler
    .rept 48
    .word rt_default_handler   /* IRQ 0..47 */
    .endr
    .size __rt_vectors, . - __rt_vectors

    .section .text.Reset_Handler, "ax", %progbits
    .global Reset_Handler
    .type Reset_Handler, %function
    .thumb_func
Reset_Handler:
"#,
    // eabihf: CPACR (0xE000ED88) |= 0xF << 20 (full access to CP10/CP11), dsb, isb.
    rt_fpu_enable!(),
    r#"
    ldr r0, =__data_start
    ldr r1, =__data_end
    ldr r2, =__data_load
1:  cmp r0, r1
    bhs 2f
    ldr r3, [r2]
    str r3, [r0]
    adds r0, #4
    adds r2, #4
    b 1b
2:  ldr r0, =__bss_start
    ldr r1, =__bss_end
    movs r2, #0
3:  cmp r0, r1
    bhs 4f
    str r2, [r0]
    adds r0, #4
    b 3b
4:  bl rt_start
5:  b 5b
    .ltorg
    .size Reset_Handler, . - Reset_Handler
"#,
    rt_fault_entry!("rt_nmi", 0),
    rt_fault_entry!("rt_hardfault", 1),
    rt_fault_entry!("rt_memmanage", 2),
    rt_fault_entry!("rt_busfault", 3),
    rt_fault_entry!("rt_usagefault", 4),
    rt_fault_entry!("rt_securefault", 5),
    // Unwind personality routines: the unwind tables that reference them are
    // discarded by the linker script (panic = "abort"), but the references
    // would still pull libgcc's unwinder (which needs __exidx_start/_end).
    r#"
    .section .text.rt_no_unwind, "ax", %progbits
    .weak __aeabi_unwind_cpp_pr0
    .weak __aeabi_unwind_cpp_pr1
    .weak __aeabi_unwind_cpp_pr2
    .type rt_no_unwind, %function
    .thumb_func
rt_no_unwind:
__aeabi_unwind_cpp_pr0:
__aeabi_unwind_cpp_pr1:
__aeabi_unwind_cpp_pr2:
    ldr r0, =rt_default_handler
    bx r0
    .ltorg
    .size rt_no_unwind, . - rt_no_unwind
"#,
);


#[unsafe(no_mangle)]
extern "C" fn rt_start() -> ! {
    exit(crate::fw_main())
}

#[unsafe(no_mangle)]
unsafe extern "C" fn rt_fault(frame: *const u32, kind: u32) -> ! {
    const NAMES: [&str; 6] = ["NMI", "HardFault", "MemManage", "BusFault", "UsageFault", "SecureFault"];
    // SAFETY: frame is the 8-word exception frame the core just pushed.
    let (pc, lr) = unsafe { (frame.add(6).read_volatile(), frame.add(5).read_volatile()) };
    let name = NAMES.get(kind as usize).copied().unwrap_or("Fault");
    println!("{}: PC=0x{:08x} LR=0x{:08x}", name, pc, lr);
    exit(FAULT_EXIT)
}

#[unsafe(no_mangle)]
extern "C" fn rt_default_handler() -> ! {
    let ipsr: u32;
    // SAFETY: reads a special register.
    unsafe { asm!("mrs {}, ipsr", out(reg) ipsr, options(nomem, nostack, preserves_flags)) };
    println!("Unhandled exception {}", ipsr & 0x1ff);
    exit(UNHANDLED_EXIT)
}

static SYSTICK: AtomicUsize = AtomicUsize::new(0);

/// Installs the function SysTick_Handler calls (None: ignore SysTick).
pub fn set_systick_handler(f: Option<fn()>) {
    SYSTICK.store(f.map_or(0, |f| f as usize), Ordering::SeqCst);
}

#[unsafe(no_mangle)]
extern "C" fn SysTick_Handler() {
    let f = SYSTICK.load(Ordering::SeqCst);
    if f != 0 {
        // SAFETY: only ever stored from an `fn()` in set_systick_handler.
        let f: fn() = unsafe { core::mem::transmute::<usize, fn()>(f) };
        f();
    }
}

/// SysTick: interrupt every `reload + 1` processor clocks (`None` stops it).
pub fn systick(reload: Option<u32>) {
    const CSR: *mut u32 = 0xE000_E010 as *mut u32;
    const RVR: *mut u32 = 0xE000_E014 as *mut u32;
    const CVR: *mut u32 = 0xE000_E018 as *mut u32;
    // SAFETY: SysTick registers, present on every core and board used here.
    unsafe {
        match reload {
            Some(r) => {
                RVR.write_volatile(r & 0x00FF_FFFF);
                CVR.write_volatile(0);
                CSR.write_volatile(0b111); // processor clock, interrupt, enable
            }
            None => CSR.write_volatile(0),
        }
    }
}

/// Runs `f` with interrupts masked (PRIMASK saved and restored).
pub fn interrupt_free<R>(f: impl FnOnce() -> R) -> R {
    let primask: u32;
    // SAFETY: save PRIMASK and mask; restored below.
    unsafe { asm!("mrs {}, primask", "cpsid i", out(reg) primask, options(nostack, preserves_flags)) };
    let r = f();
    // SAFETY: restores the saved value.
    unsafe { asm!("msr primask, {}", in(reg) primask, options(nostack, preserves_flags)) };
    r
}

// ---------------------------------------------------------------------------
// Semihosting
// ---------------------------------------------------------------------------

const SYS_WRITE0: u32 = 0x04;
const SYS_EXIT: u32 = 0x18;
const SYS_EXIT_EXTENDED: u32 = 0x20;
const ADP_STOPPED_APPLICATION_EXIT: u32 = 0x20026;
const ADP_STOPPED_RUNTIME_ERROR_UNKNOWN: u32 = 0x20023;

/// A semihosting call (`bkpt 0xAB`; r0 = operation, r1 = argument).
///
/// # Safety
/// `arg` must be what the operation expects.
pub unsafe fn semihost(op: u32, arg: usize) -> u32 {
    let mut r0 = op;
    // SAFETY: forwarded to the debugger/QEMU.
    unsafe { asm!("bkpt 0xAB", inout("r0") r0, in("r1") arg, options(nostack, preserves_flags)) };
    r0
}

/// Ends the program: QEMU exits with `code & 0xff`.
pub fn exit(code: i32) -> ! {
    let block = [ADP_STOPPED_APPLICATION_EXIT, code as u32];
    // SAFETY: SYS_EXIT_EXTENDED takes a pointer to two words.
    unsafe { semihost(SYS_EXIT_EXTENDED, block.as_ptr() as usize) };
    // Hosts without SYS_EXIT_EXTENDED: status 0 or 1 only.
    let reason = if code == 0 { ADP_STOPPED_APPLICATION_EXIT } else { ADP_STOPPED_RUNTIME_ERROR_UNKNOWN };
    // SAFETY: SYS_EXIT takes the reason by value on 32-bit targets.
    unsafe { semihost(SYS_EXIT, reason as usize) };
    loop {
        // SAFETY: halts for a debugger.
        unsafe { asm!("bkpt 0", options(nomem, nostack)) };
    }
}

/// Console writer: SYS_WRITE0 in chunks from a stack buffer (never allocates,
/// so the panic handler can use it after an allocation failure).
pub struct Console {
    buf: [u8; 96],
    len: usize,
}

impl Console {
    pub const fn new() -> Self {
        Console { buf: [0; 96], len: 0 }
    }
    pub fn flush(&mut self) {
        if self.len > 0 {
            self.buf[self.len] = 0;
            // SAFETY: NUL-terminated buffer.
            unsafe { semihost(SYS_WRITE0, self.buf.as_ptr() as usize) };
            self.len = 0;
        }
    }
}

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if b == 0 {
                continue;
            }
            if self.len == self.buf.len() - 1 {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
        Ok(())
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.flush();
    }
}

pub fn print_args(args: fmt::Arguments<'_>) {
    let mut c = Console::new();
    let _ = c.write_fmt(args);
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    // Masked: nothing else runs (SysTick could allocate) while we report.
    // SAFETY: cpsid only.
    unsafe { asm!("cpsid i", options(nomem, nostack, preserves_flags)) };
    println!("PANIC: {}", info);
    exit(PANIC_EXIT)
}
