// SPDX-License-Identifier: GPL-2.0-only
// Types of file-stamp.cjs (plain JavaScript, for the setup step).

export function filesFingerprint(files: readonly string[], base: string, extra?: string): string;
export function filesHash(files: readonly string[], base: string, extra?: string): string;
export function writeAtomic(path: string, data: string | Uint8Array): void;
export function checkStamp(stampPath: string, files: readonly string[], base: string, extra?: string): { current: boolean; write(): void };
