// SPDX-License-Identifier: GPL-2.0-only
// /init: the first user program the kernel runs from the initramfs (pid 1,
// fds 0-2 on /dev/console). It says so, then halts the machine the way
// busybox's `halt` does: reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
// LINUX_REBOOT_CMD_HALT), whose kernel side prints "reboot: System halted".
// (Returning from init instead would make the kernel panic, as Linux does.)

_start:
    mov x0, #1
    adr x1, banner
    adr x2, banner_end
    sub x2, x2, x1              // the length
    mov x8, #64                 // __NR_write
    svc #0
    movz x0, #0xdead
    movk x0, #0xfee1, lsl #16   // LINUX_REBOOT_MAGIC1
    movz x1, #0x1969
    movk x1, #0x2812, lsl #16   // LINUX_REBOOT_MAGIC2 (672274793)
    movz x2, #0x0123
    movk x2, #0xcdef, lsl #16   // LINUX_REBOOT_CMD_HALT
    mov x8, #142                // __NR_reboot
    svc #0
    mov x8, #94                 // __NR_exit_group, if the halt was refused
    svc #0
    .word 0x00000000             // udf #0

banner:
    .ascii "uconsole-mm: /init from the initramfs is running\n"
banner_end:
