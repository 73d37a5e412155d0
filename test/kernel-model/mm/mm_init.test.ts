import { describe, expect, it } from 'vitest';
import { addNode, createTree, encodeCells, encodeU32, setProp } from '../../../firmware/fdt';
import { zone_dma_bits } from '../../../kernel-model/mm/mm_init';

/** A root with #address-cells = 2 and buses with the given dma-ranges (child 1 cell, size 1 cell). */
function treeWith(buses: { name: string; ranges: [number, number, number][] }[]) {
  const t = createTree();
  setProp(t.root, '#address-cells', encodeU32(2));
  setProp(t.root, '#size-cells', encodeU32(1));
  for (const b of buses) {
    const n = addNode(t.root, b.name, [['#address-cells', encodeU32(1)], ['#size-cells', encodeU32(1)]]);
    setProp(n, 'dma-ranges', encodeCells(b.ranges.flatMap(([bus, cpu, size]) => [bus, 0, cpu, size])));
  }
  return t;
}

describe('zone_dma_bits (of_dma_get_max_cpu_address)', () => {
  it('is 32 when nothing limits DMA', () => {
    expect(zone_dma_bits(createTree())).toBe(32);
  });

  it('follows the most constrained bus: BCM2711\'s /soc reaches 1 GiB, /scb 4 GiB', () => {
    const t = treeWith([
      { name: 'soc', ranges: [[0xc000_0000, 0, 0x4000_0000]] },
      { name: 'scb', ranges: [[0, 0, 0xffff_f000]] },
    ]);
    expect(zone_dma_bits(t)).toBe(30);
  });

  it('takes the highest end among one node\'s ranges', () => {
    expect(zone_dma_bits(treeWith([{ name: 'soc', ranges: [[0, 0, 0x1000_0000], [0x1000_0000, 0x1000_0000, 0x7000_0000]] }]))).toBe(31);
  });
});
