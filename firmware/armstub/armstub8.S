// SPDX-License-Identifier: GPL-2.0-only
//
// armstub8: the first ARM64 code every core runs, placed by the firmware
// at the start of RAM. Modelled on the Raspberry Pi firmware's armstub8
// (raspberrypi/tools armstubs/armstub8.S), with its data layout:
//
//   0xd8 spin_cpu0 .. 0xf0 spin_cpu3   per-core release addresses
//   0xf0 stub_magic, 0xf4 stub_version (the firmware checks the magic,
//        then clears the word so that it serves as spin_cpu3)
//   0xf8 dtb_ptr32, 0xfc kernel_entry32 (written by the firmware)
//   0x100 spin_cpu4, 0x108 spin_cpu5   (six-core boards only)
//
// The real stub starts at EL3, sets up the timer frequency, SCR_EL3 and
// SMP coherency, and drops to EL2. The emulated cores start at EL1 and the
// model keeps them there (the machine sets what EL3 code would: SCR_EL3,
// and CNTFRQ_EL0, which EL1 may not write), so this stub only does the
// part Linux sees: the
// primary core enters the kernel with x0 = DTB and x1..x3 = 0; the
// secondaries wait in WFE for a non-zero release address, then jump to it
// with x0..x3 = 0 (Documentation/arm64/booting.rst, spin-table).

.equ STUB_MAGIC, 0x5afe570b
.equ STUB_VERSION, 1

_start:
    mrs x6, mpidr_el1           // the only MPIDR read: the firmware answers it per core
    and x7, x6, #0xff           // Aff0
    ubfx x8, x6, #8, #8         // Aff1 (the A72 cluster on RK3399)
    add x7, x7, x8, lsl #2      // logical index: 4 cores per cluster
    cbz x7, primary_cpu

secondary_spin:
    cmp x7, #4
    b.hs 1f
    adr x5, spin_cpu0
    add x5, x5, x7, lsl #3
    b 2f
1:  adr x5, spin_cpu4
    sub x9, x7, #4
    add x5, x5, x9, lsl #3
2:  wfe
    ldr x4, [x5]
    cbz x4, 2b
    mov x0, #0
    mov x1, #0
    mov x2, #0
    mov x3, #0
    br x4

primary_cpu:
    ldr w4, kernel_entry32
    ldr w0, dtb_ptr32
    mov x1, #0
    mov x2, #0
    mov x3, #0
    br x4

.org 0xd8
spin_cpu0: .quad 0
.org 0xe0
spin_cpu1: .quad 0
.org 0xe8
spin_cpu2: .quad 0
.org 0xf0
spin_cpu3:
stub_magic: .word STUB_MAGIC
stub_version: .word STUB_VERSION
.org 0xf8
dtb_ptr32: .word 0
kernel_entry32: .word 0
.org 0x100
spin_cpu4: .quad 0
spin_cpu5: .quad 0
stub_end:
