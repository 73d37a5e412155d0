import { describe, expect, it } from 'vitest';
import { assemble, AsmError, evalExpr } from '../../emulator/arm64/assembler';
import { disassemble, loadDisassembler } from '../../emulator/arm64/disassembler';

const words = (b: Uint8Array): number[] => Array.from({ length: b.length / 4 }, (_, i) => new DataView(b.buffer).getUint32(i * 4, true));

describe('assembler front end', () => {
  it('resolves labels, local labels and .equ, and encodes PC-relative forms at their address', async () => {
    const a = await assemble(`
      .equ N, 3
      start: mov x0, #N
      1: subs x0, x0, #1
      b.ne 1b
      adr x1, data
      b 2f
      nop
      2: ret
      .balign 8
      data: .quad start + 0x10`, 0x4000n);
    expect(a.symbols.get('start')).toBe(0x4000n);
    expect(a.symbols.get('data')).toBe(0x4020n);
    expect(a.labels).toEqual(['start', 'data']);
    await loadDisassembler();
    const text = words(a.bytes).slice(0, 7).map((w, i) => disassemble(w, 0x4000n + BigInt(i * 4)));
    expect(text).toEqual(['mov x0, #3', 'subs x0, x0, #1', 'b.ne #0x4004', 'adr x1, #0x4020', 'b #0x4018', 'nop', 'ret']);
    expect(new DataView(a.bytes.buffer).getBigUint64(0x20, true)).toBe(0x4010n);
  });

  it('expands mov64 to movz + three movk', async () => {
    await loadDisassembler();
    const w = words((await assemble('mov64 x3, 0x1122334455667788', 0n)).bytes);
    expect(w.map((x) => disassemble(x, 0n))).toEqual([
      'mov x3, #0x7788', 'movk x3, #0x5566, lsl #16', 'movk x3, #0x3344, lsl #32', 'movk x3, #0x1122, lsl #48',
    ]);
  });

  it('reports errors with the line', async () => {
    await expect(assemble('nop\nfrob x0', 0n)).rejects.toThrow(/line 2: cannot assemble "frob x0"/);
    await expect(assemble('b nowhere', 0n)).rejects.toThrow(AsmError);
    await expect(assemble('a: nop\na: nop', 0n)).rejects.toThrow(/line 2: symbol "a" defined twice/);
    expect(() => evalExpr('x + 1', new Map())).toThrow(/unknown symbol "x"/);
  });
});
