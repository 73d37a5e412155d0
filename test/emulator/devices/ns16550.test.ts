// SPDX-License-Identifier: GPL-2.0-only
// The 16550 register set (TI PC16550D, 8.4-8.6) and what Linux's 8250 core (8250_port.c) probes of it.
import { describe, expect, it } from 'vitest';
import { Ns16550, UART_REG, IER, IIR, FCR, MCR, LSR, MSR, LCR_DLAB } from '../../../emulator/devices/ns16550';

const at = (reg: number): number => reg << 2;

function uart(fifoDepth = 16): { u: Ns16550; lines: boolean[]; out: number[]; rd: (r: number) => number; wr: (r: number, v: number) => void } {
  const u = new Ns16550('uart', { fifoDepth });
  const lines: boolean[] = [];
  const out: number[] = [];
  u.onIrq = (a) => lines.push(a);
  u.onByte = (b) => out.push(b);
  return { u, lines, out, rd: (r) => u.read(at(r)), wr: (r, v) => u.write(at(r), 4, BigInt(v)) };
}

describe('16550 UART', () => {
  it('transmits at once: THR goes out, LSR has THRE and TEMT, DLAB turns offsets 0 and 1 into the divisor', () => {
    const { out, rd, wr } = uart();
    wr(UART_REG.THR, 0x41);
    expect(out).toEqual([0x41]);
    expect(rd(UART_REG.LSR) & (LSR.THRE | LSR.TEMT)).toBe(LSR.THRE | LSR.TEMT);
    wr(UART_REG.LCR, LCR_DLAB | 0x03);
    wr(UART_REG.DLL, 0x0d);
    wr(UART_REG.DLM, 0x01);
    expect(out).toEqual([0x41]); // a divisor write is not a byte
    expect([rd(UART_REG.DLL), rd(UART_REG.DLM)]).toEqual([0x0d, 0x01]);
    wr(UART_REG.LCR, 0x03);
    expect(rd(UART_REG.IER)).toBe(0);
    expect(rd(UART_REG.LCR)).toBe(0x03);
  });

  it('passes the 8250 core\'s existence tests: IER keeps its low nibble only, the loopback MSR reads 0x90', () => {
    const { rd, wr } = uart();
    wr(UART_REG.IER, 0);
    expect(rd(UART_REG.IER) & 0x0f).toBe(0);
    wr(UART_REG.IER, 0x0f);
    expect(rd(UART_REG.IER) & 0x0f).toBe(0x0f);
    wr(UART_REG.IER, 0x4f); // the XScale UUE bit does not stick
    expect(rd(UART_REG.IER) & 0x40).toBe(0);
    wr(UART_REG.IER, 0);
    wr(UART_REG.MCR, MCR.LOOP | MCR.OUT2 | MCR.RTS);
    expect(rd(UART_REG.MSR) & 0xf0).toBe(MSR.DCD | MSR.CTS);
    wr(UART_REG.MCR, 0);
    // back on the line: the terminal holds CTS, DSR, DCD; the deltas of the change read once
    expect(rd(UART_REG.MSR)).toBe(MSR.CTS | MSR.DSR | MSR.DCD | MSR.DDSR);
    expect(rd(UART_REG.MSR)).toBe(MSR.CTS | MSR.DSR | MSR.DCD);
  });

  it('reports FIFOs in IIR\'s top bits and measures its FIFO depth through the loopback, as size_fifo() does', () => {
    for (const depth of [16, 64]) {
      const { out, rd, wr } = uart(depth);
      expect(rd(UART_REG.IIR) >> 6).toBe(0);
      wr(UART_REG.FCR, FCR.FIFOE);
      expect(rd(UART_REG.IIR) >> 6).toBe(3);
      wr(UART_REG.FCR, FCR.FIFOE | FCR.CLEAR_RX | FCR.CLEAR_TX);
      wr(UART_REG.MCR, MCR.LOOP);
      for (let i = 0; i < 256; i++) wr(UART_REG.THR, i & 0xff);
      expect(out).toEqual([]); // looped back, not sent
      let count = 0;
      while (rd(UART_REG.LSR) & LSR.DR && count < 256) {
        expect(rd(UART_REG.RBR)).toBe(count);
        count++;
      }
      expect(count).toBe(depth);
    }
  });

  it('sets LSR.OE when a looped-back byte finds the FIFO full; reading LSR clears it; RLSI has the highest priority', () => {
    const { rd, wr } = uart();
    wr(UART_REG.MCR, MCR.LOOP);
    wr(UART_REG.THR, 1); // FIFOs off: one holding register
    wr(UART_REG.THR, 2);
    wr(UART_REG.IER, IER.RLSI | IER.RDI | IER.THRI);
    expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.RLSI);
    expect(rd(UART_REG.LSR) & (LSR.OE | LSR.DR)).toBe(LSR.OE | LSR.DR);
    expect(rd(UART_REG.LSR) & LSR.OE).toBe(0);
    expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.RDI);
    expect(rd(UART_REG.RBR)).toBe(1);
  });

  it('raises received-data-available at the FCR trigger level and the character timeout below it, only with IER.RDI', () => {
    const { u, lines, rd, wr } = uart(64);
    wr(UART_REG.FCR, FCR.FIFOE | 0x80); // trigger at 1/2: 32 entries
    expect(u.receive(new Uint8Array(10).fill(0x61))).toBe(10);
    expect(lines).toEqual([]);
    expect(u.rxInterruptEnabled).toBe(false);
    wr(UART_REG.IER, IER.RDI);
    expect(u.rxInterruptEnabled).toBe(true);
    expect(lines).toEqual([true]);
    expect(rd(UART_REG.IIR)).toBe(IIR.FIFOS | IIR.RX_TIMEOUT);
    u.receive(new Uint8Array(30).fill(0x62));
    expect(rd(UART_REG.IIR)).toBe(IIR.FIFOS | IIR.RDI);
    expect(u.rxRoom).toBe(24);
    for (let i = 0; i < 40; i++) rd(UART_REG.RBR);
    expect(rd(UART_REG.IIR)).toBe(IIR.FIFOS | IIR.NO_INT);
    expect(lines).toEqual([true, false]);
  });

  it('trigger levels: 1, a quarter, a half, two less than full', () => {
    for (const [sel, level] of [[0, 1], [1, 16], [2, 32], [3, 62]] as const) {
      const { u, rd, wr } = uart(64);
      wr(UART_REG.FCR, FCR.FIFOE | (sel << 6));
      wr(UART_REG.IER, IER.RDI);
      if (level > 1) u.receive(new Uint8Array(level - 1));
      expect(rd(UART_REG.IIR) & 0x0f).toBe(level > 1 ? IIR.RX_TIMEOUT : IIR.NO_INT);
      u.receive(Uint8Array.of(0));
      expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.RDI);
    }
  });

  it('holds THRE pending from enabling ETBEI or a THR write until IIR reports it (startup\'s THRE and TXEN tests)', () => {
    const { lines, rd, wr } = uart();
    wr(UART_REG.IER, IER.THRI);
    expect(lines).toEqual([true]);
    expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.THRI); // iir1
    expect(lines).toEqual([true, false]);
    expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.NO_INT);
    wr(UART_REG.IER, 0);
    wr(UART_REG.IER, IER.THRI);
    expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.THRI); // reasserted: no UART_BUG_THRE
    wr(UART_REG.IER, IER.THRI); // already enabled: no new edge
    expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.NO_INT);
    wr(UART_REG.THR, 0x41); // the byte leaves, THR is empty again
    expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.THRI);
  });

  it('raises the modem-status interrupt for a delta with IER.MSI, lowest in priority; reading MSR clears it', () => {
    const { rd, wr } = uart();
    wr(UART_REG.MCR, MCR.LOOP | MCR.RTS);
    wr(UART_REG.IER, IER.MSI | IER.THRI);
    expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.THRI);
    expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.MSI);
    // from the line (CTS, DSR, DCD held) to the loop with RTS alone: DSR and DCD drop
    expect(rd(UART_REG.MSR)).toBe(MSR.CTS | MSR.DDSR | MSR.DDCD);
    expect(rd(UART_REG.IIR) & 0x0f).toBe(IIR.NO_INT);
    wr(UART_REG.MCR, MCR.LOOP | MCR.OUT1);
    wr(UART_REG.MCR, MCR.LOOP);
    expect(rd(UART_REG.MSR) & MSR.TERI).toBe(MSR.TERI); // RI's trailing edge
  });

  it('clears the receive FIFO on FCR reset and when FIFOE toggles; keeps the scratch register', () => {
    const { u, rd, wr } = uart();
    wr(UART_REG.FCR, FCR.FIFOE);
    u.receive(Uint8Array.of(1, 2, 3));
    wr(UART_REG.FCR, FCR.FIFOE | FCR.CLEAR_RX);
    expect(rd(UART_REG.LSR) & LSR.DR).toBe(0);
    u.receive(Uint8Array.of(4));
    wr(UART_REG.FCR, 0);
    expect(rd(UART_REG.LSR) & LSR.DR).toBe(0);
    wr(UART_REG.SCR, 0xa5);
    expect(rd(UART_REG.SCR)).toBe(0xa5);
  });

  it('refuses an offset that is not one of its registers, in one line', () => {
    const { u } = uart();
    expect(() => u.read(0x7c)).toThrow(/no such UART register/);
    expect(() => u.read(0x3)).toThrow(/unaligned/);
  });
});
