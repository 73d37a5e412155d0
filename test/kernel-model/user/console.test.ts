// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from 'vitest';
import { bootUconsole } from '../../../api/uconsole';
import { cachedBusybox } from '../../../images/busybox';

const have = cachedBusybox(process.cwd()) !== undefined;
if (!have) console.warn('console shell tests skipped: busybox is not cached (run: npx uconsole fetch busybox)');

/**
 * Boot to the shell on the console and type `steps`, one each time the
 * guest waits for input (as a person at a serial terminal would), then
 * end the input; the console's text from the shell's banner on.
 */
async function session(steps: (string | undefined)[], consoleSize?: { rows: number; cols: number }): Promise<string> {
  let out = '';
  const b = await bootUconsole({ board: 'uconsole-cm4', ram: '1G', init: true, consoleSize, onConsole: (s) => (out += s) });
  try {
    let i = 0;
    // undefined: nothing typed by the time the guest's next timer is due.
    b.waitInit(Infinity, () => {
      if (i >= steps.length) return null;
      const s = steps[i++];
      return s === undefined ? undefined : new TextEncoder().encode(s);
    });
    expect(i).toBe(steps.length);
  } finally {
    b.shutdown();
  }
  return out.slice(out.indexOf('BusyBox'));
}

const PROMPT = '/ # \x1b[6n'; // ash asks the terminal where its cursor is

describe('the console as a terminal, with job control (fs/console.ts, drivers/tty/n_tty.ts, kernel/jobctl.ts)', () => {
  it('^C interrupts the foreground job; ^Z stops it, jobs lists it, fg continues it; a background reader stops on SIGTTIN', async (ctx) => {
    if (!have) return ctx.skip();
    const out = await session(['cat\n', '\x03', 'echo "status $?"\n', 'cat\n', '\x1a', 'jobs\n', 'fg\n', 'abc\n', '\x04', 'cat &\n', 'sleep 0; jobs\n', 'kill %1\n']);
    expect(out).toContain(`${PROMPT}cat\n^C\n${PROMPT}echo "status $?"\nstatus 130\n`);
    expect(out).toContain(`${PROMPT}cat\n^Z[1]+  Stopped                    cat\n${PROMPT}jobs\n[1]+  Stopped                    cat\n`);
    // fg: cat reads again; the tty echoes what is typed (canonical mode), cat prints it back; ^D ends it.
    expect(out).toContain(`${PROMPT}fg\ncat\nabc\nabc\n${PROMPT}`);
    expect(out).toContain('[1]+  Stopped (tty input)        cat\n');
    expect(out).toMatch(/\[1\]\+  Terminated +cat\n/);
  });

  it('canonical line editing for a reader (erase, kill, word erase), stty, tty and the host size', async (ctx) => {
    if (!have) return ctx.skip();
    const out = await session(['read x\n', 'ab\x7fc\x15xyz\x17hello wor\x17there\n', 'echo "got $x"; tty; stty size; stty -a | head -2\n'], { rows: 40, cols: 100 });
    expect(out).toContain('ab\b \bc\b \b\b \bxyz\b \b\b \b\b \bhello wor\b \b\b \b\b \bthere\n');
    expect(out).toContain('got hello there\n/dev/console\n40 100\nspeed 115200 baud; rows 40; columns 100; line = 0;\nintr = ^C; quit = ^\\; erase = ^?; kill = ^U; eof = ^D;');
  });

  it('a program waiting for input with a timeout runs on while nobody types (read -t, top)', async (ctx) => {
    if (!have) return ctx.skip();
    const out = await session(['read -t 2 x; echo "read: $?"; top -d 1\n', undefined, undefined, undefined, undefined, 'q', 'cat /proc/uptime\n']);
    expect(out).toContain('read: 1\n'); // timed out
    expect(out.match(/Load average/g)).toHaveLength(4); // the first screen and three refreshes, a second apart
    const up = Number(out.match(/\n(\d+\.\d+) \d+\.\d+\n/)![1]);
    expect(up).toBeGreaterThanOrEqual(5);
    expect(up).toBeLessThan(6);
  });

  it('a shell session writes to tmpfs and reads it back', async (ctx) => {
    if (!have) return ctx.skip();
    const out = await session(['cd /tmp && echo one > f && echo two >> f && mkdir d && mv f d/g && cat d/g && ls -a\n']);
    expect(out).toContain('one\ntwo\n.   ..  d\n');
  });
});
