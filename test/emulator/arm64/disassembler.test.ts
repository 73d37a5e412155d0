import { describe, expect, it } from 'vitest';
import { disassemble, loadDisassembler } from '../../../emulator/arm64/disassembler';

// This file never loads Capstone into its own thread before the first
// three cases: they go through the blocking worker (the path fault reports take).
const CASES: [number, bigint, string][] = [
  [0xd2800060, 0x4000n, 'mov x0, #3'],
  [0xd65f03c0, 0x4004n, 'ret'],
  // b.ne back 4 bytes from a kernel address: the target keeps its upper half
  [0x54ffffe1, 0xffff800008010004n, 'b.ne #0xffff800008010000'],
];

describe('disassemble', () => {
  it('answers synchronously before Capstone is loaded here (through the worker)', () => {
    for (const [word, at, text] of CASES) expect(disassemble(word, at)).toBe(text);
    expect(disassemble(0xffffffff, 0n)).toBe('.inst 0xffffffff (undefined)');
  });

  it('gives the same text once Capstone is loaded in this thread', async () => {
    await loadDisassembler();
    for (const [word, at, text] of CASES) expect(disassemble(word, at)).toBe(text);
    expect(disassemble(0xffffffff, 0n)).toBe('.inst 0xffffffff (undefined)');
  });
});
