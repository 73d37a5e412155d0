// SPDX-License-Identifier: GPL-2.0-only
// /init: the first user program the kernel runs from the initramfs. For
// now it says so on the console (fd 1, which console_on_rootfs opened on
// /dev/console) and exits with status 0.

_start:
    mov x0, #1
    adr x1, banner
    mov x2, #(banner_end - banner)
    mov x8, #64                 // __NR_write
    svc #0
    mov x0, #0
    mov x8, #94                 // __NR_exit_group
    svc #0
    .word 0x00000000             // udf #0

banner:
    .ascii "uconsole-mm: /init from the initramfs is running\n"
banner_end:
