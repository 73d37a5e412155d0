// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GuestRam } from '../../../emulator/memory/guest-ram';
import { MmStruct, PAGE, VM_EXEC, VM_READ, VM_SHARED, VM_WRITE, VmArea, type MmHost } from '../../../kernel-model/mm/mmap';
import { NaiveAddressSpace, check_mm } from '../../../kernel-model/mm/mmap_check';
import { handle_mm_fault } from '../../../kernel-model/mm/memory';
import { checkModel } from '../../helpers/model-check';
import { fill_page, PageCache } from '../../../kernel-model/mm/filemap';

/** A host over a small RAM: a free list of pages, and counts to catch leaks. */
class FakeHost implements MmHost {
  readonly ram = GuestRam.fromArrayBuffers(8 << 20);
  private readonly free: number[] = [];
  userPages = 0;
  tables = 0;
  flushes = 0;
  failNext = false;
  constructor() {
    for (let pa = (8 << 20) - 4096; pa >= 0; pa -= 4096) this.free.push(pa);
  }
  readonly refs = new Map<number, number>();
  getUserPage(pa: number): void {
    this.refs.set(pa, this.refs.get(pa)! + 1);
  }
  userPageCount(pa: number): number {
    return this.refs.get(pa) ?? 0;
  }
  private take(): number | null {
    if (this.failNext) {
      this.failNext = false;
      return null;
    }
    return this.free.pop() ?? null;
  }
  allocUserPage(): number | null {
    const pa = this.take();
    if (pa !== null) {
      this.userPages++;
      this.refs.set(pa, 1);
      this.ram.fill(pa, 4096, 0);
    }
    return pa;
  }
  freeUserPage(pa: number): void {
    const n = this.refs.get(pa)! - 1;
    if (n > 0) return void this.refs.set(pa, n);
    this.refs.delete(pa);
    this.userPages--;
    this.free.push(pa);
  }
  allocTable(): number | null {
    const pa = this.take();
    if (pa !== null) this.tables++;
    return pa;
  }
  freeTable(pa: number): void {
    this.tables--;
    this.free.push(pa);
  }
  flushTlbMm(): void {
    this.flushes++;
  }
  codeChanged(): void {}
  readonly cache = new PageCache();
  filemapPage(file: Uint8Array, index: number): number | null {
    let pa = this.cache.find_page(file, index);
    if (pa === undefined) {
      const page = this.allocUserPage();
      if (page === null) return null;
      fill_page(this.ram.bytes(page, 4096), file, index);
      this.cache.add_page(file, index, (pa = page));
    }
    this.getUserPage(pa);
    return pa;
  }
}

const BASE = 0x1000_0000n;
const span = (lo: number, n: number): [bigint, bigint] => [BASE + BigInt(lo) * PAGE, BASE + BigInt(lo + n) * PAGE];
const FLAGS = [VM_READ, VM_READ | VM_WRITE, VM_READ | VM_EXEC, 0];

type Cmd =
  | { op: 'map'; lo: number; n: number; flags: number }
  | { op: 'unmap'; lo: number; n: number }
  | { op: 'protect'; lo: number; n: number; flags: number }
  | { op: 'touch'; page: number; access: 'read' | 'write' | 'exec' }
  | { op: 'discard'; lo: number; n: number };

interface Sys {
  host: FakeHost;
  mm: MmStruct;
  oracle: NaiveAddressSpace;
}

const range = { lo: fc.integer({ min: 0, max: 60 }), n: fc.integer({ min: 1, max: 8 }) };
const command: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constant('map' as const), ...range, flags: fc.constantFrom(...FLAGS) }),
  fc.record({ op: fc.constant('unmap' as const), ...range }),
  fc.record({ op: fc.constant('protect' as const), ...range, flags: fc.constantFrom(...FLAGS) }),
  fc.record({ op: fc.constant('touch' as const), page: fc.integer({ min: 0, max: 68 }), access: fc.constantFrom('read' as const, 'write' as const, 'exec' as const) }),
  fc.record({ op: fc.constant('discard' as const), ...range }),
);

const NEEDS = { read: VM_READ, write: VM_WRITE, exec: VM_EXEC };

describe('the address space (mm/mmap.ts) against a page-by-page oracle', () => {
  it('random map, unmap, protect, touch and discard keep areas, ptes and rss right', () => {
    checkModel<Sys, Cmd>(
      {
        setup: () => {
          const host = new FakeHost();
          return { host, mm: new MmStruct(host, 1, host.allocTable()!), oracle: new NaiveAddressSpace() };
        },
        command,
        step: ({ mm, oracle }, c) => {
          if (c.op === 'map') {
            const [s, e] = span(c.lo, c.n);
            if (!oracle.free(s, e)) return; // MAP_FIXED_NOREPLACE semantics: only into holes
            mm.insert_vma(new VmArea(s, e, c.flags));
            oracle.map(s, e, c.flags);
          } else if (c.op === 'unmap') {
            const [s, e] = span(c.lo, c.n);
            mm.munmap(s, e - s);
            oracle.unmap(s, e);
          } else if (c.op === 'protect') {
            const [s, e] = span(c.lo, c.n);
            const set = (): number => c.flags;
            mm.mprotect(s, e, set);
            oracle.protect(s, e, set);
          } else if (c.op === 'discard') {
            const [s, e] = span(c.lo, c.n);
            mm.discard(s, e);
          } else {
            const va = BASE + BigInt(c.page) * PAGE + 8n;
            const f = oracle.pages.get(va - 8n);
            const want = f === undefined ? 'maperr' : f & NEEDS[c.access] ? 'ok' : 'accerr';
            expect(handle_mm_fault(mm, va, c.access)).toBe(want);
          }
        },
        check: ({ mm, oracle }) => [...check_mm(mm), ...oracle.compare(mm)],
        teardown: ({ mm, host, oracle }) => {
          mm.exit_mmap();
          oracle.pages.clear();
          expect(host.userPages).toBe(0);
          expect(host.tables).toBe(0);
        },
      },
      { numRuns: 150, maxLength: 60, seed: 12 },
    );
  });

  it('fork: private pages shared copy-on-write until either side writes; shared areas stay shared; nothing leaks', () => {
    const host = new FakeHost();
    const parent = new MmStruct(host, 1, host.allocTable()!);
    const [s, e] = span(0, 4);
    const [ss, se] = span(10, 1);
    parent.insert_vma(new VmArea(s, e, VM_READ | VM_WRITE));
    parent.insert_vma(new VmArea(ss, se, VM_READ | VM_WRITE | VM_SHARED));
    const put = (mm: MmStruct, va: bigint, v: number): void => {
      expect(handle_mm_fault(mm, va, 'write')).toBe('ok');
      host.ram.setU8(mm.lookup(va)!.pa, v);
    };
    const get = (mm: MmStruct, va: bigint): number => host.ram.u8(mm.lookup(va)!.pa);
    put(parent, s, 1);
    put(parent, s + PAGE, 2);
    put(parent, ss, 3);
    const child = new MmStruct(host, 2, host.allocTable()!);
    expect(parent.dup_mmap(child)).toBe(true);
    expect(host.userPages).toBe(3); // nothing copied yet
    expect(parent.lookup(s)!.writable).toBe(false);
    expect(child.lookup(s)!.pa).toBe(parent.lookup(s)!.pa);
    put(child, s, 10); // the child gets its own copy
    expect([get(parent, s), get(child, s)]).toEqual([1, 10]);
    expect(host.userPages).toBe(4);
    put(parent, s, 5); // the parent is now the only user of the original: no copy
    expect(host.userPages).toBe(4);
    put(child, ss, 7); // shared memory: both see it
    expect(get(parent, ss)).toBe(7);
    expect([get(parent, s + PAGE), get(child, s + PAGE)]).toEqual([2, 2]);
    expect([...check_mm(parent), ...check_mm(child)]).toEqual([]);
    child.exit_mmap();
    parent.exit_mmap();
    expect([host.userPages, host.tables]).toEqual([0, 0]);
  });

  it('read-only file pages come from the page cache, shared by every mapping; a writable mapping or a write copies', () => {
    const host = new FakeHost();
    const file = new Uint8Array(3 * 4096 + 100).map((_, i) => (i * 7) & 0xff);
    const [s, e] = span(0, 4); // the file's 3 pages and 100 bytes: four pages, the last one partly the file's
    const text = (): VmArea => new VmArea(s, e, VM_READ | VM_EXEC, 'prog', [{ bytes: file, va: s, file, offset: 0 }]);
    const a = new MmStruct(host, 1, host.allocTable()!);
    const b = new MmStruct(host, 2, host.allocTable()!);
    a.insert_vma(text());
    b.insert_vma(text());
    for (const mm of [a, b]) for (let va = s; va < e; va += PAGE) expect(handle_mm_fault(mm, va, 'read')).toBe('ok');
    for (let va = s; va < e; va += PAGE) expect(b.lookup(va)!.pa).toBe(a.lookup(va)!.pa);
    expect(host.userPages).toBe(4); // one cached copy of each page
    const last = a.lookup(s + 3n * PAGE)!.pa;
    expect([host.ram.u8(last + 99), host.ram.u8(last + 100)]).toEqual([file[3 * 4096 + 99], 0]);
    expect(host.userPageCount(last)).toBe(3); // the cache's reference and the two mappings'
    // A writable private mapping of the same file gets copies of its own.
    const c = new MmStruct(host, 3, host.allocTable()!);
    c.insert_vma(new VmArea(s, e, VM_READ | VM_WRITE, 'data', [{ bytes: file, va: s, file, offset: 0 }]));
    expect(handle_mm_fault(c, s, 'write')).toBe('ok');
    expect(c.lookup(s)!.pa).not.toBe(a.lookup(s)!.pa);
    expect(host.ram.u8(c.lookup(s)!.pa + 5)).toBe(file[5]);
    // mprotect to writable, then a write: a copy, the cached page unchanged.
    a.mprotect(s, s + PAGE, () => VM_READ | VM_WRITE);
    expect(handle_mm_fault(a, s, 'write')).toBe('ok');
    expect(a.lookup(s)!.pa).not.toBe(b.lookup(s)!.pa);
    expect(host.ram.u8(b.lookup(s)!.pa + 1)).toBe(file[1]);
    expect([...check_mm(a), ...check_mm(b), ...check_mm(c)]).toEqual([]);
    for (const mm of [a, b, c]) mm.exit_mmap();
    // What is left is the cache's: its four pages, one reference each.
    expect([host.userPages, host.tables, host.cache.nr_pages]).toEqual([4, 0, 4]);
  });

  it('areas that become alike again merge; mprotect of part of an area splits it in three', () => {
    const host = new FakeHost();
    const mm = new MmStruct(host, 1, host.allocTable()!);
    const [s, e] = span(0, 10);
    mm.insert_vma(new VmArea(s, e, VM_READ | VM_WRITE));
    mm.mprotect(s + 3n * PAGE, s + 5n * PAGE, () => VM_READ);
    expect(mm.vmas.map((v) => [Number((v.start - s) / PAGE), Number((v.end - s) / PAGE), v.flags])).toEqual([[0, 3, 3], [3, 5, 1], [5, 10, 3]]);
    mm.mprotect(s + 3n * PAGE, s + 5n * PAGE, () => VM_READ | VM_WRITE);
    expect(mm.vmas).toHaveLength(1);
    expect(check_mm(mm)).toEqual([]);
  });

  it('get_unmapped_area hands out the highest hole below mmap_base, and honours a free hint', () => {
    const host = new FakeHost();
    const mm = new MmStruct(host, 1, host.allocTable()!);
    const a = mm.get_unmapped_area(4n * PAGE)!;
    expect(a).toBe(mm.mmap_base - 4n * PAGE);
    mm.insert_vma(new VmArea(a, a + 4n * PAGE, VM_READ));
    expect(mm.get_unmapped_area(PAGE)).toBe(a - PAGE);
    expect(mm.get_unmapped_area(PAGE, BASE)).toBe(BASE);
    mm.insert_vma(new VmArea(BASE, BASE + PAGE, VM_READ));
    expect(mm.get_unmapped_area(PAGE, BASE)).toBe(a - PAGE); // the hint is taken: the top-down search instead
  });

  it('a page or table that cannot be allocated makes the fault fail cleanly (VM_FAULT_OOM), with nothing leaked', () => {
    const host = new FakeHost();
    const mm = new MmStruct(host, 1, host.allocTable()!);
    const [s, e] = span(0, 4);
    mm.insert_vma(new VmArea(s, e, VM_READ | VM_WRITE));
    host.failNext = true; // the first table on the way down
    expect(handle_mm_fault(mm, s, 'write')).toBe('oom');
    expect(check_mm(mm)).toEqual([]);
    expect(handle_mm_fault(mm, s, 'write')).toBe('ok');
    host.failNext = true; // the page itself
    expect(handle_mm_fault(mm, s + PAGE, 'write')).toBe('oom');
    expect(mm.rss).toBe(1);
    mm.exit_mmap();
    expect([host.userPages, host.tables]).toEqual([0, 0]);
  });
});
