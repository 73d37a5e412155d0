// SPDX-License-Identifier: GPL-2.0-only
// The DesignWare registers of the DW_apb_uart, as 8250_dw.c and 8250_dwlib.c read them.
import { describe, expect, it } from 'vitest';
import { DwApbUart, DW_REG, DW_USR, DW_CPR } from '../../../emulator/devices/dw-apb-uart';
import { UART_REG, FCR } from '../../../emulator/devices/ns16550';
import { uconsoleA04 } from '../../../emulator/board/boards';

describe('DesignWare APB UART', () => {
  it('reports its FIFOs in USR, TFL and RFL; never busy', () => {
    const u = new DwApbUart('uart', { fifoDepth: 64 });
    expect(u.read(DW_REG.USR)).toBe(DW_USR.TFNF | DW_USR.TFE);
    u.write(UART_REG.FCR << 2, 4, BigInt(FCR.FIFOE));
    u.receive(new Uint8Array(64));
    expect(u.read(DW_REG.USR)).toBe(DW_USR.TFNF | DW_USR.TFE | DW_USR.RFNE | DW_USR.RFF);
    expect(u.read(DW_REG.RFL)).toBe(64);
    expect(u.read(DW_REG.TFL)).toBe(0);
  });

  it('holds every LCR write (no busy detect), so dw8250_check_lcr reads back what it wrote', () => {
    const u = new DwApbUart();
    u.receive(Uint8Array.of(1));
    for (const v of [0x03, 0x83, 0xbf, 0xe0, 0x1b]) {
      u.write(UART_REG.LCR << 2, 4, BigInt(v));
      expect(u.read(UART_REG.LCR << 2)).toBe(v);
    }
  });

  it('answers CPR and UCV as configured; the absent RS-485 and fractional-divisor registers read 0 after a write', () => {
    const u = new DwApbUart('uart', { cpr: 0x40532, ucv: 0x3330342a });
    expect(u.read(DW_REG.CPR)).toBe(0x40532);
    expect(u.read(DW_REG.UCV)).toBe(0x3330342a);
    for (const off of [0xb4, 0xc0]) {
      u.write(off, 4, 0xffff_ffffn);
      expect(u.read(off)).toBe(0);
    }
    expect(new DwApbUart().read(DW_REG.UCV)).toBe(0);
  });

  it('the A-04 board\'s UART0 reads as a 64-entry FIFO 16550A to 8250_dwlib (CPR FIFO_MODE 4, UCV non-zero)', () => {
    const dw = uconsoleA04.console.dw!;
    const u = new DwApbUart('uart0', dw);
    expect(u.read(DW_REG.UCV)).not.toBe(0);
    expect(((u.read(DW_REG.CPR) >> 16) & 0xff) * 16).toBe(64);
    expect(u.read(DW_REG.CPR) & DW_CPR.APB_DATA_WIDTH_32).toBe(2);
  });

  it('stops at an access past its 256-byte block (the next UART), naming the address', () => {
    const u = new DwApbUart('serial@5000000', { base: 0x500_0000 });
    expect(() => u.read(0x400)).toThrow(/read from serial@5000000 at PA 0x5000400: past the UART/);
    expect(() => new DwApbUart('x', { regShift: 0 })).toThrow(/reg-shift 2/);
  });
});
