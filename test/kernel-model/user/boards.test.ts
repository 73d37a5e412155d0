// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { bootUconsole } from '../../../api/uconsole';
import { NR } from '../../../kernel-model/include/unistd';

describe('user programs on every board', () => {
  for (const board of ['uconsole-cm3', 'uconsole-a06', 'uconsole-a04']) {
    it(`${board}: the harness and an initramfs program run on its last CPU`, async () => {
      const u = await bootUconsole({ board });
      try {
        const last = u.machine.cores.length - 1;
        expect(u.syscall(last, NR.getcpu, 0, 0, 0)).toBe(0n);
        expect(u.exec('/bin/hello-asm', undefined, { cpu: last })).toMatchObject({ exitCode: 0, stdout: 'Hello, world! (from /bin/hello-asm)\n' });
      } finally {
        u.shutdown();
      }
    });
  }
});
