// SPDX-License-Identifier: GPL-2.0-only
//
// kernel8.img: the ARM64 side of the uconsole-mm kernel.
//
// It starts with the arm64 Image header (Documentation/arm64/booting.rst):
// the firmware honours text_offset and loads it at a 2 MiB-aligned base.
// The code is position independent (adr and PC-relative branches only), so
// the image runs wherever the board's firmware put it; System.map gives
// the symbols at the 5.10 VA_BITS=39 link address KIMAGE_VADDR.
//
// The work of booting is done by the TypeScript kernel, reached by
// `hvc #KCALL_*` (kernel-model/arch/arm64/kernel/kcalls.ts). What stays in
// ARM64 code is what must run on the cores themselves: the entry points,
// the reads of each core's identity registers, setting each core's per-CPU
// offset, the idle loop, the return to EL0, and the functions the kernel
// runs on a chosen core (kcall): TLB maintenance, per-CPU reads, probes.

_text:
_head:
    b primary_entry             // code0
    .word 0                     // code1
    .quad 0                     // text_offset: 0 since Linux 5.8, load at a 2 MiB-aligned base
    .quad _end                  // image_size (the image is linked at 0: _end is its size)
    .quad 0xa                   // flags: little endian, 4K pages (1 << 1), placement anywhere (1 << 3)
    .quad 0                     // res2
    .quad 0                     // res3
    .quad 0                     // res4
    .word 0x644d5241            // magic "ARM\x64"
    .word 0                     // res5: no PE/COFF header

// Primary core, from the firmware: x0 = DTB, MMU off, interrupts masked.
primary_entry:
    adr x9, init_stack_end
    mov sp, x9
    hvc #KCALL_EARLY_ENTRY      // the kernel learns where the image runs (this PC)
early_entry_return:
    mrs x1, mpidr_el1
    mrs x2, midr_el1
    mrs x3, id_aa64pfr0_el1
    mrs x4, id_aa64isar0_el1
    mrs x5, ctr_el0
    hvc #KCALL_START_KERNEL     // start_kernel(), in TypeScript: setup_arch, paging_init...
    b __enable_mmu              // ...then it sets x0..x4 for the switch to its page tables

// Back from __enable_mmu, at KIMAGE_VADDR: the rest of start_kernel.
primary_switched:
    hvc #KCALL_PRIMARY_SWITCHED     // setup_per_cpu_areas; x19 = this CPU
    bl set_my_cpu_offset            // smp_prepare_boot_cpu
    hvc #KCALL_START_KERNEL_REST    // the rest of start_kernel, then rest_init
    b cpu_idle

// Secondary cores, released through the spin table: x0..x3 = 0.
secondary_entry:
    mrs x1, mpidr_el1
    mrs x2, midr_el1
    mrs x3, id_aa64pfr0_el1
    mrs x4, id_aa64isar0_el1
    mrs x5, ctr_el0
    hvc #KCALL_SECONDARY_START  // the kernel sets x0..x4 (its page tables), sp and x19 (the CPU number)
    b __enable_mmu

secondary_switched:
    bl set_my_cpu_offset
    hvc #KCALL_SECONDARY_SWITCHED   // secondary_start_kernel(): the CPU is online
    b cpu_idle

// set_my_cpu_offset(per_cpu_offset(x19)): TPIDR_EL1 holds this CPU's
// per-CPU offset from here on; every this_cpu access adds it
// (arch/arm64/include/asm/percpu.h).
set_my_cpu_offset:
    adr x0, __per_cpu_offset
    ldr x0, [x0, x19, lsl #3]
    msr tpidr_el1, x0
    ret

// Turn the MMU on with the kernel's tables and continue at a virtual address.
//   x0 = TTBR1 (swapper_pg_dir), x1 = TTBR0 (idmap of the image + user space),
//   x2 = MAIR_EL1, x3 = TCR_EL1, x4 = where to continue (a VA)
// Runs at its physical address: the idmap in TTBR0 keeps the next fetch valid.
__enable_mmu:
    msr ttbr1_el1, x0
    msr ttbr0_el1, x1
    msr mair_el1, x2
    msr tcr_el1, x3
    isb
    tlbi vmalle1
    dsb nsh
    isb
    mrs x5, sctlr_el1
    orr x5, x5, #1              // M: stage 1 translation on
    msr sctlr_el1, x5
    isb
    br x4

// arch_cpu_idle: wait for the kernel to give this core work.
cpu_idle:
    wfi
    b cpu_idle

// The way to EL0: the kernel has set ELR_EL1, SPSR_EL1 and SP_EL0.
ret_to_user:
    eret

// Functions the kernel runs on a chosen core (kcall): called with x30 =
// kcall_return, whose hvc hands x0 back to the kernel.
kcall_return:
    hvc #KCALL_RETURN

// __my_cpu_offset: this core's TPIDR_EL1.
my_cpu_offset:
    mrs x0, tpidr_el1
    ret

// raw_smp_processor_id(): this_cpu_read(cpu_number), through TPIDR_EL1.
raw_smp_processor_id:
    adr x0, cpu_number
    mrs x1, tpidr_el1
    ldr w0, [x0, x1]
    ret

// this_cpu operations (arch/arm64/include/asm/percpu.h) on a __percpu
// pointer in x0: the address is x0 + TPIDR_EL1. read and write are plain
// accesses; add and inc are an exclusive load/store loop, as on cores
// without LSE atomics (the A72 and A53 have none).
this_cpu_read_1:
    mrs x1, tpidr_el1
    ldrb w0, [x0, x1]
    ret
this_cpu_write_1:
    mrs x2, tpidr_el1
    strb w1, [x0, x2]
    ret
this_cpu_inc_1:
    mov x1, #1
this_cpu_add_1:
    mrs x2, tpidr_el1
    add x0, x0, x2
this_cpu_add_1_retry:
    ldxrb w3, [x0]
    add w3, w3, w1
    stxrb w4, w3, [x0]
    cbnz w4, this_cpu_add_1_retry
    ret
this_cpu_read_2:
    mrs x1, tpidr_el1
    ldrh w0, [x0, x1]
    ret
this_cpu_write_2:
    mrs x2, tpidr_el1
    strh w1, [x0, x2]
    ret
this_cpu_inc_2:
    mov x1, #1
this_cpu_add_2:
    mrs x2, tpidr_el1
    add x0, x0, x2
this_cpu_add_2_retry:
    ldxrh w3, [x0]
    add w3, w3, w1
    stxrh w4, w3, [x0]
    cbnz w4, this_cpu_add_2_retry
    ret
this_cpu_read_4:
    mrs x1, tpidr_el1
    ldr w0, [x0, x1]
    ret
this_cpu_write_4:
    mrs x2, tpidr_el1
    str w1, [x0, x2]
    ret
this_cpu_inc_4:
    mov x1, #1
this_cpu_add_4:
    mrs x2, tpidr_el1
    add x0, x0, x2
this_cpu_add_4_retry:
    ldxr w3, [x0]
    add w3, w3, w1
    stxr w4, w3, [x0]
    cbnz w4, this_cpu_add_4_retry
    ret
this_cpu_read_8:
    mrs x1, tpidr_el1
    ldr x0, [x0, x1]
    ret
this_cpu_write_8:
    mrs x2, tpidr_el1
    str x1, [x0, x2]
    ret
this_cpu_inc_8:
    mov x1, #1
this_cpu_add_8:
    mrs x2, tpidr_el1
    add x0, x0, x2
this_cpu_add_8_retry:
    ldxr x3, [x0]
    add x3, x3, x1
    stxr w4, x3, [x0]
    cbnz w4, this_cpu_add_8_retry
    ret

// arch_counter_get_cntvct(): the generic timer's virtual count.
arch_counter_get_cntvct:
    isb
    mrs x0, cntvct_el0
    ret

// arch_timer_get_cntfrq(): its frequency, as the boot firmware set it.
arch_timer_get_cntfrq:
    mrs x0, cntfrq_el0
    ret

// TLB maintenance (arch/arm64/include/asm/tlbflush.h, 5.10): broadcast to
// the Inner Shareable domain, i.e. every core; the dsb waits for the other
// cores to finish, the isb for this core's pipeline.
flush_tlb_all:
    dsb ishst
    tlbi vmalle1is
    dsb ish
    isb
    ret

// flush_tlb_kernel_range(x0 = start, x1 = end): one tlbi vaale1is per page,
// or the whole TLB beyond MAX_TLBI_OPS (PTRS_PER_PTE) pages.
flush_tlb_kernel_range:
    sub x2, x1, x0
    movz x3, #0x20, lsl #16     // MAX_TLBI_OPS * PAGE_SIZE = 512 * 4096
    cmp x2, x3
    b.hi flush_tlb_all
    ubfx x0, x0, #12, #44       // __TLBI_VADDR(start, 0): the page number, ASID 0
    ubfx x1, x1, #12, #44
    dsb ishst
flush_tlb_kernel_range_loop:
    cmp x0, x1
    b.hs flush_tlb_kernel_range_done
    tlbi vaale1is, x0
    add x0, x0, #1
    b flush_tlb_kernel_range_loop
flush_tlb_kernel_range_done:
    dsb ish
    isb
    ret

// Probes: one access through this core's MMU each.
probe_read64:                   // x0 = VA -> x0 = *(u64 *)VA
    ldr x0, [x0]
    ret
probe_write64:                  // x0 = VA, x1 = value
    str x1, [x0]
    mov x0, #0
    ret
__probes_end:                   // a fault in [probe_read64, __probes_end) returns -EFAULT (the extable)

// EL0 code the test harness runs on a core: one system call, then back.
.balign 4096
harness_syscall:
    svc #0
    brk #BRK_HARNESS_RETURN
harness_syscall_end:

// The page every process has at its "[vdso]" area: the return from a
// signal handler (arch/arm64/kernel/vdso/sigreturn.S), which the kernel
// puts in x30 when the handler's sigaction has no SA_RESTORER.
.balign 4096
__kernel_rt_sigreturn:
    mov x8, #139                // __NR_rt_sigreturn
    svc #0
__kernel_rt_sigreturn_end:

// One page per CPU of user-accessible memory for the test harness's buffers.
.balign 4096
harness_buffers:
    .space 4096 * NR_CPUS_MAX
harness_buffers_end:

// __per_cpu_offset[NR_CPUS]: what set_my_cpu_offset loads into TPIDR_EL1.
.balign 8
__per_cpu_offset:
    .space 8 * NR_CPUS_MAX

// The static per-CPU variables (.data..percpu), __per_cpu_start to
// __per_cpu_end: images/build.ts writes them here from the kernel model's
// list (kernel-model/mm/percpu/static_vars.ts). setup_per_cpu_areas gives
// each CPU a copy; CPU n's copy of a variable is at its address here plus
// __per_cpu_offset[n].
// @PERCPU_SECTION@

// Stacks: the boot CPU's, then one per secondary (until the kernel has an allocator).
.balign 4096
init_stack:
    .space THREAD_SIZE
init_stack_end:
secondary_stacks:
    .space THREAD_SIZE * NR_CPUS_MAX
secondary_stacks_end:
_end:
