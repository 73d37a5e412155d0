import { describe, expect, it } from 'vitest';
import { vmem_create, vmem_xalloc, VM_BESTFIT, VM_NOSLEEP } from '../../../../kernel-model/kern/vmem/subr_vmem';
import { vmem_check } from '../../../../kernel-model/kern/vmem/vmem_check';
import { Bt, BT_TYPE_FREE, bt_insfree, bt_insseg, bt_rembusy, bt_remfree, vmem_segments } from '../../../../kernel-model/kern/vmem/vmem_impl';

const NSB = VM_NOSLEEP | VM_BESTFIT;

/** An arena with busy 0+64, free 64+192 (one span 0+256). */
function arena() {
  const vm = vmem_create({ name: 'chk', base: 0, size: 256, quantum: 16 });
  vmem_xalloc(vm, 64, 0, 0, 0, 0, 0, NSB);
  expect(vmem_check(vm)).toEqual([]);
  const [, busy, free] = [...vmem_segments(vm)];
  return { vm, busy: busy!, free: free! };
}

describe('vmem_check notices a broken arena', () => {
  it('a free segment on the wrong list', () => {
    const { vm, free } = arena();
    bt_remfree(vm, free);
    vm.vm_freelist[0] = free;
    expect(vmem_check(vm)).toContain('vmem chk: free 0x40+0xc0 on freelist[0], belongs on freelist[3]');
  });

  it('a free segment on no list', () => {
    const { vm, free } = arena();
    bt_remfree(vm, free);
    expect(vmem_check(vm)).toEqual(['vmem chk: free 0x40+0xc0 on no free list']);
  });

  it('two adjacent free segments', () => {
    const { vm, free } = arena();
    bt_remfree(vm, free);
    free.bt_size = 64;
    bt_insfree(vm, free);
    const next = new Bt(BT_TYPE_FREE, 128, 128);
    bt_insseg(vm, next, free);
    bt_insfree(vm, next);
    expect(vmem_check(vm)).toEqual(['vmem chk: adjacent free segments free 0x40+0x40 and free 0x80+0x80']);
  });

  it('a gap in the tiling, a busy tag missing from the hash, counters off', () => {
    const { vm, busy } = arena();
    bt_rembusy(vm, busy);
    busy.bt_size = 48;
    expect(vmem_check(vm)).toEqual([
      'vmem chk: free 0x40+0xc0 does not start where the previous segment ends (0x30)',
      'vmem chk: busy 0x0+0x30 not in the hash',
      'vmem chk: hash holds 0 tags, vm_nbusytag 0, 1 busy segments',
      'vmem chk: vm_inuse 0x0, busy segments 0x30',
    ]);
  });
});
