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
 * library defines four of those symbols and is loaded with RTLD_GLOBAL
 * before libunicorn (emulator/unicorn/binding.ts), so the engine calls:
 *
 * - page_collection_lock/unlock: nothing. Unicorn's page locks are no-ops
 *   (a single-threaded engine), the collection is only ever handed back to
 *   page_collection_unlock (translate-all.c: tb_invalidate_phys_range,
 *   tb_invalidate_phys_page_range, tb_invalidate_phys_page_range__locked),
 *   so a NULL collection is what upstream's fix amounts to.
 * - tlb_protect_code: records the physical page in `code_pages`, then does
 *   what the engine's own does. tb_link_page calls it when a page gets its
 *   first translated block.
 * - tlb_unprotect_code: leaves the page's bit set (one bitmap serves
 *   every engine of the process, one per core, and this engine having no
 *   block left in the page says nothing of the others'), then does what
 *   the engine's own does.
 * - tb_invalidate_phys_page_fast: returns at once for a page whose bit is
 *   clear, else calls the engine's own. That skips page_find for the
 *   stores to pages without code, which are nearly all of them.
 *
 * Invariant: every physical page that holds a translated block has its bit
 * set in `code_pages`, in every engine (a page gets a block only through
 * tb_link_page, which calls tlb_protect_code when the page had none; no
 * bit is ever cleared). A bit may be set for a page without blocks (after
 * a TB flush or a remove_cache, or once the blocks are gone); that costs
 * only the engine's own check. So
 * a guest store into code still invalidates it, as before.
 *
 * ucsp_bind() must be called once libunicorn is loaded: it finds the
 * engine's own definitions (dlsym on its handle, which searches the
 * library before the global scope). ucsp_stats() says how often each path
 * ran, so a test can see that the engine really calls this file.
 *
 * The bitmap covers ram_addr_t offsets below 2^44 (16 TB: the RAM and the
 * 512 GB shadow regions of a board); a page above that is treated as
 * holding code (the engine's own check runs).
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>

#define UCSP_ABI 1

#define PAGE_SHIFT 12
#define LEAF_SHIFT 15                     /* pages per leaf: 32768 (a 4 KB bitmap) */
#define TOP_BITS (44 - PAGE_SHIFT - LEAF_SHIFT)
#define LEAF_WORDS ((1u << LEAF_SHIFT) / 64)

struct uc_struct;
struct page_collection;

typedef void (*protect_fn)(struct uc_struct *, uint64_t);
typedef void (*invalidate_fast_fn)(struct uc_struct *, struct page_collection *, uint64_t, int, uintptr_t);

static protect_fn real_protect, real_unprotect;
static invalidate_fast_fn real_invalidate_fast;

/* code_pages[top][word]: a two-level bitmap of physical pages that may hold code. */
static uint64_t *code_pages[1u << TOP_BITS];

/* 0: page_collection_lock, 1: invalidate_fast calls, 2: of them passed on, 3: protect, 4: unprotect */
static uint64_t stats[5];

static int page_index(uint64_t ram_addr, uint32_t *top, uint32_t *bit)
{
	uint64_t pfn = ram_addr >> PAGE_SHIFT;

	if (pfn >> (LEAF_SHIFT + TOP_BITS))
		return -1;
	*top = (uint32_t)(pfn >> LEAF_SHIFT);
	*bit = (uint32_t)(pfn & ((1u << LEAF_SHIFT) - 1));
	return 0;
}

static int may_hold_code(uint64_t ram_addr)
{
	uint32_t top, bit;
	const uint64_t *leaf;

	if (page_index(ram_addr, &top, &bit))
		return 1;
	leaf = code_pages[top];
	return leaf && (leaf[bit / 64] >> (bit % 64) & 1);
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

void tlb_protect_code_aarch64(struct uc_struct *uc, uint64_t ram_addr)
{
	uint32_t top, bit;

	stats[3]++;
	if (page_index(ram_addr, &top, &bit) == 0) {
		if (!code_pages[top])
			code_pages[top] = calloc(LEAF_WORDS, sizeof(uint64_t));
		/* Out of memory: abort rather than lose the invariant. */
		if (!code_pages[top])
			abort();
		code_pages[top][bit / 64] |= 1ull << (bit % 64);
	}
	real_protect(uc, ram_addr);
}

void tlb_unprotect_code_aarch64(struct uc_struct *uc, uint64_t ram_addr)
{
	uint32_t top, bit;

	/*
	 * The bit stays set: code_pages is one per process, and every core is
	 * an engine of its own, so this engine having no block left in the page
	 * says nothing of the others'. Clearing it let another core's stores
	 * into its own code skip the invalidation (Debian's kernel ran stale
	 * text: 186,706,309 instructions to 0.12 s instead of 184,112,945).
	 * A page that held code once keeps taking the engine's own check.
	 */
	(void)top;
	(void)bit;
	stats[4]++;
	real_unprotect(uc, ram_addr);
}

void tb_invalidate_phys_page_fast_aarch64(struct uc_struct *uc, struct page_collection *pages,
					   uint64_t start, int len, uintptr_t retaddr)
{
	stats[1]++;
	if (!may_hold_code(start))
		return;
	stats[2]++;
	real_invalidate_fast(uc, pages, start, len, retaddr);
}

int32_t ucsp_abi(void)
{
	return UCSP_ABI;
}

/*
 * Find the engine's own functions (libunicorn must be loaded): 0, or -1
 * when one is missing (another Unicorn build; the caller must then not use
 * the engine, as its calls would reach NULL pointers here).
 */
int32_t ucsp_bind(const char *libunicorn)
{
	void *h = dlopen(libunicorn, RTLD_NOW | RTLD_NOLOAD);

	if (!h)
		return -1;
	real_protect = (protect_fn)dlsym(h, "tlb_protect_code_aarch64");
	real_unprotect = (protect_fn)dlsym(h, "tlb_unprotect_code_aarch64");
	real_invalidate_fast = (invalidate_fast_fn)dlsym(h, "tb_invalidate_phys_page_fast_aarch64");
	dlclose(h);
	if (!real_protect || !real_unprotect || !real_invalidate_fast)
		return -1;
	/* dlsym on the handle must give the engine's own, not ours. */
	if (real_protect == tlb_protect_code_aarch64 || real_invalidate_fast == tb_invalidate_phys_page_fast_aarch64)
		return -1;
	return 0;
}

/* Copy the counters (see stats above) into out[0..4]. */
void ucsp_stats(uint64_t *out)
{
	for (int i = 0; i < 5; i++)
		out[i] = stats[i];
}
