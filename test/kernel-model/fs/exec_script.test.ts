// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { parse_shebang } from '../../../kernel-model/fs/exec';
import { ExecError } from '../../../kernel-model/fs/binfmt_elf';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('binfmt_script (#! lines)', () => {
  it('runs the interpreter with its optional argument, the script path, then the arguments after argv[0]', () => {
    expect(parse_shebang(enc('#!/bin/sh\necho hi\n'), '/init', ['/init'])).toEqual({ interp: '/bin/sh', argv: ['/bin/sh', '/init'] });
    expect(parse_shebang(enc('#! /bin/busybox  sh -e \n'), '/s', ['s', 'a', 'b'])).toEqual({ interp: '/bin/busybox', argv: ['/bin/busybox', 'sh -e', '/s', 'a', 'b'] });
    expect(parse_shebang(enc('\x7fELF'), '/x', ['x'])).toBeUndefined();
    expect(() => parse_shebang(enc('#!\n'), '/x', ['x'])).toThrow(ExecError);
  });
});
