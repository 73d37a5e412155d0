import { describe, expect, it } from 'vitest';
import { GuestRam } from '../../../emulator/memory/guest-ram';

describe('GuestRam.peek', () => {
  it('gives the bytes in place within a bank (a write shows through), and refuses a range outside RAM', () => {
    const ram = GuestRam.fromArrayBuffers(1 << 20);
    ram.write(0x1000, new Uint8Array([1, 2, 3, 4]));
    const v = ram.peek(0x1000, 4);
    expect([...v]).toEqual([1, 2, 3, 4]);
    ram.write(0x1002, new Uint8Array([9]));
    expect(v[2]).toBe(9); // a view, not a copy
    expect(() => ram.peek((1 << 20) - 2, 4)).toThrow();
    expect(() => ram.peek(-4, 4)).toThrow();
  });
});
