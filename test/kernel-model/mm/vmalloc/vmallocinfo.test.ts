// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { VM_ALLOC, VM_IOREMAP, VM_MAP, VM_USERMAP, vmallocinfo, vmallocinfo_line } from '../../../../kernel-model/mm/vmalloc/vmallocinfo';

describe('/proc/vmallocinfo lines', () => {
  it('a vmalloc area: range, size with the guard page, caller, pages, flags', () => {
    expect(
      vmallocinfo_line({ kind: 'vm_struct', addr: 0xffffffc010a00000n, size: 0x5000n, caller: 'fix_size_alloc_test+0x20/0x80', nr_pages: 4, flags: VM_ALLOC }),
    ).toBe('0xffffffc010a00000-0xffffffc010a05000   20480 fix_size_alloc_test+0x20/0x80 pages=4 vmalloc');
  });

  it('an ioremap area prints phys as %pa; several flags in Linux\'s order; vpages last', () => {
    expect(vmallocinfo_line({ kind: 'vm_struct', addr: 0xffffffc011000000n, size: 0x2000n, phys_addr: 0xfe201000, flags: VM_IOREMAP })).toBe(
      '0xffffffc011000000-0xffffffc011002000    8192 phys=0x00000000fe201000 ioremap',
    );
    expect(vmallocinfo_line({ kind: 'vm_struct', addr: 0x1000n, size: 0x401000n, nr_pages: 1024, flags: VM_USERMAP | VM_ALLOC | VM_MAP, vpages: true })).toBe(
      '0x0000000000001000-0x0000000000402000 4198400 pages=1024 vmalloc vmap user vpages',
    );
  });

  it('areas without a vm_struct: vm_map_ram and unpurged', () => {
    expect(
      vmallocinfo([
        { kind: 'vm_map_ram', va_start: 0xffffffc012000000n, va_end: 0xffffffc012004000n },
        { kind: 'unpurged', va_start: 0xffffffc012004000n, va_end: 0xffffffc012006000n },
      ]),
    ).toBe(
      '0xffffffc012000000-0xffffffc012004000   16384 vm_map_ram\n' + '0xffffffc012004000-0xffffffc012006000    8192 unpurged vm_area\n',
    );
  });

  it('a size wider than %7ld pushes the field out, as printf does', () => {
    expect(vmallocinfo_line({ kind: 'vm_struct', addr: 0n, size: 1n << 30n, flags: 0 })).toBe('0x0000000000000000-0x0000000040000000 1073741824');
  });
});
