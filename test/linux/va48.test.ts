// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { imageCodeWindow, va48Shadows, VA48_KERNEL_BASE, VA48_VMEMMAP_START } from '../../linux/va48';
import { SHADOW_HOST_SIZE, TTBR1_SHADOW_BASE } from '../../emulator/core';

describe('the VA_BITS=48 shadows', () => {
  it.each([0xffff_8000_0800_0000n, 0xffff_b678_98a0_0000n, 0xffff_e000_07e0_0000n])('cover the kernel half once, the image in a code window, and user space above 2^39 (case %#)', (image) => {
    const [low, high, user] = va48Shadows(image);
    expect(user).toMatchObject({ base: 1n << 39n, code: { base: (1n << 48n) - BigInt(SHADOW_HOST_SIZE) } });
    expect(low!.base).toBe(VA48_KERNEL_BASE);
    expect(low!.base + BigInt(low!.size)).toBe(high!.base);
    expect(high!.base + BigInt(high!.size)).toBe(TTBR1_SHADOW_BASE);
    for (const s of [low!, high!]) {
      expect(s.code.size).toBe(SHADOW_HOST_SIZE);
      expect(s.code.base >= s.base && s.code.base + BigInt(s.code.size) <= s.base + BigInt(s.size)).toBe(true);
    }
    expect(image >= low!.code.base && image + (64n << 20n) <= low!.code.base + BigInt(SHADOW_HOST_SIZE)).toBe(true);
  });

  it('have a code window over 6.1\'s fixmap (FIXADDR_TOP = VMEMMAP_START - 32 MiB), where KPTI\'s trampoline runs', () => {
    const fixaddrTop = VA48_VMEMMAP_START - (32n << 20n);
    const [, high] = va48Shadows(0xffff_8000_0800_0000n);
    expect(VA48_VMEMMAP_START).toBe(0xffff_fc00_0000_0000n);
    expect(high!.code.base <= fixaddrTop - (16n << 20n) && fixaddrTop <= high!.code.base + BigInt(high!.code.size)).toBe(true);
  });
});

describe('the image\'s code window', () => {
  const floor = 0xffff_8000_0000_0000n;
  const ceiling = 0xffff_fb80_0000_0000n;
  const size = 512 * 2 ** 30;

  it('holds the image and 2 GiB either side (the module region with RANDOMIZE_MODULE_REGION_FULL)', () => {
    const image = 0xffff_b678_98a0_0000n;
    const w = imageCodeWindow(image, size, floor, ceiling);
    expect(w.base % 0x4000_0000n).toBe(0n);
    expect(w.base <= image - (2n << 30n) && image + (2n << 30n) <= w.base + BigInt(size)).toBe(true);
  });

  it('is the first 512 GB of the image half without KASLR, and stays below the ceiling', () => {
    expect(imageCodeWindow(0xffff_8000_0800_0000n, size, floor, ceiling)).toEqual({ base: floor, size });
    expect(imageCodeWindow(ceiling - 0x1000n, size, floor, ceiling).base).toBe(ceiling - BigInt(size));
  });
});
