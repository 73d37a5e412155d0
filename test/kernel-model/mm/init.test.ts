import { describe, expect, it } from 'vitest';
import { addNode, createTree, encodeCells, encodeU32, setProp } from '../../../lib/fdt';
import { parseCmdline } from '../../../lib/cmdline';
import { max_order_param, zone_dma_bits } from '../../../kernel-model/mm/init';

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

describe('max_order= (max_order_param)', () => {
  const parse = (cmdline: string, sectionSizeBits?: number): { maxOrder: number; said: string[] } => {
    const said: string[] = [];
    const maxOrder = max_order_param(parseCmdline(cmdline), (l) => said.push(l), sectionSizeBits);
    return { maxOrder, said };
  };

  it('defaults to 11 without the parameter, or without a command line at all', () => {
    expect(parse('console=ttyAMA0 root=/dev/mmcblk0p2')).toEqual({ maxOrder: 11, said: [] });
    expect(max_order_param(undefined, () => {})).toBe(11);
    expect(parse('xmax_order=6')).toEqual({ maxOrder: 11, said: [] });
  });

  it('reads kstrtoint numbers in 2..19 (SECTION_SIZE_BITS 30), the last occurrence winning', () => {
    expect(parse('console=ttyAMA0 max_order=6 quiet').maxOrder).toBe(6);
    expect(parse('max_order=19').maxOrder).toBe(19);
    expect(parse('max_order=2').maxOrder).toBe(2);
    expect(parse('max_order=0x10').maxOrder).toBe(16);
    expect(parse('max_order=6 max_order=9')).toEqual({ maxOrder: 9, said: [] });
    expect(parse('max-order=6').maxOrder).toBe(6); // parameq: - and _ are the same
  });

  it('rejects what the section size cannot hold, or what is no number, keeping the value before', () => {
    expect(parse('max_order=20')).toEqual({ maxOrder: 11, said: ['max_order=20 is out of range (2..19); using 11'] });
    expect(parse('max_order=1')).toEqual({ maxOrder: 11, said: ['max_order=1 is out of range (2..19); using 11'] });
    expect(parse('max_order=-3').said).toEqual(['max_order=-3 is out of range (2..19); using 11']);
    expect(parse('max_order=6 max_order=6x')).toEqual({ maxOrder: 6, said: ['max_order=6x is not a number (2..19); using 6'] });
    expect(parse('max_order').said).toEqual(['max_order is not a number (2..19); using 11']);
    expect(parse('max_order=17', 27)).toEqual({ maxOrder: 11, said: ['max_order=17 is out of range (2..16); using 11'] });
  });
});
