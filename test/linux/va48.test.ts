// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { imageCodeWindow, va48Shadows, VA48_KERNEL_BASE, VA48_VMEMMAP_START, type VaShadow } from '../../linux/va48';
import { SHADOW_HOST_SIZE, TTBR1_SHADOW_BASE } from '../../emulator/core';

const HALF = 0xffff_8000_0000_0000n;
const inCode = (shadows: VaShadow[], va: bigint): boolean => shadows.some((s) => va >= s.code.base && va < s.code.base + BigInt(s.code.size));

describe('the VA_BITS=48 shadows', () => {
  it.each([0xffff_8000_0800_0000n, 0xffff_b678_98a0_0000n, 0xffff_e000_07e0_0000n])('cover the kernel half once, each code window inside its own, and user space above 2^39 (case %#)', (image) => {
    const shadows = va48Shadows(image);
    const user = shadows.pop()!;
    expect(user).toMatchObject({ base: 1n << 39n, code: { base: (1n << 48n) - BigInt(SHADOW_HOST_SIZE) } });
    expect(shadows[0]!.base).toBe(VA48_KERNEL_BASE);
    shadows.forEach((s, i) => {
      expect(s.base + BigInt(s.size)).toBe(shadows[i + 1]?.base ?? TTBR1_SHADOW_BASE);
      expect(s.code.size).toBe(SHADOW_HOST_SIZE);
      expect(s.code.base >= s.base && s.code.base + BigInt(s.code.size) <= s.base + BigInt(s.size)).toBe(true);
    });
  });

  it.each([0xffff_8000_0800_0000n, 0xffff_b678_98a0_0000n, 0xffff_e000_07e0_0000n])('run code from the image, the bottom of vmalloc (BPF JIT) and the fixmap wherever the image is (case %#)', (image) => {
    const shadows = va48Shadows(image);
    expect(inCode(shadows, image) && inCode(shadows, image + (64n << 20n) - 1n)).toBe(true);
    expect(inCode(shadows, HALF + 0x0800_0000n + (64n << 20n))).toBe(true); // VMALLOC_START, just past a 64 MiB image
    expect(inCode(shadows, VA48_VMEMMAP_START - (32n << 20n) - (4n << 20n))).toBe(true); // below FIXADDR_TOP
    expect(inCode(shadows, 0xffff_0000_4000_0000n)).toBe(false); // the linear map: data only
  });

  it('put the fixmap\'s window below 6.1\'s VMEMMAP_START, and one window for image and vmalloc without KASLR', () => {
    expect(VA48_VMEMMAP_START).toBe(0xffff_fc00_0000_0000n);
    expect(va48Shadows(0xffff_8000_0800_0000n)).toHaveLength(3);
    expect(va48Shadows(0xffff_b678_98a0_0000n)).toHaveLength(4);
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
