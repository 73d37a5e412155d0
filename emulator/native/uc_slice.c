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
 *    slower. Instead one UC_HOOK_BLOCK callback per engine adds each
 *    translated block's instruction count (size / 4) to the slice's count
 *    and, at the first block that starts at or past the budget, stops the
 *    engine before that block runs. Unicorn emits the block hook ahead of
 *    the block's exit-request check (qemu/accel/tcg/translator.c,
 *    translator_loop), so a block stopped this way has run none of its
 *    instructions. The address of that block is recorded here and the next
 *    slice resumes from it, not from the PC register: in 2.0.1, after a stop
 *    requested from a block hook, cpu_tb_exec leaves a stale PC whenever the
 *    engine also has a code hook. The count is of instructions in blocks
 *    started: a block cut short by an exception counts whole, which is the
 *    same in every run, so slices stay deterministic. A block hook written
 *    in JavaScript costs 40-100x (a koffi trampoline per block); in C it is
 *    a call and a few compares.
 *
 * 2. Event sites (WFE, WFI, SEV, SEVL) without single-address code hooks.
 *    A code hook anywhere disables the inlined fast paths described above,
 *    so the block hook also checks whether the block it starts holds one of
 *    the addresses TypeScript registered (a sorted array, behind a
 *    4096-bit filter of the pages a block holding one can start on, so
 *    that any other block costs one bit test: per block, every instruction
 *    of this hook shows on a tight loop). WFE and WFI end their translated block
 *    (target/arm/translate-a64.c, DISAS_WFE / DISAS_WFI), SEV does not; at
 *    the next block boundary the engine stops and TypeScript acts on the
 *    sites of the block that just ran, in program order (park the core, or
 *    send the event and carry on). WFI also makes Unicorn return by itself
 *    (EXCP_HLT), which TypeScript treats the same way.
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
 * Nothing here writes the PC from a hook: in 2.0.1 that cancels a pending
 * uc_emu_stop (the quit_request / stop_request race fixed upstream in
 * 2.1.0). The engine is started with count = 0, except in the 'counted'
 * mode kept to measure the way before this file (Unicorn's own count).
 *
 * The state shared with JavaScript is `struct ucs_shared`, read through a
 * BigUint64Array over it; its layout is mirrored in native.ts (the slots S).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#define UCS_ABI 3
#define SITE_FILTER_WORDS 64 /* 4096 bits: one per page, modulo 16 MiB */
#define SVC_REGS 9           /* x0-x5, x8, PSTATE, TPIDR_EL1 */

/* QEMU's EXCP_SWI (target/arm/cpu.h): what an svc raises. */
#define EXCP_SWI 2

enum ucs_stop {
	UCS_STOP_NONE = 0,   /* the engine returned by itself (WFI, an error, a JS stop) */
	UCS_STOP_BUDGET = 1, /* a block started at or past the budget */
	UCS_STOP_SITES = 2,  /* the previous block held event sites */
	UCS_STOP_TRAP = 3,   /* an exception TypeScript must see */
};

/* Every field 64 bits wide, so JavaScript sees it as one BigUint64Array. */
struct ucs_shared {
	uint64_t budget;     /* 0: instructions the slice may start (0 once a site is pending) */
	uint64_t insns;      /* 1: instructions in the blocks started so far */
	uint64_t resume;     /* 2: block to resume from after a block-hook stop */
	uint64_t stop;       /* 3: enum ucs_stop */
	uint64_t intno;      /* 4: exception number when stop == UCS_STOP_TRAP */
	uint64_t site_block; /* 5: start of the last block that held event sites */
	uint64_t site_end;   /* 6: its end */
	uint64_t site_pending; /* 7: 1 if that block started and was not yet handed over */
	uint64_t svc_regs[SVC_REGS]; /* 8-16: x0-x5, x8, PSTATE, TPIDR_EL1 of the svc caller */
	uint64_t svc_ret;      /* 17: x0 to return when the svc was answered */
};

typedef int32_t (*ucs_svc_fn)(void);

struct ucs {
	struct ucs_shared sh; /* first: JavaScript views it at the struct's address */
	uc_engine *uc;
	uc_context *snapshot; /* saved on every trap */
	ucs_svc_fn svc;       /* NULL: every svc is a trap */
	uc_hook block_hook, intr_hook;
	uint64_t *sites; /* sorted */
	uint32_t nsites;
	uint64_t site_pages[SITE_FILTER_WORDS]; /* bit (va >> 12) % 4096: a block starting there may hold a site */
	int svc_ids[SVC_REGS];
	void *svc_ptrs[SVC_REGS];
};

static int page_may_hold_site(const struct ucs *s, uint64_t va)
{
	uint64_t page = (va >> 12) % (64 * SITE_FILTER_WORDS);

	return (s->site_pages[page / 64] >> (page % 64)) & 1;
}

static void mark_page(struct ucs *s, uint64_t va)
{
	uint64_t page = (va >> 12) % (64 * SITE_FILTER_WORDS);

	s->site_pages[page / 64] |= 1ull << (page % 64);
}

/*
 * A translated block is at most TCG_MAX_INSNS (512) instructions, 2 KiB, so
 * one holding a site at `va` starts on va's page or the page before.
 */
static void mark_site_page(struct ucs *s, uint64_t va)
{
	mark_page(s, va);
	mark_page(s, va - 4096);
}

/* Is there a site in [begin, end)? Binary search for the first >= begin. */
static int holds_site(const struct ucs *s, uint64_t begin, uint64_t end)
{
	uint32_t lo = 0, hi = s->nsites;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->sites[mid] < begin)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nsites && s->sites[lo] < end;
}

static void stop_at(struct ucs *s, uc_engine *uc, uint64_t block, enum ucs_stop why)
{
	s->sh.resume = block;
	s->sh.stop = why;
	uc_emu_stop(uc);
}

/* Called before every translated block runs: keep it this short. */
static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	struct ucs *s = user;

	if (s->sh.insns >= s->sh.budget) {
		stop_at(s, uc, address, s->sh.site_pending ? UCS_STOP_SITES : UCS_STOP_BUDGET);
		return;
	}
	s->sh.insns += size >> 2;
	if (page_may_hold_site(s, address) && size && holds_site(s, address, address + size)) {
		s->sh.site_block = address;
		s->sh.site_end = address + size;
		s->sh.site_pending = 1;
		s->sh.budget = 0; /* stop at the next block boundary */
	}
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
 * Take over an engine's exceptions (and, with `counting`, its slices):
 * NULL if a hook cannot be added. `snapshot` receives the CPU context on
 * every trap.
 */
struct ucs *ucs_attach(uc_engine *uc, uc_context *snapshot, int32_t counting)
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
	for (int i = 0; i < SVC_REGS; i++) {
		s->svc_ids[i] = ids[i];
		s->svc_ptrs[i] = &s->sh.svc_regs[i];
	}
	if (uc_hook_add(uc, &s->intr_hook, UC_HOOK_INTR, (void *)on_intr, s, 1, 0) != UC_ERR_OK)
		goto fail;
	if (counting && uc_hook_add(uc, &s->block_hook, UC_HOOK_BLOCK, (void *)on_block, s, 1, 0) != UC_ERR_OK) {
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Replace the event-site addresses (VAs) the block hook looks for. */
int32_t ucs_set_sites(struct ucs *s, const uint64_t *sites, uint32_t n)
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
	memset(s->site_pages, 0, sizeof(s->site_pages));
	for (uint32_t i = 0; i < n; i++)
		mark_site_page(s, copy[i]);
	return 0;
}

/*
 * Run from `begin` until a block starts at or past `budget` instructions
 * (counting from `insns`, so a slice interrupted by an event site goes on
 * with what it has used), a trap, or the engine's own return. `count` is
 * uc_emu_start's (0 but in the 'counted' mode). Returns uc_emu_start's
 * result; the rest is in the shared block.
 */
int32_t ucs_run(struct ucs *s, uint64_t begin, uint64_t until, uint64_t budget, uint64_t insns, uint64_t count)
{
	s->sh.budget = budget;
	s->sh.insns = insns;
	s->sh.stop = UCS_STOP_NONE;
	s->sh.site_pending = 0;
	return uc_emu_start(s->uc, begin, until, 0, count);
}

/* Free the state; call after uc_close (the hooks go with the engine). */
void ucs_free(struct ucs *s)
{
	if (!s)
		return;
	free(s->sites);
	free(s);
}
