// SPDX-License-Identifier: GPL-2.0-only
/*
 * uc_store_path: the guest's store path in Debian's Unicorn 2.0.1, made as
 * cheap as the engine allows without rebuilding it.
 *
 * Why a store is slow in 2.0.1. Unicorn stubs QEMU's dirty-memory bitmap
 * (include/exec/ram_addr.h: cpu_physical_memory_is_clean() is always
 * true), so tlb_set_page_with_attrs() marks every writable RAM page
 * TLB_NOTDIRTY and no store ever takes TCG's inline fast path: each one
 * calls store_helper(), which calls notdirty_write(), which builds and
 * frees a page_collection (a GTree, two mallocs and two frees) around
 * tb_invalidate_phys_page_fast(), which walks the PageDesc radix tree
 * (page_find) to learn that the page holds no translated code. On a
 * printf-heavy program that was three quarters of the engine's time.
 * Upstream fixed the first half in Unicorn 2.0.2 ("Ignore
 * page_collection_lock", unicorn-engine/unicorn pull request 1838) and the
 * rest in 2.1 (pull request 2031); Debian ships 2.0.1.
 *
 * What this file does. libunicorn.so.2 is linked without -Bsymbolic, so its
 * calls to its own exported functions go through its PLT and bind, at load
 * time (it is BIND_NOW), to the first definition in the global scope. This
 * library defines thirteen of those symbols and is loaded with RTLD_GLOBAL
 * before libunicorn (emulator/unicorn/binding.ts), so the engine calls:
 *
 * - tlb_set_page_with_attrs: the engine's own, then, for a writable page
 *   that holds no code, tlb_set_dirty() on the new entry. That takes
 *   TLB_NOTDIRTY off, and the guest's stores to the page run TCG's inline
 *   fast path (a TLB compare and a host store), as in QEMU proper, where
 *   the dirty bitmap does the same. This is most of the gain: a store to
 *   RAM costs no call at all.
 * - cpu_exec: notes which engine runs and its CPU (the engine is told
 *   only the CPU in tlb_set_page_with_attrs and only the uc in
 *   tlb_protect_code; this is where it sees both), then the engine's own.
 * - tlb_protect_code: records the page in `code_pages`, puts
 *   TLB_NOTDIRTY back on this engine's entries that write the page
 *   (tlb_reset_dirty(), what QEMU's cpu_physical_memory_test_and_clear_dirty
 *   does and 2.0.1 stubs out), then does what the engine's own does. tb_link_page calls
 *   it when a page gets its first translated block, so from then on every
 *   store into the page takes the slow path and invalidates the blocks.
 * - tlb_unprotect_code: leaves the page's bit set (see there why), then
 *   does what the engine's own does.
 * - tb_invalidate_phys_page_fast: returns at once for a page whose bit is
 *   clear, else calls the engine's own. That skips page_find for the
 *   stores that still come through the slow path to pages without code.
 * - page_collection_lock/unlock: nothing. Unicorn's page locks are no-ops
 *   (a single-threaded engine), the collection is only ever handed back to
 *   page_collection_unlock (translate-all.c: tb_invalidate_phys_range,
 *   tb_invalidate_phys_page_range, tb_invalidate_phys_page_range__locked),
 *   so a NULL collection is what upstream's fix amounts to.
 * - uc_add_inline_hook and tcg_const_i64: the slices' block counter as
 *   TCG ops instead of a call per block ("The block counter inline",
 *   below); every other inline hook and constant is the engine's own.
 * - tb_htable_lookup and tb_flush: a second level for the CPU's jump
 *   cache, in front of the engine's hash table ("The jump cache's second
 *   level", below).
 * - tcg_gen_qemu_st_i32 and _i64: the engine's own, with the exit check
 *   after a store kept where the slices drop the checks after loads
 *   ("Stores keep their exit check", below).
 *
 * Each engine (one per core) has its own translated code, so each has its
 * own bitmap of the pages that hold it, keyed by guest physical address,
 * which tlb_set_page_with_attrs is given. The engine names pages to
 * tlb_protect_code and tb_invalidate_phys_page_fast by ram_addr_t (its
 * offset among its RAM blocks): qemu_map_ram_ptr() turns that into the
 * host address, and the RAM ranges the machine registered for the engine
 * (ucsp_add_ram: physical base, size, host address) into the physical
 * one. An engine that registered nothing (a test's or a probe's) keeps
 * 2.0.1's behaviour: every writable entry has TLB_NOTDIRTY and every
 * store reaches the engine's own check.
 *
 * Invariants:
 * - every page of guest RAM that holds an engine's translated block has
 *   its bit set in that engine's bitmap (a page gets a block only through
 *   tb_link_page, which calls tlb_protect_code when the page had none; a
 *   bit is cleared only by ucsp_code_changed, right after it dropped
 *   every block of the page by the same page number the engine files
 *   them under, qemu_ram_addr_from_host). A bit may be set for a page
 *   without blocks (after a TB flush or a remove_cache, or once the
 *   blocks are gone); that costs only the slow path. The kernel model
 *   calls ucsp_code_changed for every page it gives a process, so a
 *   process's text page reused for data runs inline again.
 * - an engine's TLB entry that writes a page holding that engine's blocks
 *   has TLB_NOTDIRTY: entries made after the page got its bit keep it
 *   (tlb_set_page_with_attrs), entries made before get it back when the
 *   bit is set (tlb_protect_code). So a guest store into code still
 *   invalidates it, as before. Stores by one core into another core's
 *   translated code never invalidated it (each engine has its own blocks,
 *   and 2.0.1 invalidates only the storing engine's); that is unchanged.
 *
 * tlb_set_dirty() acts on every MMU index's entry for the virtual page;
 * the other indexes map the same page through the same tables (EL0 and
 * EL1 of one regime) or miss (their entry is for another address).
 *
 * ucsp_code_changed() is also the machine's way to drop the code of a page
 * it rewrote from outside the cores: by physical page, where Unicorn's
 * public call (uc_ctl TB_REMOVE_CACHE) takes a virtual address and
 * translates it through the core's MMU.
 *
 * ucsp_bind() must be called once libunicorn is loaded: it finds the
 * engine's own definitions (dlsym on its handle, which searches the
 * library before the global scope). ucsp_stats() says how often each path
 * ran, so a test can see that the engine really calls this file.
 *
 * The bitmaps cover physical addresses below 2^40 (1 TB, far above every
 * board's RAM); a page above that is treated as holding code.
 *
 * Changing the exception level from outside the guest. Unicorn 2.0.1
 * never takes an exception into the guest itself, and a PSTATE written
 * through uc_reg_write changes env->pstate but not env->hflags, the
 * translator's cached summary of the EL, the SP selection, the MMU index
 * and PAN (target/arm/helper.c, arm_rebuild_hflags; the engine rebuilds
 * them only in the guest's own eret, msr and exception paths). So the
 * machine, which enters the guest kernel's vectors itself (emulator/arm64/
 * exception-entry.ts), writes PSTATE, SP, ELR and SPSR through the API and
 * then calls ucsp_rebuild_hflags(), which runs the engine's own
 * arm_rebuild_hflags on the engine's CPUARMState. That state is found from
 * the CPUState cpu_exec is called with (every engine that ran, registered
 * or not), through the CPUState's env_ptr field, at CPU_ENV_PTR in Debian's
 * build (QEMU 5's include/hw/core/cpu.h; tlb_reset_dirty reads it there).
 * That is a layout fact, so it is checked before use: ucsp_env_check()
 * compares the state it points at with a uc_context_save snapshot taken
 * just before (a raw copy of CPUARMState in 2.0.1's uc.c), byte for byte,
 * and the caller refuses to rebuild unless they are equal.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h> /* constants and types only: libunicorn is not linked, its functions come from dlsym */

#define UCSP_ABI 7

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define PAGE_WRITE 0x0002                 /* QEMU's include/exec/cpu-all.h */
#define PA_BITS 40                        /* 1 TB of physical address space */
#define LEAF_SHIFT 15                     /* pages per leaf: 32768 (a 4 KB bitmap) */
#define TOP_BITS (PA_BITS - PAGE_SHIFT - LEAF_SHIFT)
#define LEAF_WORDS ((1u << LEAF_SHIFT) / 64)
#define MAX_ENGINES 64
#define MAX_RAM 8
#define CPU_ENV_PTR 0x128                 /* offsetof(CPUState, env_ptr) in Debian's 2.0.1 (checked: ucsp_env_check) */

struct uc_struct;
struct page_collection;
struct CPUState;

/* QEMU's MemTxAttrs: 32 bits of bit-fields, passed by value in a register. */
typedef struct { uint32_t bits; } MemTxAttrs;

typedef void (*protect_fn)(struct uc_struct *, uint64_t);
typedef void (*invalidate_fast_fn)(struct uc_struct *, struct page_collection *, uint64_t, int, uintptr_t);
typedef void (*set_page_fn)(struct CPUState *, uint64_t, uint64_t, MemTxAttrs, int, int, uint64_t);
typedef int (*cpu_exec_fn)(struct uc_struct *, struct CPUState *);
typedef void (*cpu_fn)(struct CPUState *);
typedef void (*set_dirty_fn)(struct CPUState *, uint64_t);
typedef void (*reset_dirty_fn)(struct CPUState *, uintptr_t, uintptr_t);
typedef void *(*map_ram_fn)(struct uc_struct *, void *, uint64_t);
typedef uint64_t (*ram_addr_fn)(struct uc_struct *, void *);
typedef void (*invalidate_range_fn)(struct uc_struct *, uint64_t, uint64_t);
typedef void (*rebuild_hflags_fn)(void *env);
typedef void (*inline_hook_fn)(struct uc_struct *, void *hk, void **args, int nargs);
typedef void *(*temp_new_fn)(void *s, int type, int local);
typedef void (*temp_free_fn)(void *s, void *temp);
typedef uintptr_t (*const_i64_fn)(void *s, int64_t v);
typedef uintptr_t (*const_i32_fn)(void *s, int32_t v);
typedef void (*op1_fn)(void *s, int opc, uintptr_t a1);
typedef void (*op3_fn)(void *s, int opc, uintptr_t a1, uintptr_t a2, uintptr_t a3);
typedef void (*extu_fn)(void *s, uintptr_t ret, uintptr_t arg);
typedef void (*shri_fn)(void *s, uintptr_t ret, uintptr_t arg, int64_t imm);
typedef void (*brcondi_fn)(void *s, int cond, uintptr_t arg, int64_t imm, void *label);
typedef void *(*new_label_fn)(void *s);

static protect_fn real_protect, real_unprotect;
static invalidate_fast_fn real_invalidate_fast;
static set_page_fn real_set_page;
static cpu_exec_fn real_cpu_exec;
static cpu_fn real_tlb_flush;
static set_dirty_fn real_set_dirty;
static reset_dirty_fn real_reset_dirty;
static map_ram_fn real_map_ram;
static ram_addr_fn real_ram_addr_from_host;
static invalidate_range_fn real_invalidate_range;
static rebuild_hflags_fn real_rebuild_hflags;
static inline_hook_fn real_add_inline_hook;
void uc_add_inline_hook_aarch64(struct uc_struct *uc, void *hk, void **args, int nargs);
uintptr_t tcg_const_i64_aarch64(void *s, int64_t v);
static temp_new_fn tcg_temp_new;
static temp_free_fn tcg_temp_free;
static const_i64_fn tcg_const_i64;
static const_i32_fn tcg_const_i32;
static op1_fn tcg_op1;
static op3_fn tcg_op3;
static extu_fn tcg_extu_i32_i64;
static shri_fn tcg_shri_i64;
static brcondi_fn tcg_brcondi_i64;
static new_label_fn tcg_new_label;
typedef void *(*htable_lookup_fn)(struct CPUState *, uint64_t, uint64_t, uint32_t, uint32_t);
typedef void (*qemu_st_fn)(void *s, uintptr_t val, uintptr_t addr, uintptr_t idx, int memop);
static qemu_st_fn real_qemu_st_i32, real_qemu_st_i64;
void tcg_gen_qemu_st_i32_aarch64(void *s, uintptr_t val, uintptr_t addr, uintptr_t idx, int memop);
void tcg_gen_qemu_st_i64_aarch64(void *s, uintptr_t val, uintptr_t addr, uintptr_t idx, int memop);
typedef int64_t (*page_addr_code_fn)(void *env, uint64_t addr);
static htable_lookup_fn real_htable_lookup;
static page_addr_code_fn real_page_addr_code;
static cpu_fn real_tb_flush;
static uc_err (*real_uc_ctl)(uc_engine *uc, uc_control_type control, ...);
void *tb_htable_lookup_aarch64(struct CPUState *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags, uint32_t cf_mask);
void tb_flush_aarch64(struct CPUState *cpu);

/* The CPU of every engine that ran (registered or not), for ucsp_rebuild_hflags. */
static struct { struct uc_struct *uc; struct CPUState *cpu; } cpus[MAX_ENGINES];

/* An engine the machine registered its RAM with. */
struct engine {
	struct uc_struct *uc;
	struct CPUState *cpu;          /* once it ran */
	int flush_pending;             /* ucsp_code_changed took pages out of the bitmap */
	int nr_ram;
	struct { uint64_t pa, size; uintptr_t host; } ram[MAX_RAM];
	uint64_t *code[1u << TOP_BITS]; /* [top][word]: its pages that hold its translated code */
};
static struct engine *engines[MAX_ENGINES];

/* The registered engine in cpu_exec now, if any. */
static struct engine *running;

/*
 * 0: page_collection_lock, 1: invalidate_fast calls, 2: of them passed on,
 * 3: protect, 4: unprotect, 5: writable entries made dirty (fast stores),
 * 6: blocks translated with the block counter inline, 7: jump-cache misses
 * the second level answered, 8: that it passed on (The jump cache's
 * second level, below)
 */
#define NR_STATS 9
static uint64_t stats[NR_STATS];

static int page_index(uint64_t pa, uint32_t *top, uint32_t *bit)
{
	uint64_t pfn = pa >> PAGE_SHIFT;

	if (pfn >> (LEAF_SHIFT + TOP_BITS))
		return -1;
	*top = (uint32_t)(pfn >> LEAF_SHIFT);
	*bit = (uint32_t)(pfn & ((1u << LEAF_SHIFT) - 1));
	return 0;
}

static int holds_code(const struct engine *e, uint64_t pa)
{
	uint32_t top, bit;
	const uint64_t *leaf;

	if (page_index(pa, &top, &bit))
		return 1;
	leaf = e->code[top];
	return leaf && (leaf[bit / 64] >> (bit % 64) & 1);
}

static void clear_code(struct engine *e, uint64_t pa)
{
	uint32_t top, bit;

	if (page_index(pa, &top, &bit) == 0 && e->code[top])
		e->code[top][bit / 64] &= ~(1ull << (bit % 64));
}

static void mark_code(struct engine *e, uint64_t pa)
{
	uint32_t top, bit;

	if (page_index(pa, &top, &bit))
		return;
	if (!e->code[top])
		e->code[top] = calloc(LEAF_WORDS, sizeof(uint64_t));
	/* Out of memory: abort rather than lose the invariant. */
	if (!e->code[top])
		abort();
	e->code[top][bit / 64] |= 1ull << (bit % 64);
}

static struct engine *engine_of(struct uc_struct *uc)
{
	for (int i = 0; i < MAX_ENGINES; i++)
		if (engines[i] && engines[i]->uc == uc)
			return engines[i];
	return NULL;
}

/* The registered RAM's host address for guest physical `pa`; 0 if none. */
static uintptr_t host_of_pa(const struct engine *e, uint64_t pa)
{
	for (int i = 0; i < e->nr_ram; i++)
		if (pa - e->ram[i].pa < e->ram[i].size)
			return e->ram[i].host + (uintptr_t)(pa - e->ram[i].pa);
	return 0;
}

/* The guest physical address of the engine's page `ram_addr`; -1 if not registered RAM. */
static int64_t pa_of_ram_addr(const struct engine *e, uint64_t ram_addr)
{
	uintptr_t host = (uintptr_t)real_map_ram(e->uc, NULL, ram_addr);

	for (int i = 0; i < e->nr_ram; i++)
		if (host - e->ram[i].host < e->ram[i].size)
			return (int64_t)(e->ram[i].pa + (host - e->ram[i].host));
	return -1;
}

struct page_collection *page_collection_lock_aarch64(struct uc_struct *uc, uint64_t start, uint64_t end)
{
	(void)uc, (void)start, (void)end;
	stats[0]++;
	return NULL;
}

void page_collection_unlock_aarch64(struct page_collection *set)
{
	(void)set;
}

static void note_cpu(struct uc_struct *uc, struct CPUState *cpu)
{
	int free_slot = -1;

	for (int i = 0; i < MAX_ENGINES; i++) {
		if (cpus[i].uc == uc) {
			cpus[i].cpu = cpu;
			return;
		}
		if (!cpus[i].uc && free_slot < 0)
			free_slot = i;
	}
	if (free_slot >= 0) {
		cpus[free_slot].uc = uc;
		cpus[free_slot].cpu = cpu;
	}
}

/* The CPUARMState of `cpu` (CPUState.env_ptr). */
static void *cpu_env(struct CPUState *cpu)
{
	return *(void **)((char *)cpu + CPU_ENV_PTR);
}

static void *env_of(struct uc_struct *uc)
{
	for (int i = 0; i < MAX_ENGINES; i++)
		if (cpus[i].uc == uc && cpus[i].cpu)
			return cpu_env(cpus[i].cpu);
	return NULL;
}

/*
 * The jump cache's second level. An indirect branch (a return, a call
 * through a register) or a jump to another page leaves its translated
 * block through helper_lookup_tb_ptr, which looks the target up in the
 * CPU's jump cache, cpu->tb_jmp_cache: 4096 entries, hashed as 64 pages
 * of 64 (tb_jmp_cache_hash_func), so a page holding more hot blocks than
 * that makes them evict each other. A miss costs tb_htable_lookup: the
 * code page's physical address (get_page_addr_code), a hash and a search
 * of the engine's qht. Busybox's `seq 200000` made 28 M lookups and 5.6 M
 * of them missed (uprobes). libunicorn calls tb_htable_lookup through its
 * PLT, so the definition here answers those misses first from a direct-
 * mapped table of L2_SLOTS blocks per engine, by the block's address, and
 * asks the engine's own only when that fails. It also sees tb_flush, the
 * one way a TranslationBlock's memory is reused (translate-all.c; PLT too),
 * and empties the engine's table there.
 *
 * An entry is used only while its block still matches everything the
 * engine's own comparison (tb_lookup_cmp, given to qht_lookup_custom)
 * checks: the address, cs_base, flags, the trace state, cflags under
 * CF_HASH_MASK | CF_INVALID (an invalidated block has CF_INVALID), and its
 * page's physical address, asked anew each time (a remapped page misses).
 * Blocks that span two pages are not kept. The layout this reads
 * (TranslationBlock: pc 0, cs_base 8, flags 0x10, cflags 0x18,
 * trace_vcpu_dstate 0x1c, page_addr[] 0x48; CPUState.trace_dstate at
 * 0x8188; the mask 0xff0effff) is that comparison's, read from Debian's
 * machine code, and is checked against every block the engine's own lookup
 * returns before it is kept: one disagreement and the level is off for
 * the process. The CPU state it hands get_page_addr_code is found at
 * CPU_ENV_PTR, as the engine's own tb_htable_lookup finds it (its
 * machine code reads the same offset); that one is not checked first.
 */
#define L2_SLOTS (1u << 15)
#define TB_PC 0x00
#define TB_CS_BASE 0x08
#define TB_FLAGS 0x10
#define TB_CFLAGS 0x18
#define TB_TRACE_DSTATE 0x1c
#define TB_PAGE_ADDR 0x48
#define CPU_TRACE_DSTATE 0x8188
#define CF_COMPARED 0xff0effffu /* CF_HASH_MASK | CF_INVALID */

struct jmp_l2 {
	struct uc_struct *uc;
	struct CPUState *cpu;
	uint64_t page_mask;
	const unsigned char *slot[L2_SLOTS];
};
static struct jmp_l2 *l2s[MAX_ENGINES];
static struct jmp_l2 *cur_l2;  /* the running engine's */
static int l2_off;             /* a layout disagreement was seen, or UCONSOLE_JMP_L2=off */

static uint64_t u64_at(const void *p, size_t off) { uint64_t v; memcpy(&v, (const char *)p + off, sizeof v); return v; }
static uint32_t u32_at(const void *p, size_t off) { uint32_t v; memcpy(&v, (const char *)p + off, sizeof v); return v; }

/* The engine's table, made on its first run. */
static struct jmp_l2 *l2_of(struct uc_struct *uc, struct CPUState *cpu)
{
	int free_slot = -1;
	uint32_t page;

	if (l2_off)
		return NULL;
	for (int i = 0; i < MAX_ENGINES; i++) {
		if (l2s[i] && l2s[i]->uc == uc && l2s[i]->cpu == cpu)
			return l2s[i];
		if (!l2s[i] && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0 || real_uc_ctl(uc, UC_CTL_READ(UC_CTL_UC_PAGE_SIZE, 1), &page) != UC_ERR_OK)
		return NULL;
	if (!(l2s[free_slot] = calloc(1, sizeof(struct jmp_l2))))
		return NULL;
	l2s[free_slot]->uc = uc;
	l2s[free_slot]->cpu = cpu;
	l2s[free_slot]->page_mask = ~(uint64_t)(page - 1);
	return l2s[free_slot];
}

static uint32_t l2_index(uint64_t pc)
{
	return (uint32_t)((pc >> 2) ^ (pc >> 17)) & (L2_SLOTS - 1);
}

/* Whether `tb` is the block the engine would find for these (tb_lookup_cmp). */
static int l2_match(const unsigned char *tb, uint64_t pc, uint64_t page, uint64_t cs_base, uint32_t flags,
		    uint32_t dstate, uint32_t cf_mask)
{
	return u64_at(tb, TB_PC) == pc && u64_at(tb, TB_PAGE_ADDR) == page && u64_at(tb, TB_CS_BASE) == cs_base &&
	       u32_at(tb, TB_FLAGS) == flags && u32_at(tb, TB_TRACE_DSTATE) == dstate &&
	       (u32_at(tb, TB_CFLAGS) & CF_COMPARED) == cf_mask && u64_at(tb, TB_PAGE_ADDR + 8) == (uint64_t)-1;
}

void *tb_htable_lookup_aarch64(struct CPUState *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags, uint32_t cf_mask)
{
	struct jmp_l2 *l2 = cur_l2;
	const unsigned char **slot, *tb;
	uint32_t dstate;
	int64_t phys;

	if (!l2 || l2_off || l2->cpu != cpu)
		return real_htable_lookup(cpu, pc, cs_base, flags, cf_mask);
	phys = real_page_addr_code(cpu_env(cpu), pc);
	if (phys == -1)
		return real_htable_lookup(cpu, pc, cs_base, flags, cf_mask);
	dstate = u32_at(cpu, CPU_TRACE_DSTATE);
	slot = &l2->slot[l2_index(pc)];
	if (*slot && l2_match(*slot, pc, (uint64_t)phys & l2->page_mask, cs_base, flags, dstate, cf_mask)) {
		stats[7]++;
		return (void *)*slot;
	}
	stats[8]++;
	tb = real_htable_lookup(cpu, pc, cs_base, flags, cf_mask);
	if (!tb)
		return NULL;
	if (u64_at(tb, TB_PAGE_ADDR + 8) != (uint64_t)-1)
		return (void *)tb; /* two pages: not kept */
	if (!l2_match(tb, pc, (uint64_t)phys & l2->page_mask, cs_base, flags, dstate, cf_mask)) {
		l2_off = 1; /* not the layout read above: off, for good */
		cur_l2 = NULL;
		return (void *)tb;
	}
	*slot = tb;
	return (void *)tb;
}

void tb_flush_aarch64(struct CPUState *cpu)
{
	for (int i = 0; i < MAX_ENGINES; i++)
		if (l2s[i] && l2s[i]->cpu == cpu)
			memset(l2s[i]->slot, 0, sizeof l2s[i]->slot);
	real_tb_flush(cpu);
}

static void l2_forget(struct uc_struct *uc)
{
	for (int i = 0; i < MAX_ENGINES; i++)
		if (l2s[i] && l2s[i]->uc == uc) {
			if (cur_l2 == l2s[i])
				cur_l2 = NULL;
			free(l2s[i]);
			l2s[i] = NULL;
		}
}

int cpu_exec_aarch64(struct uc_struct *uc, struct CPUState *cpu)
{
	struct engine *outer = running;
	int ret;

	struct jmp_l2 *outer_l2 = cur_l2;

	note_cpu(uc, cpu);
	cur_l2 = l2_of(uc, cpu);
	running = engine_of(uc);
	if (running) {
		running->cpu = cpu;
		/* No translated code runs here, so no helper holds a TLB entry. */
		if (running->flush_pending) {
			running->flush_pending = 0;
			real_tlb_flush(cpu);
		}
	}
	ret = real_cpu_exec(uc, cpu);
	running = outer;
	cur_l2 = outer_l2;
	return ret;
}

void tlb_set_page_with_attrs_aarch64(struct CPUState *cpu, uint64_t vaddr, uint64_t paddr, MemTxAttrs attrs,
				     int prot, int mmu_idx, uint64_t size)
{
	uint64_t page = paddr & ~(PAGE_SIZE - 1);

	real_set_page(cpu, vaddr, paddr, attrs, prot, mmu_idx, size);
	if ((prot & PAGE_WRITE) && running && running->cpu == cpu && host_of_pa(running, page) &&
	    !holds_code(running, page)) {
		stats[5]++;
		real_set_dirty(cpu, vaddr);
	}
}

void tlb_protect_code_aarch64(struct uc_struct *uc, uint64_t ram_addr)
{
	struct engine *e = engine_of(uc);
	int64_t pa;

	stats[3]++;
	if (e && (pa = pa_of_ram_addr(e, ram_addr & ~(PAGE_SIZE - 1))) >= 0) {
		mark_code(e, (uint64_t)pa);
		/* Entries made before now may lack TLB_NOTDIRTY: give it back. */
		if (e->cpu)
			real_reset_dirty(e->cpu, host_of_pa(e, (uint64_t)pa), PAGE_SIZE);
	}
	real_protect(uc, ram_addr);
}

void tlb_unprotect_code_aarch64(struct uc_struct *uc, uint64_t ram_addr)
{
	/*
	 * The page's bit stays set. Clearing it here (per engine, or in one
	 * bitmap for all) made Debian's kernel run stale text: 186,706,309
	 * instructions to 0.12 s instead of the stock engine's 184,112,945
	 * (test/linux/boot.test.ts). Why the engine reports a page without
	 * code that still has some is not understood (a guess: a store names
	 * its page by the TLB's section, a block by qemu_ram_addr_from_host;
	 * were they ever different, the store would look at a page descriptor
	 * without the blocks). ucsp_code_changed clears bits instead.
	 */
	stats[4]++;
	real_unprotect(uc, ram_addr);
}

void tb_invalidate_phys_page_fast_aarch64(struct uc_struct *uc, struct page_collection *pages,
					   uint64_t start, int len, uintptr_t retaddr)
{
	struct engine *e = engine_of(uc);
	int64_t pa;

	stats[1]++;
	if (e && (pa = pa_of_ram_addr(e, start)) >= 0 && !holds_code(e, (uint64_t)pa))
		return;
	stats[2]++;
	real_invalidate_fast(uc, pages, start, len, retaddr);
}

int32_t ucsp_abi(void)
{
	return UCSP_ABI;
}

/*
 * Engine `uc` maps guest RAM [pa, pa + size) to host address `host`: 0, or
 * -1 when a table is full or memory ran out (the engine then keeps the
 * engine's own store path there).
 */
int32_t ucsp_add_ram(struct uc_struct *uc, uint64_t pa, uint64_t size, uint64_t host)
{
	struct engine *e = engine_of(uc);

	if (!e) {
		for (int i = 0; i < MAX_ENGINES && !e; i++)
			if (!engines[i])
				e = engines[i] = calloc(1, sizeof(*e));
		if (!e)
			return -1;
		e->uc = uc;
	}
	if (e->nr_ram == MAX_RAM)
		return -1;
	e->ram[e->nr_ram].pa = pa;
	e->ram[e->nr_ram].size = size;
	e->ram[e->nr_ram].host = (uintptr_t)host;
	e->nr_ram++;
	return 0;
}

/*
 * Guest RAM [pa, pa + len) was rewritten from outside the cores, or holds
 * something new: drop engine `uc`'s translated code of it, page by page,
 * as a store into it would (tb_invalidate_phys_range, by the engine's
 * own page numbers, so no translation through the core's MMU is needed),
 * and take the pages out of its bitmap: no block of it is left. 0, or -1
 * when the range is not RAM registered for this engine (the caller then
 * does it the engine's public way).
 */
int32_t ucsp_code_changed(struct uc_struct *uc, uint64_t pa, uint64_t len)
{
	struct engine *e = engine_of(uc);
	uint64_t page;

	if (!e)
		return -1;
	for (page = pa & ~(PAGE_SIZE - 1); page < pa + len; page += PAGE_SIZE)
		if (!host_of_pa(e, page))
			return -1;
	for (page = pa & ~(PAGE_SIZE - 1); page < pa + len; page += PAGE_SIZE) {
		uint64_t ram_addr = real_ram_addr_from_host(uc, (void *)host_of_pa(e, page));

		if (ram_addr == ~0ull)
			return -1;
		real_invalidate_range(uc, ram_addr, ram_addr + PAGE_SIZE);
		/*
		 * The entries that write a page that held code have TLB_NOTDIRTY;
		 * they are made again without it after the flush at the next
		 * cpu_exec (not now: the engine may be inside a hook).
		 */
		if (holds_code(e, page)) {
			clear_code(e, page);
			e->flush_pending = 1;
		}
	}
	return 0;
}

/* Engine `uc` is about to be closed: forget it (its handle may be reused). */
void ucsp_forget(struct uc_struct *uc)
{
	l2_forget(uc);
	for (int i = 0; i < MAX_ENGINES; i++)
		if (cpus[i].uc == uc)
			cpus[i].uc = NULL, cpus[i].cpu = NULL;
	for (int i = 0; i < MAX_ENGINES; i++) {
		struct engine *e = engines[i];

		if (!e || e->uc != uc)
			continue;
		for (uint32_t t = 0; t < (1u << TOP_BITS); t++)
			free(e->code[t]);
		free(e);
		engines[i] = NULL;
	}
}

/* The engine's own functions this file calls, by their exported names. */
static const struct {
	const char *name;
	void **fn; /* POSIX: a function pointer round-trips through dlsym's void * */
} engine_fns[] = {
	{ "tlb_protect_code_aarch64", (void **)&real_protect },
	{ "tlb_unprotect_code_aarch64", (void **)&real_unprotect },
	{ "tb_invalidate_phys_page_fast_aarch64", (void **)&real_invalidate_fast },
	{ "tlb_set_page_with_attrs_aarch64", (void **)&real_set_page },
	{ "cpu_exec_aarch64", (void **)&real_cpu_exec },
	{ "tlb_flush_aarch64", (void **)&real_tlb_flush },
	{ "tlb_set_dirty_aarch64", (void **)&real_set_dirty },
	{ "tlb_reset_dirty_aarch64", (void **)&real_reset_dirty },
	{ "qemu_map_ram_ptr_aarch64", (void **)&real_map_ram },
	{ "qemu_ram_addr_from_host_aarch64", (void **)&real_ram_addr_from_host },
	{ "tb_invalidate_phys_range_aarch64", (void **)&real_invalidate_range },
	{ "arm_rebuild_hflags_aarch64", (void **)&real_rebuild_hflags },
	{ "uc_add_inline_hook_aarch64", (void **)&real_add_inline_hook },
	{ "tcg_temp_new_internal_aarch64", (void **)&tcg_temp_new },
	{ "tcg_temp_free_internal_aarch64", (void **)&tcg_temp_free },
	{ "tcg_const_i64_aarch64", (void **)&tcg_const_i64 },
	{ "tcg_const_i32_aarch64", (void **)&tcg_const_i32 },
	{ "tcg_gen_op1_aarch64", (void **)&tcg_op1 },
	{ "tcg_gen_op3_aarch64", (void **)&tcg_op3 },
	{ "tcg_gen_extu_i32_i64_aarch64", (void **)&tcg_extu_i32_i64 },
	{ "tcg_gen_shri_i64_aarch64", (void **)&tcg_shri_i64 },
	{ "tcg_gen_brcondi_i64_aarch64", (void **)&tcg_brcondi_i64 },
	{ "gen_new_label_aarch64", (void **)&tcg_new_label },
	{ "tb_htable_lookup_aarch64", (void **)&real_htable_lookup },
	{ "get_page_addr_code_aarch64", (void **)&real_page_addr_code },
	{ "tb_flush_aarch64", (void **)&real_tb_flush },
	{ "uc_ctl", (void **)&real_uc_ctl },
	{ "tcg_gen_qemu_st_i32_aarch64", (void **)&real_qemu_st_i32 },
	{ "tcg_gen_qemu_st_i64_aarch64", (void **)&real_qemu_st_i64 },
};

/*
 * Find the engine's own functions (libunicorn must be loaded): 0, or -1
 * when one is missing (another Unicorn build; the caller must then not use
 * the engine, as its calls would reach NULL pointers here).
 */
int32_t ucsp_bind(const char *libunicorn)
{
	void *h = dlopen(libunicorn, RTLD_NOW | RTLD_NOLOAD);
	int missing = 0;

	if (!h)
		return -1;
	for (size_t i = 0; i < sizeof engine_fns / sizeof engine_fns[0]; i++)
		if (!(*engine_fns[i].fn = dlsym(h, engine_fns[i].name)))
			missing = 1;
	dlclose(h);
	if (missing)
		return -1;
	/* dlsym on the handle must give the engine's own, not ours. */
	if (real_add_inline_hook == uc_add_inline_hook_aarch64 || tcg_const_i64 == tcg_const_i64_aarch64 ||
	    real_protect == tlb_protect_code_aarch64 || real_invalidate_fast == tb_invalidate_phys_page_fast_aarch64 ||
	    real_set_page == tlb_set_page_with_attrs_aarch64 || real_cpu_exec == cpu_exec_aarch64 ||
	    real_htable_lookup == tb_htable_lookup_aarch64 || real_tb_flush == tb_flush_aarch64 ||
	    real_qemu_st_i32 == tcg_gen_qemu_st_i32_aarch64 || real_qemu_st_i64 == tcg_gen_qemu_st_i64_aarch64)
		return -1;
	l2_off = getenv("UCONSOLE_JMP_L2") && strcmp(getenv("UCONSOLE_JMP_L2"), "off") == 0;
	return 0;
}

/* Copy the counters (see stats above) into out[0..NR_STATS). */
void ucsp_stats(uint64_t *out)
{
	for (int i = 0; i < NR_STATS; i++)
		out[i] = stats[i];
}

/* Unicorn 2.0.1's struct uc_context (uc_priv.h): the saved CPUARMState follows a small header. */
struct uc_context_head {
	size_t context_size;
	int mode;
	int arch;
	char data[];
};

/*
 * Whether the CPUARMState found through CPU_ENV_PTR is engine `uc`'s:
 * 0 when it equals `ctx`, a snapshot the caller saved just before; -1 when
 * the engine never ran (its CPU is not known yet), -2 when they differ.
 */
int32_t ucsp_env_check(struct uc_struct *uc, const struct uc_context_head *ctx)
{
	void *env = env_of(uc);

	if (!env)
		return -1;
	return ctx->context_size && memcmp(env, ctx->data, ctx->context_size) == 0 ? 0 : -2;
}

/* Rebuild engine `uc`'s cached hflags from its registers (after ucsp_env_check said yes): 0, or -1. */
int32_t ucsp_rebuild_hflags(struct uc_struct *uc)
{
	void *env = env_of(uc);

	if (!env || !real_rebuild_hflags)
		return -1;
	real_rebuild_hflags(env);
	return 0;
}

/*
 * The block counter inline. The slices' block hook (on_block in
 * uc_slice.c) is the engine's only block hook, so Unicorn emits it as an
 * inline helper call at the start of every translated block: the
 * translator (translator_loop, gen_uc_tracecode inlined there) makes
 * constant temps of the engine, the block's address, a placeholder for
 * the block's size (patched once the block is translated) and the hook's
 * user data, with tcg_const_i32/i64, and calls uc->add_inline_hook. Both
 * are bound through libunicorn's GOT and PLT, so the definitions here are
 * the ones it calls. A call per block costs more than the counting: on a
 * warm busybox shell loop, a hook that only returns took 1,146 ms, the
 * real one 1,182 and no hook at all 900. So for on_block this file emits
 * the counting as TCG ops, and the call only where on_block leaves its
 * fast path:
 *
 *     t = left; left = t - (size >> 2);     (size: the placeholder's temp)
 *     if (t > 0) goto done;
 *     after_inline(uc, address, 0, s);      (a new call, of new constants)
 *   done:
 *
 * `left` is the first word of the user data (struct ucs), and the
 * arithmetic is on_block's. Ordinary TCG temps do not live across a
 * branch, so the call after it is made of constants created there: the
 * engine and the user data are known here, the block's address is the
 * constant tcg_const_i64 was last given before them (tcg_const_i64_aarch64
 * below watches), and the size is not a constant yet: on_block_after_inline
 * looks the running block up (uc_ctl_request_cache) for it, puts the count
 * back and runs on_block's slow path. That happens once per slice, or in
 * every block while the unmask watch is armed.
 *
 * What this relies on in Debian's 2.0.1, each read from its machine code:
 * struct hook's callback at +0x28 and user data at +0x30, uc->tcg_ctx at
 * +0x2c0 (uc_add_inline_hook and translator_loop read them there), a TCGv
 * being a TCGTemp's offset from the TCGContext, a label's `present` bit
 * in its first byte (gen_tb_end), TCG_TYPE_I64 1 and TCG_COND_GT 11 (LT is
 * 2 in gen_tb_start), and QEMU 5.0's opcode numbers (tcg/tcg-opc.h):
 * set_label 1 and ld_i32 13 (gen_tb_start, gen_tb_end), mov_i64 63
 * (tcg_gen_subi_i64), add_i64 78 (tcg_gen_add_i64), hence ld_i64 73,
 * st_i64 77 and sub_i64 79 in the list between them. Checked at run time:
 * the hook's callback must be on_block, the last three constants must be
 * the engine, an address and the user data, and the argument temps must
 * lie inside the TCGContext found; anything else gets the call. Checked by
 * the tests: Debian's kernel booted with and without this file
 * (UCONSOLE_STORE_PATH=off) executes the same instructions with the same
 * log, and the slices equal the code-hook mode's (whose block hook is not
 * inlined) at budgets of 1 to 17 instructions. UCONSOLE_INLINE_COUNT=off
 * keeps the call per block, to measure the difference.
 */
#define HOOK_CALLBACK 0x28
#define HOOK_USER_DATA 0x30
#define UC_TCG_CTX 0x2c0
#define TCG_CONTEXT_MAX 0x100000 /* a TCGContext is well under 1 MB (about 48 KB here) */
enum { TYPE_I64 = 1, COND_GT = 11 };
enum { OP_SET_LABEL = 1, OP_LD_I64 = 73, OP_ST_I64 = 77, OP_SUB_I64 = 79 };

static void *counted_fn, *after_inline_fn;

/* Inline on_block from now on (both NULL: stop). */
void ucsp_inline_block_hook(void *counted, void *after_inline)
{
	counted_fn = counted;
	after_inline_fn = after_inline;
}

/*
 * The translator makes the block hook's arguments with tcg_const_i64 (the
 * engine, the block's address, then the user data) just before it calls
 * add_inline_hook; libunicorn calls it through its PLT, so this sees them.
 */
static int64_t last_const[3];

uintptr_t tcg_const_i64_aarch64(void *s, int64_t v)
{
	last_const[0] = last_const[1];
	last_const[1] = last_const[2];
	last_const[2] = v;
	return tcg_const_i64(s, v);
}

static void *field(void *base, size_t off)
{
	void *v;

	memcpy(&v, (char *)base + off, sizeof v);
	return v;
}

/* A TCGTemp as a TCGv (its offset from the context), and back as an op argument. */
static uintptr_t tcgv(void *s, void *temp) { return (uintptr_t)temp - (uintptr_t)s; }
static uintptr_t arg(void *s, uintptr_t v) { return (uintptr_t)s + v; }

static void emit_inline_count(struct uc_struct *uc, void *hk, void **args)
{
	void *s = field(uc, UC_TCG_CTX);
	void *user = field(hk, HOOK_USER_DATA);
	int64_t pc = last_const[1];
	void *sz = tcg_temp_new(s, TYPE_I64, 0);
	void *t = tcg_temp_new(s, TYPE_I64, 0);
	void *t2 = tcg_temp_new(s, TYPE_I64, 0);
	uintptr_t base = tcg_const_i64(s, (int64_t)(uintptr_t)user);

	tcg_extu_i32_i64(s, tcgv(s, sz), tcgv(s, args[2]));
	tcg_shri_i64(s, tcgv(s, sz), tcgv(s, sz), 2);
	tcg_op3(s, OP_LD_I64, (uintptr_t)t, arg(s, base), 0);
	tcg_op3(s, OP_SUB_I64, (uintptr_t)t2, (uintptr_t)t, (uintptr_t)sz);
	tcg_op3(s, OP_ST_I64, (uintptr_t)t2, arg(s, base), 0);
	void *done = tcg_new_label(s);
	tcg_brcondi_i64(s, COND_GT, tcgv(s, t), 0, done);

	/* The slow half: the engine's own inline call, to after_inline, with constants made here. */
	void *call_args[4] = {
		(void *)arg(s, tcg_const_i64(s, (int64_t)(uintptr_t)uc)),
		(void *)arg(s, tcg_const_i64(s, pc)),
		(void *)arg(s, tcg_const_i32(s, 0)), /* the size: on_block_after_inline looks it up */
		(void *)arg(s, tcg_const_i64(s, (int64_t)(uintptr_t)user)),
	};
	void *was;
	memcpy(&was, (char *)hk + HOOK_CALLBACK, sizeof was);
	memcpy((char *)hk + HOOK_CALLBACK, &after_inline_fn, sizeof after_inline_fn);
	real_add_inline_hook(uc, hk, call_args, 4);
	memcpy((char *)hk + HOOK_CALLBACK, &was, sizeof was);
	for (int i = 0; i < 4; i++)
		tcg_temp_free(s, call_args[i]);

	*(unsigned char *)done |= 1; /* gen_set_label: label->present */
	tcg_op1(s, OP_SET_LABEL, (uintptr_t)done);
	tcg_temp_free(s, sz);
	tcg_temp_free(s, t);
	tcg_temp_free(s, t2);
	tcg_temp_free(s, (void *)arg(s, base));
	stats[6]++;
}

/* Whether this is the translator's block hook call as read above: its constants, its temps in the context. */
static int translating_block_hook(struct uc_struct *uc, void *hk, void **args)
{
	uintptr_t s = (uintptr_t)field(uc, UC_TCG_CTX);

	if (last_const[0] != (int64_t)(uintptr_t)uc || last_const[2] != (int64_t)(uintptr_t)field(hk, HOOK_USER_DATA))
		return 0;
	for (int i = 0; i < 4; i++)
		if ((uintptr_t)args[i] <= s || (uintptr_t)args[i] - s >= TCG_CONTEXT_MAX)
			return 0;
	return 1;
}

void uc_add_inline_hook_aarch64(struct uc_struct *uc, void *hk, void **args, int nargs)
{
	if (counted_fn && nargs == 4 && field(hk, HOOK_CALLBACK) == counted_fn && translating_block_hook(uc, hk, args))
		emit_inline_count(uc, hk, args);
	else
		real_add_inline_hook(uc, hk, args, nargs);
}

/*
 * Stores keep their exit check. Where the deterministic slices turn off
 * Unicorn's exit check after every load and store (uc->no_exit_request,
 * uc_slice.c 7.), a store still needs it: 2.0.1's store_helper meets a
 * store to unmapped memory whose hook declines it, or to write-protected
 * memory, by recording the error and asking for an exit, and returns
 * into the block, which would run on (later stores, an svc) before the
 * engine stopped. A load in that case leaves the block at once
 * (cpu_loop_exit), so loads do without. The translator emits each guest
 * store through tcg_gen_qemu_st_i32/i64, through libunicorn's PLT; here
 * the flag is cleared around the engine's own, so the check it ends with
 * is emitted. The flag's place (uc_struct) and the TCGContext's pointer
 * to its engine come from uc_slice.c (ucsp_exit_flag_at), which reads
 * them from check_exit_request's machine code; until then, and where it
 * could not, stores are translated as the engine does.
 */
static long exit_flag_at = -1, tcg_uc_at_sp = -1;

/* Where uc->no_exit_request and TCGContext.uc are (uc_slice.c's finding). */
void ucsp_exit_flag_at(int64_t tcg_uc_at, int64_t flag_at)
{
	tcg_uc_at_sp = (long)tcg_uc_at;
	exit_flag_at = (long)flag_at;
}

static unsigned char *exit_flag_of(void *s)
{
	void *uc;

	if (exit_flag_at < 0 || tcg_uc_at_sp < 0)
		return NULL;
	memcpy(&uc, (char *)s + tcg_uc_at_sp, sizeof uc);
	return uc ? (unsigned char *)uc + exit_flag_at : NULL;
}

/* The engine's own translation of a store, with the exit check after it. */
static void translate_checked_store(qemu_st_fn real, void *s, uintptr_t val, uintptr_t addr, uintptr_t idx, int memop)
{
	unsigned char *flag = exit_flag_of(s), was = flag ? *flag : 0;

	if (flag)
		*flag = 0;
	real(s, val, addr, idx, memop);
	if (flag)
		*flag = was;
}

void tcg_gen_qemu_st_i32_aarch64(void *s, uintptr_t val, uintptr_t addr, uintptr_t idx, int memop)
{
	translate_checked_store(real_qemu_st_i32, s, val, addr, idx, memop);
}

void tcg_gen_qemu_st_i64_aarch64(void *s, uintptr_t val, uintptr_t addr, uintptr_t idx, int memop)
{
	translate_checked_store(real_qemu_st_i64, s, val, addr, idx, memop);
}
