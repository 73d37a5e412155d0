// SPDX-License-Identifier: GPL-2.0-only
/*
 * uc_slice: the only C in uconsole-mm, the hot paths of a core that cannot
 * be fast when written in JavaScript. It is built by the setup step against
 * Debian's libunicorn-dev (Unicorn 2.0.1) and loaded with koffi by
 * emulator/unicorn/native.ts. Everything else about a core (what a trap
 * means, what WFE does, scheduling) stays in TypeScript.
 *
 * What runs here, and why:
 *
 * 1. Deterministic slices by translated blocks. Passing `count` to
 *    uc_emu_start makes Unicorn add a hidden hook on every instruction
 *    (uc.c: hook_count_cb); it is inlined only while it is the engine's only
 *    code hook, and any second code hook (a single-address one, or --trace)
 *    sends every instruction through the generic hook walker: 4x to 20x
 *    slower. Instead one UC_HOOK_BLOCK callback per engine counts down the
 *    slice's instructions by each translated block's size / 4 and, at the
 *    first block that starts with none left, stops the engine before that
 *    block runs. Unicorn emits the block hook ahead of the block's
 *    exit-request check (qemu/accel/tcg/translator.c, translator_loop), so
 *    a block stopped this way has run none of its instructions. Being the
 *    engine's only block hook, it is called straight from the translated
 *    code (Unicorn's inline hooks, uc_add_inline_hook), with no hook walker
 *    in between. The address of the stopped block is recorded and the next
 *    slice resumes from it, not from the PC register: in 2.0.1, after a
 *    stop requested from a block hook, cpu_tb_exec leaves a stale PC
 *    whenever the engine also has a code hook. The count is of
 *    instructions in blocks started: a block cut short by an exception
 *    counts whole, which is the same in every run.
 *
 *    On a 5-instruction loop this hook is the whole cost of determinism,
 *    and what it costs is the one counter it reads and writes in every
 *    block: a store-to-load forwarding chain from one block to the next,
 *    which the guest's own registers (addressed from the env pointer TCG
 *    keeps in a register) do not pay. In probes on a bare machine, the
 *    loop ran at 0.85-0.9x of free-running with a hook that only returns,
 *    only loads or only stores, and at about 0.7x with one that writes
 *    back what it read. So the common path is one load, one test, one
 *    subtraction and one store; nothing else happens per block. Where
 *    the store-path library is loaded, it goes further and emits those as
 *    TCG ops in the block itself, calling on_block_after_inline only when
 *    the countdown is used up (uc_store_path.c, "The block counter
 *    inline"): no call per block at all.
 *
 * 2. Event sites (WFE, WFI, SEV, SEVL) by the translator, not by hooks.
 *    Their addresses are Unicorn "exits" (UC_CTL_UC_EXITS): the translator
 *    looks each instruction's address up while it translates
 *    (aarch64_tr_translate_insn, uc_addr_is_exit) and ends the block before
 *    an exit with code that returns from uc_emu_start, PC at the site. A
 *    block without a site costs nothing at run time. TypeScript then does
 *    what the instruction means (park the core, or send the event) and
 *    resumes after it. The 'code-hook-sites' mode gets the same slices the
 *    old way, a code hook on each site, with the block hook below
 *    (on_block_sites) counting a block that holds a site only up to it, as
 *    the exits split it.
 *
 * 3. The svc fast path. An exception arrives as UC_HOOK_INTR. For svc the
 *    caller's x0-x5, x8, PSTATE and TPIDR_EL1 (the kernel's per-CPU
 *    offset) are read here in one uc_reg_read_batch
 *    into a block of memory shared with JavaScript, JavaScript is called
 *    once (no arguments, no BigInt marshalling by koffi), and if it
 *    answered, x0 is written from the same block here: one crossing into
 *    JavaScript per system call instead of three FFI calls. Every other
 *    exception (and an svc JavaScript declines) saves the CPU context into
 *    the snapshot TypeScript reads the syndrome from, records the exception
 *    number and stops the engine, without calling JavaScript at all.
 *
 * 4. The page-fault fast path. A data abort (a load or store to a page
 *    that is not mapped) saves the CPU context into the snapshot, as any
 *    trap does, and then, if JavaScript gave a fault handler, calls it
 *    once (no arguments: it reads the syndrome and the fault address from
 *    the snapshot). If the handler mapped the page it answers 1, and the
 *    hook returns: QEMU left the PC at the faulting instruction, which runs
 *    again and now succeeds (the engine's TLB never caches a missing
 *    translation). Otherwise the abort stops the engine as a trap. So a
 *    demand-paging fault costs one crossing into JavaScript instead of a
 *    stop, a trap round trip through the kernel's scheduler and a restart.
 *
 * 5. The IRQ unmask watch. Unicorn never takes an interrupt, so the
 *    machine enters the IRQ vector itself (linux/guest.ts), at a block
 *    boundary. An IRQ that arrives while the core has IRQs masked must be
 *    taken as soon as the kernel unmasks them: `msr daifclr` and `msr daif`
 *    end their translated block (QEMU's handle_msr_i and handle_sys end
 *    the block after a PSTATE or system register write), so the next block
 *    boundary is right after the unmask. While TypeScript says an IRQ is
 *    pending for this core (ucs_watch_irq), the block hook reads PSTATE
 *    and stops the engine before a block that starts with
 *    (PSTATE & irq_mask) == irq_match (e.g. I clear at EL1h), recording the
 *    block as after a budget stop. The watch rides on the budget test, so
 *    that a block costs nothing more without it: armed, it holds the
 *    slice's countdown back (held) and leaves `left` at 0 or below, so
 *    every block takes the slow path, which counts against left + held
 *    and tests PSTATE. (An extra test of a flag in every block cost the
 *    5-instruction ALU loop about 15%.) Watching the unmasking
 *    instructions as exits instead stopped the engine on every one of
 *    them, pending or not: about 93,000 times in one Debian boot.
 *
 * 6. The engine's page size: 4 KB, where 2.0.1 gives ARM64 engines 1 KB
 *    (ucs_set_page_bits, at the end of this file, says why and how).
 *
 * 7. No exit check after every load, where nothing needs one
 *    (ucs_skip_access_exit_checks), 8. the block that made an access
 *    the machine refused (ucs_access_block), and 9. records of guest
 *    memory written on every host core (ucs_replicate, ucs_mask_records),
 *    at the end of this file.
 *
 * Nothing here writes the PC from a hook: in 2.0.1 that cancels a pending
 * uc_emu_stop (the quit_request / stop_request race fixed upstream in
 * 2.1.0). The engine is started with count = 0, except in the 'counted'
 * mode kept to measure the way before this file (Unicorn's own count).
 *
 * The state shared with JavaScript is `struct ucs_shared`, read through a
 * BigUint64Array over it; its layout is mirrored in native.ts (the slots S).
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#define UCS_ABI 11
#define SVC_REGS 9           /* x0-x5, x8, PSTATE, TPIDR_EL1 */

/* QEMU's exception numbers (target/arm/cpu.h): what an svc and a data abort raise. */
#define EXCP_SWI 2
#define EXCP_DATA_ABORT 4

enum ucs_stop {
	UCS_STOP_NONE = 0,   /* the engine returned by itself (an exit, WFI, an error, a JS stop) */
	UCS_STOP_BUDGET = 1, /* a block started with the budget used up */
	UCS_STOP_TRAP = 3,   /* an exception TypeScript must see */
	UCS_STOP_IRQ = 4,    /* a block started with a pending IRQ unmasked (irq_mask) */
};

/* How the engine's blocks are counted (ucs_attach). */
enum ucs_blocks {
	UCS_BLOCKS_NONE = 0,  /* no block hook: free-running, or Unicorn's count */
	UCS_BLOCKS_COUNT = 1, /* on_block: sites are exits */
	UCS_BLOCKS_SITES = 2, /* on_block_sites: sites are code hooks */
};

/* Every field 64 bits wide, so JavaScript sees it as one BigUint64Array. */
struct ucs_shared {
	int64_t left;        /* 0: instructions the slice may still start (may end below 0) */
	uint64_t insns;      /* 1: instructions in the blocks started, when ucs_run returns */
	uint64_t resume;     /* 2: block to resume from after a budget stop */
	uint64_t stop;       /* 3: enum ucs_stop */
	uint64_t intno;      /* 4: exception number when stop == UCS_STOP_TRAP */
	uint64_t svc_regs[SVC_REGS]; /* 5-13: x0-x5, x8, PSTATE, TPIDR_EL1 of the svc caller */
	uint64_t svc_ret;      /* 14: x0 to return when the svc was answered */
};

typedef int32_t (*ucs_svc_fn)(void);
typedef int32_t (*ucs_fault_fn)(void);

struct ucs {
	struct ucs_shared sh; /* first: JavaScript views it at the struct's address */
	uc_engine *uc;
	uc_context *snapshot; /* saved on every trap */
	ucs_svc_fn svc;       /* NULL: every svc is a trap */
	ucs_fault_fn fault;   /* NULL: every data abort is a trap */
	uc_hook block_hook, intr_hook;
	int32_t blocks;       /* enum ucs_blocks */
	uint64_t *sites;      /* sorted; on_block_sites searches them */
	uint32_t nsites;
	int32_t exits;        /* the sites are the engine's exits */
	int32_t running_over; /* ucs_run_over is running the block at `over` */
	uint64_t over;
	uint64_t irq_mask;    /* PSTATE bits the unmask watch tests; 0: no watch */
	uint64_t irq_match;   /* their value at which the pending IRQ can be taken */
	int64_t held;         /* the countdown the armed watch holds back from sh.left */
	int svc_ids[SVC_REGS];
	void *svc_ptrs[SVC_REGS];
};

static void stop_at(struct ucs *s, uc_engine *uc, uint64_t block)
{
	s->sh.resume = block;
	s->sh.stop = UCS_STOP_BUDGET;
	uc_emu_stop(uc);
}

/* The slice's countdown: sh.left plus what the unmask watch holds back (5. above). */
static int64_t left_of(const struct ucs *s)
{
	return s->sh.left + s->held;
}

static void set_left(struct ucs *s, int64_t left)
{
	s->held = s->irq_mask ? left : 0;
	s->sh.left = s->irq_mask ? 0 : left;
}

/*
 * Arm the unmask watch (mask != 0) or disarm it (mask == 0), keeping the
 * countdown; callable between runs and from a hook during one (an MMIO
 * write that changes a core's interrupt output), for the next block on.
 */
void ucs_watch_irq(struct ucs *s, uint64_t mask, uint64_t match)
{
	int64_t left = left_of(s);

	s->irq_mask = mask;
	s->irq_match = match;
	set_left(s, left);
}

/* A pending IRQ can be taken before this block (see 5. above): stop there. */
static int irq_stop(struct ucs *s, uc_engine *uc, uint64_t block)
{
	uint64_t pstate = 0;

	if (!s->irq_mask || uc_reg_read(uc, UC_ARM64_REG_PSTATE, &pstate) != UC_ERR_OK ||
	    (pstate & s->irq_mask) != s->irq_match)
		return 0;
	s->sh.resume = block;
	s->sh.stop = UCS_STOP_IRQ;
	uc_emu_stop(uc);
	return 1;
}

/*
 * A block with sh.left used up: the budget really is, or the unmask watch
 * is armed. Kept out of line so that on_block stays a leaf that saves no
 * registers (inlined, it made every block push and pop two).
 */
static __attribute__((noinline, cold)) void on_block_slow(struct ucs *s, uc_engine *uc, uint64_t address, uint32_t size)
{
	if (left_of(s) <= 0) {
		stop_at(s, uc, address);
		return;
	}
	if (irq_stop(s, uc, address))
		return;
	s->sh.left -= size >> 2;
}

/* Called before every translated block runs: keep it this short (see 1. above). */
static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	struct ucs *s = user;
	int64_t left = s->sh.left;

	if (__builtin_expect(left <= 0, 0)) {
		on_block_slow(s, uc, address, size);
		return;
	}
	s->sh.left = left - (size >> 2);
}

/*
 * The slow half of on_block when the store-path library emits its fast half
 * inline (uc_store_path.c, "The block counter inline"): that code has
 * already taken the block's instructions off `left` and calls this only
 * when `left` was 0 or below before it did, so they are put back first and
 * the block is counted as on_block would. The inline code cannot pass the
 * block's size (it is patched into the block after its hook is emitted),
 * so the running block is looked up for it.
 */
static void on_block_after_inline(uc_engine *uc, uint64_t address, uint32_t unused_size, void *user)
{
	struct ucs *s = user;
	uc_tb tb;

	/* The block is running, so this finds it (its size is not a constant the inline code has). */
	if (uc_ctl_request_cache(uc, address, &tb) != UC_ERR_OK) {
		stop_at(s, uc, address);
		return;
	}
	s->sh.left += tb.size >> 2;
	on_block_slow(s, uc, address, tb.size);
}

/* The block hook and its inline slow half, for the store-path library to recognise and call. */
void ucs_block_fns(void **counted, void **after_inline)
{
	*counted = (void *)on_block;
	*after_inline = (void *)on_block_after_inline;
}

/* The first site in [begin, end), or `end` if there is none (binary search). */
static uint64_t first_site(const struct ucs *s, uint64_t begin, uint64_t end)
{
	uint32_t lo = 0, hi = s->nsites;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->sites[mid] < begin)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nsites && s->sites[lo] < end ? s->sites[lo] : end;
}

/*
 * The 'code-hook-sites' mode's block hook: the code hook on a site stops
 * the engine before it, so a block counts only up to its first site, and a
 * block that starts at a site counts nothing and is not checked against
 * the budget, as the translator's exit block in its place has no block
 * hook. Slices come out the same as with exits.
 */
static void on_block_sites(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	struct ucs *s = user;
	int over = s->running_over && address == s->over;
	uint64_t upto = first_site(s, over ? address + 4 : address, address + size);

	if (upto == address)
		return;
	if (left_of(s) <= 0) {
		stop_at(s, uc, address);
		return;
	}
	if (irq_stop(s, uc, address))
		return;
	s->sh.left -= (upto - address) >> 2;
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct ucs *s = user;

	if (intno == EXCP_SWI && s->svc) {
		if (uc_reg_read_batch(uc, s->svc_ids, s->svc_ptrs, SVC_REGS) == UC_ERR_OK && s->svc()) {
			uc_reg_write(uc, UC_ARM64_REG_X0, &s->sh.svc_ret);
			return;
		}
	}
	if (s->snapshot)
		uc_context_save(uc, s->snapshot);
	if (intno == EXCP_DATA_ABORT && s->fault && s->snapshot && s->fault())
		return;
	s->sh.intno = intno;
	s->sh.stop = UCS_STOP_TRAP;
	uc_emu_stop(uc);
}

/* The ABI of this file; native.ts refuses a library built from another. */
int32_t ucs_abi(void)
{
	return UCS_ABI;
}

/*
 * Take over an engine's exceptions and, as `blocks` (enum ucs_blocks)
 * says, its slices: NULL if a hook cannot be added. `snapshot` receives
 * the CPU context on every trap.
 */
struct ucs *ucs_attach(uc_engine *uc, uc_context *snapshot, int32_t blocks)
{
	static const int ids[SVC_REGS] = {
		UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2, UC_ARM64_REG_X3,
		UC_ARM64_REG_X4, UC_ARM64_REG_X5, UC_ARM64_REG_X8, UC_ARM64_REG_PSTATE,
		UC_ARM64_REG_TPIDR_EL1,
	};
	struct ucs *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->uc = uc;
	s->snapshot = snapshot;
	s->blocks = blocks;
	for (int i = 0; i < SVC_REGS; i++) {
		s->svc_ids[i] = ids[i];
		s->svc_ptrs[i] = &s->sh.svc_regs[i];
	}
	if (uc_hook_add(uc, &s->intr_hook, UC_HOOK_INTR, (void *)on_intr, s, 1, 0) != UC_ERR_OK)
		goto fail;
	if (blocks != UCS_BLOCKS_NONE &&
	    uc_hook_add(uc, &s->block_hook, UC_HOOK_BLOCK,
			(void *)(blocks == UCS_BLOCKS_SITES ? on_block_sites : on_block), s, 1, 0) != UC_ERR_OK) {
		uc_hook_del(uc, s->intr_hook);
		goto fail;
	}
	return s;
fail:
	free(s);
	return NULL;
}

/* The JavaScript function offered every svc (NULL: none). */
void ucs_set_svc(struct ucs *s, ucs_svc_fn fn)
{
	s->svc = fn;
}

/* The JavaScript function offered every data abort (NULL: none); see 4. above. */
void ucs_set_fault(struct ucs *s, ucs_fault_fn fn)
{
	s->fault = fn;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Replace the event-site addresses (VAs): the exits the translator stops
 * at, with `as_exits`, else the sites on_block_sites counts up to. Blocks
 * already translated keep what they were translated with (the machine
 * drops them when it loads code). 0, or -1 when out of memory or the
 * engine refuses the exits.
 */
int32_t ucs_set_sites(struct ucs *s, const uint64_t *sites, uint32_t n, int32_t as_exits)
{
	uint64_t *copy = NULL;

	if (n) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return -1;
		memcpy(copy, sites, n * sizeof(*copy));
		qsort(copy, n, sizeof(*copy), cmp_u64);
	}
	free(s->sites);
	s->sites = copy;
	s->nsites = n;
	s->exits = as_exits;
	if (!as_exits)
		return 0;
	if (uc_ctl_exits_enable(s->uc) != UC_ERR_OK)
		return -1;
	return uc_ctl_set_exits(s->uc, copy, n) == UC_ERR_OK ? 0 : -1;
}

/*
 * Run from `begin` until a block starts with `budget` instructions used
 * (counting from `insns`, so a slice interrupted by an event site goes on
 * with what it has used), a trap, an exit, or the engine's own return.
 * `count` is uc_emu_start's (0 but in the 'counted' mode); `until` is
 * ignored once there are exits. Returns uc_emu_start's result; the rest,
 * the instructions used so far among it, is in the shared block.
 */
int32_t ucs_run(struct ucs *s, uint64_t begin, uint64_t until, uint64_t budget, uint64_t insns, uint64_t count)
{
	int64_t start = (int64_t)budget - (int64_t)insns;
	int32_t rc;

	set_left(s, start);
	s->sh.stop = UCS_STOP_NONE;
	rc = uc_emu_start(s->uc, begin, until, 0, count);
	s->sh.insns = insns + (uint64_t)(start - left_of(s));
	return rc;
}

/* The exits but `pc` (-1 when out of memory). */
static int32_t set_exits_but(struct ucs *s, uint64_t pc)
{
	uint64_t *but = malloc((s->nsites ? s->nsites : 1) * sizeof(*but));
	uint32_t n = 0;
	uc_err err;

	if (!but)
		return -1;
	for (uint32_t i = 0; i < s->nsites; i++)
		if (s->sites[i] != pc)
			but[n++] = s->sites[i];
	err = uc_ctl_set_exits(s->uc, but, n);
	free(but);
	return err == UC_ERR_OK ? 0 : -1;
}

/*
 * Run the block at `pc`, a site address where the instruction is not a
 * site now (another address space's code at the same VA, or code rewritten
 * since): without its exit and not counted as a site, with a budget that
 * stops the engine at the next block, then put the exit back. The blocks
 * translated meanwhile (the one at `pc`, and the next one, translated
 * before its hook stops it) have no exit at `pc`, which is right for the
 * code they were translated from: blocks are looked up by physical
 * address, so code that does have a site at `pc` is translated apart and
 * still stops there. Once a block holding `pc` is cached that way, later
 * passes run through; until then each pass costs an invalidation and two
 * more starts of the engine. -1 when the exits cannot be changed, else
 * uc_emu_start's result with the slice's count going on from `insns`.
 */
int32_t ucs_run_over(struct ucs *s, uint64_t pc, uint64_t until, uint64_t insns)
{
	int32_t rc;

	if (s->exits) {
		if (set_exits_but(s, pc) != 0)
			return -1;
		uc_ctl_remove_cache(s->uc, pc, pc + 4);
	}
	s->over = pc;
	s->running_over = 1;
	set_left(s, 1);
	s->sh.stop = UCS_STOP_NONE;
	rc = uc_emu_start(s->uc, pc, until, 0, 0);
	s->running_over = 0;
	s->sh.insns = insns + (uint64_t)(1 - left_of(s));
	if (s->exits && uc_ctl_set_exits(s->uc, s->sites, s->nsites) != UC_ERR_OK)
		return -1;
	return rc;
}

/* Free the state; call after uc_close (the hooks go with the engine). */
void ucs_free(struct ucs *s)
{
	if (!s)
		return;
	free(s->sites);
	free(s);
}

/*
 * 6. The engine's page size. Unicorn 2.0.1 fixes TARGET_PAGE_BITS before
 *    its ARM CPU states a preference, so an ARM64 engine runs with QEMU's
 *    variable-page minimum, 1 KB (ARMv5's tiny pages), where QEMU proper
 *    uses 4 KB for every v7 and v8 CPU (target/arm/cpu.c,
 *    arm_cpu_realizefn). Then the softmmu TLB covers a quarter of what it
 *    could, and a translated block neither crosses a 1 KB line nor chains
 *    a jump out of it: each such jump is a hash lookup
 *    (helper_lookup_tb_ptr), and the hash of the jump cache (QEMU's
 *    tb_jmp_cache_hash_func, by page) makes hot targets evict each other.
 *    uc_ctl_set_page_size would set it, but 2.0.1 accepts it only for
 *    UC_ARCH_ARM (upstream allowed ARM64 in pull request 2084), although
 *    what it sets, uc->target_bits, is read for every ARM engine as it
 *    initialises (qemu/exec-vary.c, finalize_target_page_bits).
 *
 *    So the field is found the checked way: a 32-bit ARM engine is opened
 *    (and never initialised), the public call sets its page size, and the
 *    one word of its uc_struct that changed is target_bits; struct
 *    uc_struct is one type for every architecture, and uc_open callocs it,
 *    so malloc_usable_size bounds the search. The same word of the ARM64
 *    engine, not yet initialised and so still 0, is then written. The
 *    caller checks the outcome through uc_ctl_get_page_size.
 */
static long target_bits_at = -2;   /* offset in struct uc_struct; -2: not looked for, -1: not found */

static long find_target_bits(void)
{
	uc_engine *probe;
	unsigned char *before;
	size_t n;
	long at = -1;

	if (uc_open(UC_ARCH_ARM, UC_MODE_ARM, &probe) != UC_ERR_OK)
		return -1;
	n = malloc_usable_size(probe);
	before = malloc(n);
	if (before) {
		memcpy(before, probe, n);
		/* 2.0.1 counts the bits of the size itself, one too many: 2048 sets 12. */
		if (uc_ctl_set_page_size(probe, 2048) == UC_ERR_OK) {
			for (size_t i = 0; i + sizeof(int32_t) <= n; i += sizeof(int32_t)) {
				int32_t was, now;

				memcpy(&was, before + i, sizeof was);
				memcpy(&now, (unsigned char *)probe + i, sizeof now);
				if (was != now)
					at = at == -1 && was == 0 && (now == 11 || now == 12) ? (long)i : -3;
			}
		}
		free(before);
	}
	uc_close(probe);
	return at >= 0 ? at : -1;
}

/* Give ARM64 engine `uc`, not yet initialised, pages of 2^bits bytes: 0, or -1. */
int32_t ucs_set_page_bits(uc_engine *uc, int32_t bits)
{
	int32_t was;

	if (target_bits_at == -2)
		target_bits_at = find_target_bits();
	if (target_bits_at < 0)
		return -1;
	memcpy(&was, (unsigned char *)uc + target_bits_at, sizeof was);
	if (was != 0)
		return -1;
	memcpy((unsigned char *)uc + target_bits_at, &bits, sizeof bits);
	return 0;
}


/*
 * 7. No exit check after every load. Unicorn 2.0.1 follows each
 *    guest load and store it translates with an exit-request check
 *    (tcg-op.c: tcg_gen_qemu_ld/st end in check_exit_request, a load of
 *    icount_decr and a branch to the block's exit), so that a hook that
 *    calls uc_emu_stop in the middle of a block stops the engine right
 *    after that access. QEMU proper checks once per block, at its start
 *    (gen_tb_start). The branch itself is cheap; what it does to TCG is
 *    not: a branch ends TCG's basic block, so every guest register the
 *    block holds in a host register is written back before it and read
 *    again after it, at every access. On busybox's shell loop the checks
 *    after loads cost about 5% of the engine's time (8% with the stores').
 *
 *    The deterministic slices do not need them after loads: the block
 *    hook stops the engine before a block runs, where gen_tb_start's own
 *    check (which stays) catches it, and a load that faults or reads
 *    unmapped memory leaves its block through cpu_loop_exit whatever the
 *    checks. Stores keep theirs: a store to unmapped or write-protected
 *    memory only asks for an exit (store_helper) and returns into the
 *    block, so the store-path library clears the flag around the
 *    translation of each store (uc_store_path.c, "Stores keep their exit
 *    check"); without that library nothing is dropped. What still asks
 *    for a stop right after a load is a memory callback that fails (a
 *    device model refusing a read): the block then runs on to its next
 *    check (a store's, or the next block's start), and the machine stops
 *    with the error as before, naming the block that made the access (8.
 *    below). A code hook that stops the engine needs the check after it
 *    too (translate-a64.c calls check_exit_request after each code hook),
 *    so the modes whose code hooks stop the engine ('code-hook-sites',
 *    'counted') keep every check.
 *
 *    How: check_exit_request begins with `if (tcg_ctx->uc->no_exit_request)
 *    return;`, a flag of uc_struct that the AArch32 translator sets for
 *    the length of a Thumb IT block and nothing clears for an engine that
 *    runs only AArch64 code. Its offset, and that of the TCGContext's
 *    back pointer to the engine, are read from that test in the engine's
 *    own machine code (mov disp32(%rdi),%rax; cmpb $0,disp32(%rax); je;
 *    ret), the one place that says what the flag means; any other code,
 *    and nothing is changed.
 */
static long no_exit_request_at = -2; /* offset in struct uc_struct; -2: not looked for, -1: not found */
static long tcg_uc_at = -1;          /* offset of TCGContext.uc */
static void *(*tb_lookup)(void *s, uintptr_t host_pc); /* tcg_tb_lookup, for 8. */

/* Read the flag's offset from check_exit_request's code, and find tcg_tb_lookup: once. */
static void find_no_exit_request(void)
{
	static const unsigned char shape[17] = {
		0x48, 0x8b, 0x87, 0, 0, 0, 0,       /* mov disp32(%rdi),%rax: tcg_ctx->uc */
		0x80, 0xb8, 0, 0, 0, 0, 0x00,       /* cmpb $0,disp32(%rax): uc->no_exit_request */
		0x74, 0, 0xc3,                      /* je over the ret; ret */
	};
	static const unsigned char any[17] = { [3] = 1, [4] = 1, [5] = 1, [6] = 1, [9] = 1, [10] = 1, [11] = 1, [12] = 1, [15] = 1 };
	void *h = dlopen("libunicorn.so.2", RTLD_LAZY | RTLD_NOLOAD);
	const unsigned char *code;
	int32_t uc_at, flag_at;
	size_t i = 0;

	no_exit_request_at = -1;
	if (!h)
		return;
	*(void **)&tb_lookup = dlsym(h, "tcg_tb_lookup_aarch64");
	code = dlsym(h, "check_exit_request_aarch64");
	while (code && i < sizeof shape && (any[i] || code[i] == shape[i]))
		i++;
	if (i == sizeof shape) {
		memcpy(&uc_at, code + 3, sizeof uc_at);
		memcpy(&flag_at, code + 9, sizeof flag_at);
		if (uc_at > 0 && flag_at > 0) {
			tcg_uc_at = uc_at;
			no_exit_request_at = flag_at;
		}
	}
	dlclose(h);
}

/* Where TCGContext.uc and uc->no_exit_request are (for the store-path library): 0, or -1 if not found. */
int32_t ucs_exit_flag_offsets(int64_t *tcg_uc, int64_t *flag)
{
	if (no_exit_request_at == -2)
		find_no_exit_request();
	if (no_exit_request_at < 0)
		return -1;
	*tcg_uc = tcg_uc_at;
	*flag = no_exit_request_at;
	return 0;
}

/* Drop the exit checks after loads (and stores, unless the store-path library keeps them) from the blocks `uc` translates from now on: 0, or -1. */
int32_t ucs_skip_access_exit_checks(uc_engine *uc)
{
	unsigned char *flag;

	if (no_exit_request_at == -2)
		find_no_exit_request();
	if (no_exit_request_at < 0 || (size_t)no_exit_request_at >= malloc_usable_size(uc))
		return -1;
	flag = (unsigned char *)uc + no_exit_request_at;
	if (*flag > 1)
		return -1; /* not a bool: not the field */
	*flag = 1;
	return 0;
}

/*
 * 8. The block that made an access the machine refused (a device model's
 *    refusal, or unmapped memory). Inside a
 *    memory callback the engine's PC names an earlier block (2.0.1 brings
 *    env->pc up to date at block ends and exceptions only), and without
 *    the checks of 7. the engine stops after the block, not in it. QEMU
 *    itself finds the instruction behind an access from the host address
 *    translated code called the memory helper from (GETPC() in
 *    cputlb.c's helpers, cpu_restore_state). That return address is on
 *    the stack the engine runs on: koffi's own stack for native calls,
 *    which also holds this function's frame, below the engine's (koffi
 *    runs the JavaScript of a callback on Node's stack, and the nested
 *    native call from it back on its own, under the frames already
 *    there). Between this frame and the helper's lie only Unicorn's MMIO
 *    or unmapped-memory dispatch and koffi's relay, none of them
 *    translated code. So that stack is read upward from here, to the end
 *    of its mapping (found in /proc/self/maps) or STACK_SCAN bytes, and
 *    each word looked up among the translated blocks (tcg_tb_lookup, a
 *    search of the blocks' host code ranges that finds nothing for any
 *    other value); the first hit is the running block, whose guest
 *    address is the first field of its TranslationBlock. An access that
 *    no translated code made (a page-table walk for a fetch) finds none,
 *    and the caller is told so. The engine's TCGContext is uc->tcg_ctx, at
 *    UC_TCG_CTX in Debian's build (uc_add_inline_hook reads it there),
 *    checked through the context's own back pointer to the engine (7.).
 *    Only the refusal path runs this.
 */
#define UC_TCG_CTX 0x2c0
#define STACK_SCAN (1u << 20)

/* The end of the mapping that holds `addr` (/proc/self/maps), or 0. */
static uintptr_t mapping_end(uintptr_t addr)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];
	uintptr_t end = 0;

	if (!maps)
		return 0;
	while (!end && fgets(line, sizeof line, maps)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi)
			end = hi;
	}
	fclose(maps);
	return end;
}

/* Set *pc to the guest address of the block making the current access: 0, or -1 when not found. */
int32_t ucs_access_block(uc_engine *uc, uint64_t *pc)
{
	uintptr_t here = (uintptr_t)__builtin_frame_address(0), top;
	void *s;

	if (no_exit_request_at == -2)
		find_no_exit_request();
	memcpy(&s, (char *)uc + UC_TCG_CTX, sizeof s);
	if (!tb_lookup || tcg_uc_at < 0 || !s || *(uc_engine **)((char *)s + tcg_uc_at) != uc)
		return -1;
	top = mapping_end(here);
	if (!top)
		return -1;
	if (top - here > STACK_SCAN)
		top = here + STACK_SCAN;
	for (uintptr_t w = here; w + sizeof(uintptr_t) <= top; w += sizeof(uintptr_t)) {
		uintptr_t v;
		void *tb;

		memcpy(&v, (void *)w, sizeof v);
		if ((tb = tb_lookup(s, v))) {
			memcpy(pc, tb, sizeof *pc); /* TranslationBlock.pc */
			return 0;
		}
	}
	return -1;
}

/*
 * 9. Records of guest memory, written on every host core. The kernel's
 *    memmap_init gives every struct page of a zone the same 64 bytes (64 MB
 *    of them for a 4 GB board, all of it memory the host process has never
 *    touched), and memblock_free_all and the CMA areas' activation then
 *    clear PG_reserved and the reference count of each free one
 *    (__free_pages_core's per-page part). Touching fresh memory is the
 *    first cost, not the copying: each 2 MB huge page is faulted in and
 *    zeroed by the host kernel, and on a virtualised host whose free
 *    memory went back to the hypervisor (virtio-balloon free page
 *    reporting) each of its 4 KB pages faults once more below that. One
 *    thread took 100-115 ms to fill 64 MB so, two threads 37-59 ms, and
 *    either 5-6 ms once the memory was warm (a probe, fresh processes 2.5 s
 *    apart); the second pass is memory-bound (14-16 ms in JavaScript, one
 *    thread). The faults of different huge pages, and the memory traffic of
 *    different parts, proceed in parallel, so a range of records is cut
 *    into one part per online CPU (at most MAX_FILL_THREADS, and none
 *    smaller than MIN_FILL_PART), each done by its own thread, the
 *    caller's the first. Every part starts on a record. What is written
 *    does not depend on how the range was cut.
 *
 *    ucs_replicate repeats the first record through the range: a part's
 *    first STAGE bytes are built from it, and the rest copied from them
 *    while they are in the cache. ucs_mask_records sets each record to
 *    (record & keep) | set, word by word.
 */
#define MAX_FILL_THREADS 4
#define MIN_FILL_PART (4u << 20)
#define STAGE (64u << 10)

struct part {
	unsigned char *dst;
	size_t unit_len, len; /* len: a multiple of unit_len */
	const void *a, *b;    /* the operation's: the unit; keep and set */
};

static void *replicate_part(void *arg)
{
	const struct part *p = arg;
	size_t stage = p->len < STAGE ? p->len : STAGE - STAGE % p->unit_len;

	for (size_t off = 0; off < stage; off += p->unit_len)
		memcpy(p->dst + off, p->a, p->unit_len);
	for (size_t off = stage; off < p->len; off += stage)
		memcpy(p->dst + off, p->dst, p->len - off < stage ? p->len - off : stage);
	return NULL;
}

static void *mask_part(void *arg)
{
	const struct part *p = arg;
	const uint64_t *keep = p->a, *set = p->b;

	for (size_t off = 0; off < p->len; off += p->unit_len) {
		for (size_t k = 0; k < p->unit_len / 8; k++) {
			uint64_t w;

			memcpy(&w, p->dst + off + 8 * k, 8);
			w = (w & keep[k]) | set[k];
			memcpy(p->dst + off + 8 * k, &w, 8);
		}
	}
	return NULL;
}

/* Run `op` over the records of dst[0, len) in parts, one thread each; answers the threads that ran. */
static int32_t in_parts(void *(*op)(void *), unsigned char *dst, size_t unit_len, size_t len, const void *a, const void *b)
{
	struct part parts[MAX_FILL_THREADS];
	pthread_t threads[MAX_FILL_THREADS];
	int started[MAX_FILL_THREADS] = { 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t units = len / unit_len, n, ran = 1;

	n = cpus < 1 ? 1 : cpus > MAX_FILL_THREADS ? MAX_FILL_THREADS : (size_t)cpus;
	while (n > 1 && len / n < MIN_FILL_PART)
		n--;
	for (size_t i = 0, at = 0; i < n; i++) {
		size_t take = units / n + (i < units % n);

		parts[i] = (struct part){ dst + at * unit_len, unit_len, take * unit_len, a, b };
		at += take;
	}
	for (size_t i = 1; i < n; i++)
		started[i] = pthread_create(&threads[i], NULL, op, &parts[i]) == 0;
	op(&parts[0]);
	for (size_t i = 1; i < n; i++) {
		if (started[i]) {
			pthread_join(threads[i], NULL);
			ran++;
		} else {
			op(&parts[i]); /* no thread for it: the caller's */
		}
	}
	return (int32_t)ran;
}

/*
 * Repeat the first unit_len bytes of dst through dst[0, len): len is a
 * multiple of unit_len, unit_len at most STAGE. Answers the number of
 * threads that filled it (1: the caller's alone), 0 for arguments it
 * refuses.
 */
int32_t ucs_replicate(unsigned char *dst, uint64_t unit_len, uint64_t len)
{
	unsigned char unit[STAGE];

	if (unit_len == 0 || unit_len > STAGE || len % unit_len)
		return 0;
	/* A copy of the unit: part 0 rewrites the bytes the others read it from. */
	memcpy(unit, dst, unit_len);
	return in_parts(replicate_part, dst, unit_len, len, unit, NULL);
}

/*
 * Each unit_len-byte record of dst[0, len) becomes (record & keep) | set,
 * keep and set unit_len bytes each; unit_len a multiple of 8, at most
 * STAGE, and len a multiple of it. Answers the number of threads (0 for
 * arguments it refuses).
 */
int32_t ucs_mask_records(unsigned char *dst, uint64_t unit_len, uint64_t len, const uint64_t *keep, const uint64_t *set)
{
	uint64_t k[STAGE / 8], v[STAGE / 8];

	if (unit_len == 0 || unit_len % 8 || unit_len > STAGE || len % unit_len)
		return 0;
	memcpy(k, keep, unit_len);
	memcpy(v, set, unit_len);
	return in_parts(mask_part, dst, unit_len, len, k, v);
}
