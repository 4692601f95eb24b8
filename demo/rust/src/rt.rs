// SPDX-License-Identifier: MIT OR Apache-2.0
//! A small Cortex-M runtime without dependencies: enough to run a `no_std`
//! firmware on rtheap under QEMU or on a board with a debugger attached.
//!
//! It works with the generic linker script that the rtheap crate ships (and
//! `linker/cortex-m.ld` of the repository, the same file), which places the
//! `.vectors` section first in flash and defines `_stack_top`,
//! `__data_start`/`__data_end`/`__data_load` and `__bss_start`/`__bss_end`.
//!
//! What it gives the firmware:
//! - the vector table and `Reset_Handler`, in assembly, so that no Rust code
//!   runs before `.data` is copied, `.bss` zeroed and (on `eabihf` targets)
//!   the FPU switched on; then it calls `crate::fw_main()` and ends the
//!   program with the value it returns;
//! - `print!`/`println!` over semihosting (QEMU's `-semihosting` console, or
//!   a debugger's), which never allocate;
//! - `exit(code)`: QEMU exits with that status;
//! - a `#[panic_handler]` that prints the panic and exits with 101 (an
//!   allocation failure panics with "memory allocation of N bytes failed");
//! - fault handlers that print the exception, PC and LR and exit with 3;
//!   any other exception prints its number and exits with 4;
//! - `systick_start()` and `systick_now()`: SysTick as a free-running
//!   24-bit down-counter of processor clocks (no interrupt).
//!
//! Use: copy this file to `src/rt.rs`, then in `src/main.rs`:
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//!
//! #[macro_use]
//! mod rt;
//!
//! fn fw_main() -> i32 {
//!     println!("hello");
//!     0
//! }
//! ```
//!
//! Semihosting stops a board that runs without a debugger at the first
//! `println!`: it is for QEMU and debugging sessions.
#![allow(dead_code, unused_macros)]

use core::arch::{asm, global_asm};
use core::fmt::{self, Write};

/// `print!` over semihosting; `#[macro_use] mod rt;` brings it into the crate.
macro_rules! print {
    ($($arg:tt)*) => { $crate::rt::write_args(format_args!($($arg)*)) };
}

/// `println!` over semihosting.
macro_rules! println {
    () => { $crate::rt::write_args(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::rt::write_args(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Exit status after a fault (HardFault, MemManage, BusFault, UsageFault, ...).
pub const FAULT_EXIT: i32 = 3;
/// Exit status after an exception this runtime does not handle.
pub const UNEXPECTED_EXIT: i32 = 4;
/// Exit status after a panic, as a Rust program's on a host.
pub const PANIC_EXIT: i32 = 101;

// On eabihf targets, Reset_Handler first grants full access to the FPU
// (CPACR bits 20..23 for CP10 and CP11): Rust code may use it anywhere.
#[cfg(target_abi = "eabihf")]
macro_rules! fpu_on {
    () => {
        "
    ldr r0, =0xE000ED88
    ldr r1, [r0]
    ldr r2, =0x00F00000
    orrs r1, r2
    str r1, [r0]
    dsb
    isb
"
    };
}
#[cfg(not(target_abi = "eabihf"))]
macro_rules! fpu_on {
    () => {
        ""
    };
}

global_asm!(
    // The vector table: initial stack pointer, reset, the system exceptions,
    // then 32 interrupt lines. Every fault goes to one entry that finds the
    // stacked frame; the rest is unexpected here.
    "
    .section .vectors, \"a\", %progbits
    .p2align 2
    .global __rt_vector_table
__rt_vector_table:
    .word _stack_top
    .word Reset_Handler
    .word rt_fault_entry       /* 2 NMI */
    .word rt_fault_entry       /* 3 HardFault */
    .word rt_fault_entry       /* 4 MemManage */
    .word rt_fault_entry       /* 5 BusFault */
    .word rt_fault_entry       /* 6 UsageFault */
    .word rt_fault_entry       /* 7 SecureFault (Armv8-M) */
    .word 0, 0, 0
    .word rt_unexpected        /* 11 SVCall */
    .word rt_unexpected        /* 12 DebugMonitor */
    .word 0
    .word rt_unexpected        /* 14 PendSV */
    .word rt_unexpected        /* 15 SysTick */
    .rept 32
    .word rt_unexpected        /* IRQ 0..31 */
    .endr
    .size __rt_vector_table, . - __rt_vector_table

    .section .text.Reset_Handler, \"ax\", %progbits
    .global Reset_Handler
    .type Reset_Handler, %function
    .thumb_func
Reset_Handler:
",
    fpu_on!(),
    // Thumb-1 instructions only, so that the same code serves Armv6-M.
    "
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
4:  bl rt_main
    .ltorg
    .size Reset_Handler, . - Reset_Handler

    /* A fault: the core stacked r0-r3, r12, lr, pc, xpsr on MSP or PSP
       (EXC_RETURN bit 2 says which); rt_fault gets that frame. */
    .section .text.rt_fault_entry, \"ax\", %progbits
    .type rt_fault_entry, %function
    .thumb_func
rt_fault_entry:
    movs r0, #4
    mov r1, lr
    tst r0, r1
    bne 1f
    mrs r0, msp
    b 2f
1:  mrs r0, psp
2:  ldr r1, =rt_fault
    bx r1
    .ltorg
    .size rt_fault_entry, . - rt_fault_entry

    /* rustc's unwind tables name these personality routines even with
       panic = \"abort\"; the linker script discards the tables, and these
       weak definitions keep the references from pulling in libgcc's
       unwinder. */
    .section .text.rt_no_unwind, \"ax\", %progbits
    .weak __aeabi_unwind_cpp_pr0
    .weak __aeabi_unwind_cpp_pr1
    .weak __aeabi_unwind_cpp_pr2
    .type rt_no_unwind, %function
    .thumb_func
rt_no_unwind:
__aeabi_unwind_cpp_pr0:
__aeabi_unwind_cpp_pr1:
__aeabi_unwind_cpp_pr2:
    ldr r0, =rt_unexpected
    bx r0
    .ltorg
    .size rt_no_unwind, . - rt_no_unwind
"
);

#[unsafe(no_mangle)]
extern "C" fn rt_main() -> ! {
    exit(crate::fw_main())
}

/// The active exception number (IPSR), 0 in thread mode.
fn exception_number() -> u32 {
    let ipsr: u32;
    // SAFETY: reads a special register, nothing else.
    unsafe { asm!("mrs {}, ipsr", out(reg) ipsr, options(nomem, nostack, preserves_flags)) };
    ipsr & 0x1ff
}

#[unsafe(no_mangle)]
unsafe extern "C" fn rt_fault(frame: *const u32) -> ! {
    let name = match exception_number() {
        2 => "NMI",
        3 => "HardFault",
        4 => "MemManage",
        5 => "BusFault",
        6 => "UsageFault",
        7 => "SecureFault",
        _ => "fault",
    };
    // SAFETY: the eight words the core pushed on exception entry; lr is the
    // sixth, pc the seventh.
    let (lr, pc) = unsafe { (frame.add(5).read_volatile(), frame.add(6).read_volatile()) };
    println!("{}: PC=0x{:08x} LR=0x{:08x}", name, pc, lr);
    exit(FAULT_EXIT)
}

#[unsafe(no_mangle)]
extern "C" fn rt_unexpected() -> ! {
    println!("unexpected exception {}", exception_number());
    exit(UNEXPECTED_EXIT)
}

// ---------------------------------------------------------------------------
// SysTick, free-running
// ---------------------------------------------------------------------------

const SYST_CSR: *mut u32 = 0xE000_E010 as *mut u32;
const SYST_RVR: *mut u32 = 0xE000_E014 as *mut u32;
const SYST_CVR: *mut u32 = 0xE000_E018 as *mut u32;

/// Starts SysTick counting processor clocks down from 0xFFFFFF, wrapping,
/// without interrupts. Under `qemu -icount` its clock advances with the
/// instructions executed, which makes it an instruction counter.
pub fn systick_start() {
    // SAFETY: the SysTick registers exist on every Cortex-M.
    unsafe {
        SYST_RVR.write_volatile(0x00FF_FFFF);
        SYST_CVR.write_volatile(0);
        SYST_CSR.write_volatile(0b101); // enable, processor clock, no interrupt
    }
}

/// The SysTick counter now (counts down; 24 bits).
#[inline(always)]
pub fn systick_now() -> u32 {
    // SAFETY: a read of the SysTick current value register.
    unsafe { SYST_CVR.read_volatile() }
}

/// SysTick clocks from `earlier` to `later` (two `systick_now()` readings
/// less than 2^24 clocks apart).
#[inline(always)]
pub fn systick_elapsed(earlier: u32, later: u32) -> u32 {
    earlier.wrapping_sub(later) & 0x00FF_FFFF
}

// ---------------------------------------------------------------------------
// Semihosting
// ---------------------------------------------------------------------------

const SYS_WRITE0: usize = 0x04;
const SYS_EXIT: usize = 0x18;
const SYS_EXIT_EXTENDED: usize = 0x20;
const ADP_STOPPED_APPLICATION_EXIT: usize = 0x2_0026;
const ADP_STOPPED_RUNTIME_ERROR: usize = 0x2_0023;

/// One semihosting call: `bkpt 0xAB` with the operation in r0 and its
/// argument in r1.
///
/// # Safety
/// `arg` must be what operation `op` expects (for most, a pointer to a
/// parameter block).
unsafe fn semihosting(op: usize, arg: usize) -> usize {
    let mut r0 = op;
    // SAFETY: the host carries out the operation (caller contract for arg).
    unsafe { asm!("bkpt 0xAB", inout("r0") r0, in("r1") arg, options(nostack, preserves_flags)) };
    r0
}

/// Ends the program; under QEMU the exit status is `code & 0xff`.
pub fn exit(code: i32) -> ! {
    let block = [ADP_STOPPED_APPLICATION_EXIT, code as usize];
    // SAFETY: SYS_EXIT_EXTENDED reads the two words of `block`.
    unsafe { semihosting(SYS_EXIT_EXTENDED, block.as_ptr() as usize) };
    // A host without SYS_EXIT_EXTENDED: SYS_EXIT tells success from failure.
    let reason = if code == 0 { ADP_STOPPED_APPLICATION_EXIT } else { ADP_STOPPED_RUNTIME_ERROR };
    // SAFETY: on 32-bit targets SYS_EXIT takes the reason itself.
    unsafe { semihosting(SYS_EXIT, reason) };
    loop {
        // SAFETY: stops here for a debugger; nothing else runs.
        unsafe { asm!("bkpt 0", options(nomem, nostack)) };
    }
}

/// Text for SYS_WRITE0, gathered in a stack buffer: formatting never
/// allocates, so the panic handler can print after an allocation failure.
struct Console {
    buf: [u8; 128],
    len: usize,
}

impl Console {
    fn flush(&mut self) {
        if self.len != 0 {
            self.buf[self.len] = 0;
            // SAFETY: a NUL-terminated string.
            unsafe { semihosting(SYS_WRITE0, self.buf.as_ptr() as usize) };
            self.len = 0;
        }
    }
}

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // A NUL would end SYS_WRITE0's string early: dropped.
        for &b in s.as_bytes().iter().filter(|&&b| b != 0) {
            if self.len == self.buf.len() - 1 {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
        Ok(())
    }
}

/// What `print!` and `println!` call.
pub fn write_args(args: fmt::Arguments<'_>) {
    let mut console = Console { buf: [0; 128], len: 0 };
    let _ = console.write_fmt(args);
    console.flush();
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: masks interrupts: nothing else runs while the panic is reported.
    unsafe { asm!("cpsid i", options(nomem, nostack, preserves_flags)) };
    println!("panic: {}", info);
    exit(PANIC_EXIT)
}
