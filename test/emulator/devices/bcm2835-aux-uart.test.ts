// SPDX-License-Identifier: GPL-2.0-only
// The mini-UART against the BCM2711 ARM Peripherals datasheet (2.2) and what 8250_bcm2835aux.c and the 8250 core read of it.
import { describe, expect, it } from 'vitest';
import { Bcm2835AuxUart, MU_REG, MU_CNTL, MU_IIR_CLEAR, MU_LCR, MU_MCR_RTS, MU_MSR_CTS, MU_STAT, MU_FIFO_DEPTH } from '../../../emulator/devices/bcm2835-aux-uart';
import { IER, IIR, LSR, LCR_DLAB } from '../../../emulator/devices/ns16550';

function miniUart(): { u: Bcm2835AuxUart; lines: boolean[]; out: number[]; rd: (r: number) => number; wr: (r: number, v: number) => void } {
  const u = new Bcm2835AuxUart('uart1', 0xfe21_5040);
  const lines: boolean[] = [];
  const out: number[] = [];
  u.onIrq = (a) => lines.push(a);
  u.onByte = (b) => out.push(b);
  return { u, lines, out, rd: (r) => u.read(r), wr: (r, v) => u.write(r, 1, BigInt(v)) };
}

describe('BCM2711 mini-UART', () => {
  it('comes out of reset with both FIFOs empty, receiver and transmitter enabled, no interrupt pending', () => {
    const { rd, lines } = miniUart();
    expect(rd(MU_REG.CNTL)).toBe(MU_CNTL.RXEN | MU_CNTL.TXEN);
    expect(rd(MU_REG.IIR)).toBe(0xc1); // FIFO bits always 1, bit 0 set: nothing pending
    expect(rd(MU_REG.LSR)).toBe(LSR.THRE | LSR.TEMT);
    expect(rd(MU_REG.MSR)).toBe(MU_MSR_CTS);
    expect(rd(MU_REG.IER)).toBe(0);
    expect(lines).toEqual([]);
  });

  it('sends a byte written to IO at once, 8 bits or, in 7-bit mode (LCR bit 0 clear), 7', () => {
    const { out, rd, wr } = miniUart();
    wr(MU_REG.LCR, 0x03);
    wr(MU_REG.IO, 0xc1);
    wr(MU_REG.LCR, 0x02);
    wr(MU_REG.IO, 0xc1);
    expect(out).toEqual([0xc1, 0x41]);
    expect(rd(MU_REG.LCR)).toBe(0x02);
    expect(rd(MU_REG.LSR) & (LSR.THRE | LSR.TEMT)).toBe(LSR.THRE | LSR.TEMT);
  });

  it('reaches the 16-bit BAUD register through LCR.DLAB as IO (low byte) and IER (high byte)', () => {
    const { u, out, rd, wr } = miniUart();
    wr(MU_REG.LCR, LCR_DLAB | MU_LCR.DATA_8BIT);
    wr(MU_REG.IO, 0x0e);
    wr(MU_REG.IER, 0x02);
    expect(out).toEqual([]); // a divisor write is not a byte
    expect(rd(MU_REG.BAUD)).toBe(0x020e);
    expect(u.divisor).toBe(0x020e);
    u.write(MU_REG.BAUD, 4, 0x1234_5678n);
    expect([rd(MU_REG.IO), rd(MU_REG.IER)]).toEqual([0x78, 0x56]);
    wr(MU_REG.LCR, MU_LCR.DATA_8BIT);
    expect(rd(MU_REG.IER)).toBe(0);
  });

  it('holds bytes in its 8-entry transmit FIFO while the transmitter is disabled, loses a ninth, sends them when enabled', () => {
    const { out, rd, wr } = miniUart();
    wr(MU_REG.CNTL, MU_CNTL.RXEN);
    for (let i = 0; i < 9; i++) wr(MU_REG.IO, 0x30 + i);
    expect(out).toEqual([]);
    const stat = rd(MU_REG.STAT);
    expect(MU_STAT.txLevel(stat)).toBe(MU_FIFO_DEPTH);
    expect(stat & (MU_STAT.TX_FULL | MU_STAT.SPACE_AVAILABLE | MU_STAT.TX_EMPTY | MU_STAT.TX_DONE)).toBe(MU_STAT.TX_FULL);
    expect(rd(MU_REG.LSR) & (LSR.THRE | LSR.TEMT)).toBe(0); // full: not even "can accept a byte"
    wr(MU_REG.CNTL, MU_CNTL.RXEN | MU_CNTL.TXEN);
    expect(out).toEqual([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37]);
    expect(MU_STAT.txLevel(rd(MU_REG.STAT))).toBe(0);
  });

  it('drops the transmit FIFO on an IIR write of bit 2, the receive FIFO on bit 1', () => {
    const { u, out, rd, wr } = miniUart();
    wr(MU_REG.CNTL, MU_CNTL.RXEN);
    wr(MU_REG.IO, 0x41);
    u.receive(Uint8Array.of(1, 2));
    wr(MU_REG.IIR, MU_IIR_CLEAR.TX);
    expect(MU_STAT.txLevel(rd(MU_REG.STAT))).toBe(0);
    expect(MU_STAT.rxLevel(rd(MU_REG.STAT))).toBe(2);
    wr(MU_REG.IIR, MU_IIR_CLEAR.RX);
    expect(rd(MU_REG.LSR) & LSR.DR).toBe(0);
    wr(MU_REG.CNTL, MU_CNTL.RXEN | MU_CNTL.TXEN);
    expect(out).toEqual([]);
  });

  it('receives into an 8-entry FIFO, in order, only while the receiver is enabled', () => {
    const { u, rd, wr } = miniUart();
    wr(MU_REG.LCR, MU_LCR.DATA_8BIT);
    expect(u.receive(new Uint8Array([...Array(10).keys()].map((i) => 0x80 + i)))).toBe(MU_FIFO_DEPTH);
    expect(u.rxRoom).toBe(0);
    expect(MU_STAT.rxLevel(rd(MU_REG.STAT))).toBe(8);
    expect(rd(MU_REG.LSR) & LSR.DR).toBe(LSR.DR);
    expect([rd(MU_REG.IO), rd(MU_REG.IO)]).toEqual([0x80, 0x81]);
    wr(MU_REG.CNTL, MU_CNTL.TXEN);
    expect(u.rxRoom).toBe(0);
    expect(u.receive(Uint8Array.of(1))).toBe(0);
    expect(rd(MU_REG.STAT) & MU_STAT.RX_OVERRUN).toBe(0); // the host waited: nothing lost
  });

  it('raises its receive interrupt while the FIFO holds a byte and IER bit 0 is set; IIR names it first', () => {
    const { u, lines, rd, wr } = miniUart();
    u.receive(Uint8Array.of(0x61));
    expect(lines).toEqual([]);
    wr(MU_REG.IER, IER.RDI | IER.THRI);
    expect(u.rxInterruptEnabled).toBe(true);
    expect(lines).toEqual([true]);
    expect(rd(MU_REG.IIR)).toBe(0xc0 | IIR.RDI);
    expect(rd(MU_REG.IO)).toBe(0x61);
    expect(rd(MU_REG.IIR)).toBe(0xc0 | IIR.THRI); // then the empty transmit FIFO
    wr(MU_REG.IER, IER.RDI);
    expect(lines).toEqual([true, false]);
    expect(rd(MU_REG.IIR)).toBe(0xc1);
  });

  it('holds its transmit interrupt as a level while the FIFO is empty: reading IIR does not clear it (8250 startup\'s THRE test passes)', () => {
    const { lines, rd, wr } = miniUart();
    wr(MU_REG.IER, IER.THRI);
    expect(rd(MU_REG.IIR) & 0x07).toBe(IIR.THRI);
    expect(rd(MU_REG.IIR) & 0x07).toBe(IIR.THRI);
    wr(MU_REG.IER, 0);
    wr(MU_REG.IER, IER.THRI);
    expect(rd(MU_REG.IIR) & IIR.NO_INT).toBe(0);
    expect(lines).toEqual([true, false, true]);
    wr(MU_REG.CNTL, MU_CNTL.RXEN);
    wr(MU_REG.IO, 0x41); // waits in the FIFO: the condition ends
    expect(lines).toEqual([true, false, true, false]);
  });

  it('keeps only RTS in MCR and shows it in STAT; CTS reads asserted; SCRATCH holds a byte', () => {
    const { rd, wr } = miniUart();
    wr(MU_REG.MCR, 0xff);
    expect(rd(MU_REG.MCR)).toBe(MU_MCR_RTS);
    expect(rd(MU_REG.STAT) & (MU_STAT.RTS | MU_STAT.CTS)).toBe(MU_STAT.RTS | MU_STAT.CTS);
    wr(MU_REG.MCR, 0x08); // OUT2, which the 8250 core sets: not on the mini-UART
    expect(rd(MU_REG.STAT) & MU_STAT.RTS).toBe(0);
    wr(MU_REG.SCRATCH, 0x5a);
    expect(rd(MU_REG.SCRATCH)).toBe(0x5a);
    wr(MU_REG.LSR, 0);
    expect(rd(MU_REG.LSR)).toBe(LSR.THRE | LSR.TEMT); // read-only
  });

  it('stops at a register that is not there or an unaligned access, naming the address', () => {
    const { u } = miniUart();
    expect(() => u.read(0x2c)).toThrow(/^read from uart1 at PA 0xfe21506c: no such mini-UART register$/);
    expect(() => u.write(0x05, 1, 0n)).toThrow(/^write to uart1 at PA 0xfe215045: unaligned register access$/);
  });
});
