// SPDX-License-Identifier: GPL-2.0-only
// /bin/hello-asm: hello world with two system calls, write(1, ...) and
// exit_group(0), the smallest program the initramfs carries. Built by
// images/initramfs.ts into a static ELF64 executable loaded at USER_BASE.

_start:
    mov x0, #1                  // stdout
    adr x1, message
    adr x2, message_end
    sub x2, x2, x1              // the length
    mov x8, #64                 // __NR_write
    svc #0
    mov x0, #0
    mov x8, #94                 // __NR_exit_group
    svc #0
    .word 0x00000000             // udf #0 (exit_group never returns)

message:
    .ascii "Hello, world! (from /bin/hello-asm)\n"
message_end:
