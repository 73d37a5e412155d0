// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a Linux run needs of its console UART, whichever the board has
 * (the PL011 of the Pis, the 16550-class DesignWare UART of the A-04 and
 * bytes from the host into its receive FIFO, whether the driver
 * takes input by interrupt now, and the interrupt output as a level that
 * the board wires to its interrupt controller (BoardInterrupts.line).
 */

export interface ConsoleUart {
  /** The interrupt output changed (to the interrupt controller's line). */
  onIrq?: (asserted: boolean) => void;
  /** Room left in the receive FIFO. */
  readonly rxRoom: number;
  /** Whether the guest takes input by interrupt now (its receive interrupt enabled). */
  readonly rxInterruptEnabled: boolean;
  /** Bytes from the host's side of the line into the receive FIFO; returns how many fitted. */
  receive(bytes: Uint8Array): number;
}
