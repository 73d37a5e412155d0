// SPDX-License-Identifier: GPL-2.0-only
// Assembly snippets for tests that run hand-written kernel code under LinuxGuest.

/** The GIC-400 as Linux leaves it: distributor and CPU interface on, PPI 27 (the virtual timer) enabled, PMR 0xf0; x3 = GICC after it. */
export const gicAsLinuxLeavesIt = (gicd: number, gicc: number): string => `
    mov64 x1, ${gicd}
    mov w2, #1
    str w2, [x1]
    mov w2, #0x8000000
    str w2, [x1, #0x100]
    mov64 x3, ${gicc}
    mov w2, #0xf0
    str w2, [x3, #4]
    mov w2, #1
    str w2, [x3]`;

/** The virtual timer armed `delta` counts from now (x4, x5 and x11 clobbered). */
export const virtualTimerIn = (delta: number): string => `
    mrs x4, cntvct_el0
    mov64 x11, ${delta}
    add x4, x4, x11
    msr cntv_cval_el0, x4
    mov x5, #1
    msr cntv_ctl_el0, x5`;
