// SPDX-License-Identifier: GPL-2.0-only
/* uconsole bench SUITE: run a benchmark suite, print a table, optionally write JSON. */

import { benchEmu, EMU_DEFAULTS } from '../bench/emu';
import { benchPage, PAGE_DEFAULTS } from '../bench/page';
import { writeReport } from '../bench/report';
import { benchKmem, KMEM_DEFAULTS } from '../bench/kmem';
import { benchVmalloc, vmallocDefaults } from '../bench/vmalloc';
import { benchPercpuChunk, formatPublishedComparison, PERCPU_CHUNK_DEFAULTS } from '../bench/percpu-chunk';
import { benchVmallocTree, formatScaling, VMALLOC_TREE_DEFAULTS } from '../bench/vmalloc-tree';
import { benchSyscall, SYSCALL_DEFAULTS } from '../bench/syscall';
import { benchPercpuBooted, formatBooted, PERCPU_BOOTED_DEFAULTS } from '../bench/percpu';
import { parseOptions, UsageError } from './uconsole';

const SUITES = 'emu, page, vmalloc, vmalloc-tree, percpu, kmem, syscall';

export const BENCH_HELP = `usage: uconsole bench <suite> [options]

suites:
  emu     the machine: guest MIPS (ALU and load/store loops, deterministic
          and free-running, on a bare machine and on the booted uconsole-cm4),
          scheduler slice cost, EL0 svc round trip, boot time (in-process,
          and the whole bin/uconsole boot process)
  page    the page allocator on a booted uConsole: order-0 pairs with and
          without the per-CPU lists, pairs per order, a fragmentation
          scenario, memarea time against size, free blocks and free pages
  vmalloc the seed's test_vmalloc on the booted uConsole, once per vmap
          allocator (augment, the seed's, and list, the one it replaced):
          Linux's Summary lines and cycles on the virtual clock, side by
          side with the list/augment ratio; --mode performance (one worker
          on CPU 0, in order, 3 repeats) or stress (a worker per CPU,
          shuffled, 20 repeats); the module's parameters by their names
  vmalloc-tree  the vmap area allocators alone (augment vs list): time per
          allocation and free at 1,000 / 10,000 / 100,000 busy areas, and
          the scaling table, then test_vmalloc's tests on each (host time)
  percpu  the percpu allocators (bitmap vs area map): the seed's series,
          allocation and free in order, alternating and in reverse, per
          object size; first the chunk allocators alone (2^20 objects, host
          time, beside the seed's published native figures), then through
          __alloc_percpu/free_percpu on the booted uconsole-cm4 (cycles on
          the virtual clock)
  kmem    NetBSD's kmem_alloc on the booted uConsole: pairs per second by
          size band and size, kmem_midcache=on and =off side by side, a
          kernel thread on CPU 0 alone and one on every core at once (per
          CPU and aggregate); vmem instant-fit against best-fit
  syscall user space on the booted uconsole-cm4: getpid round trip, page
          fault, mmap+munmap pair, BPF percpu map create+fill+destroy with
          percpu_alloc_map=bitmap and =area, and the same static programs
          (compute-bound, output-heavy) under uconsole run and qemu-aarch64;
          busybox sh's loop, fork+exit+wait, fork+exec+wait and a pipe
          through cat, each beside qemu-aarch64

options:
  --json FILE       also write the results as JSON (the shape in DESIGN.md)
  --objects N       percpu: objects per series (default ${PERCPU_CHUNK_DEFAULTS.objects}, the seed's 2^20);
                    on the booted machine at most ${PERCPU_BOOTED_DEFAULTS.objects}
  --mode M          vmalloc: performance (default) or stress
  --test_loop_count=N, --test_repeat_count=N, --run_test_mask=M,
  --sequential_test_order=0|1, --nr_threads=N
                    vmalloc: test_vmalloc's module parameters (defaults: the
                    module's, 1000000 loops, then the mode's)
  --loops N         emu: loop iterations (default ${EMU_DEFAULTS.loops})
  --syscalls N      emu: svc round trips (default ${EMU_DEFAULTS.syscalls})
  --boots N         emu: boots to average (default ${EMU_DEFAULTS.boots})
  --linux-boots N   emu: boots of Debian's kernel per row of linux-boot (CM4 1G and
                    4G, CM3 1G, to the root-mount panic) and of linux-shell (to the
                    busybox prompt), and of linux-kaslr (CM4 1G to the panic with a
                    KASLR seed); default ${EMU_DEFAULTS.linuxBoots}, 0 to leave out
  --repeats N       emu: runs of each loop figure (variants interleaved) and of
                    the svc loop (after a warm-up), best kept (default ${EMU_DEFAULTS.repeats})
  --board NAME      page: board (default ${PAGE_DEFAULTS.board})
  --ram SIZE        page: RAM (default ${PAGE_DEFAULTS.ram})
  --cmdline "..."   page: kernel command line, e.g. "max_order=6" for the A/B
  --pairs N         page: order-0 pairs per figure (default ${PAGE_DEFAULTS.pairs});
                    kmem: pairs per figure (default ${KMEM_DEFAULTS.pairs})
  --order-pairs N   page: pairs per higher order (default ${PAGE_DEFAULTS.orderPairs})
  --memarea-calls N page: memarea calls per point (default ${PAGE_DEFAULTS.memareaCalls})
  --sizes N,N,...   vmalloc, vmalloc-tree: busy-area counts of the scaling table (default ${VMALLOC_TREE_DEFAULTS.sizes.join(',')})
                    (--loops N: loops per figure, default ${VMALLOC_TREE_DEFAULTS.loops})
  --test_loop_count N  vmalloc-tree: test_vmalloc loops (default ${VMALLOC_TREE_DEFAULTS.test_loop_count})
  --faults N        syscall: pages first-touched (default ${SYSCALL_DEFAULTS.faults})
  --elements N      syscall: BPF map elements (default ${SYSCALL_DEFAULTS.bpfElements})
  --lines N         syscall: lines the output-heavy program prints (default ${SYSCALL_DEFAULTS.seqLines})
  --rounds N        syscall: rounds of the compute-bound program (default ${SYSCALL_DEFAULTS.computeRounds})
                    (--syscalls N: getpid calls; --pairs N: mmap/munmap pairs)
  --loop-iterations N  syscall: iterations of the empty shell loop on the booted machine (default ${SYSCALL_DEFAULTS.loopIterations})
  --run-loop-iterations N  syscall: iterations of busybox's shell loop under uconsole run and qemu-aarch64 (default ${SYSCALL_DEFAULTS.runLoopIterations})
  --run-repeats N   syscall: runs of each uconsole run / qemu-aarch64 process, interleaved, best kept (default ${SYSCALL_DEFAULTS.runRepeats})
  --forks N         syscall: fork+exit+wait iterations (default ${SYSCALL_DEFAULTS.forks})
  --execs N         syscall: fork+exec+wait iterations (default ${SYSCALL_DEFAULTS.execs})
  --pipe-mb N       syscall: MB through the pipe (default ${SYSCALL_DEFAULTS.pipeMB})
  -h, --help        this help
`;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} needs a positive integer, not "${v}"`);
  return n;
}

export async function benchCommand(args: string[]): Promise<number> {
  const [suite, ...rest] = args;
  if (!suite || suite.startsWith('-')) throw new UsageError(`bench needs a suite name (suites: ${SUITES})`);
  const { values } = parseOptions(rest, {
    json: { type: 'string' },
    loops: { type: 'string' },
    syscalls: { type: 'string' },
    'linux-boots': { type: 'string' },
    boots: { type: 'string' },
    repeats: { type: 'string' },
    board: { type: 'string' },
    ram: { type: 'string' },
    cmdline: { type: 'string' },
    pairs: { type: 'string' },
    'order-pairs': { type: 'string' },
    'memarea-calls': { type: 'string' },
    sizes: { type: 'string' },
    mode: { type: 'string' },
    objects: { type: 'string' },
    test_repeat_count: { type: 'string' },
    run_test_mask: { type: 'string' },
    sequential_test_order: { type: 'string' },
    nr_threads: { type: 'string' },
    test_loop_count: { type: 'string' },
    faults: { type: 'string' },
    elements: { type: 'string' },
    lines: { type: 'string' },
    rounds: { type: 'string' },
    'loop-iterations': { type: 'string' },
    'run-loop-iterations': { type: 'string' },
    'run-repeats': { type: 'string' },
    forks: { type: 'string' },
    execs: { type: 'string' },
    'pipe-mb': { type: 'string' },
  });
  const progress = (s: string): void => {
    process.stderr.write(`bench ${suite}: ${s}\n`);
  };
  switch (suite) {
    case 'emu': {
      const report = await benchEmu(
        {
          loops: positiveInt('loops', values.loops, EMU_DEFAULTS.loops),
          syscalls: positiveInt('syscalls', values.syscalls, EMU_DEFAULTS.syscalls),
          boots: positiveInt('boots', values.boots, EMU_DEFAULTS.boots),
          repeats: positiveInt('repeats', values.repeats, EMU_DEFAULTS.repeats),
          linuxBoots: values['linux-boots'] === '0' ? 0 : positiveInt('linux-boots', values['linux-boots'], EMU_DEFAULTS.linuxBoots),
        },
        progress,
      );
      writeReport(report, values.json);
      return 0;
    }
    case 'page': {
      const report = await benchPage(
        {
          board: values.board ?? PAGE_DEFAULTS.board,
          ram: values.ram ?? PAGE_DEFAULTS.ram,
          cmdline: values.cmdline,
          pairs: positiveInt('pairs', values.pairs, PAGE_DEFAULTS.pairs),
          orderPairs: positiveInt('order-pairs', values['order-pairs'], PAGE_DEFAULTS.orderPairs),
          memareaCalls: positiveInt('memarea-calls', values['memarea-calls'], PAGE_DEFAULTS.memareaCalls),
        },
        progress,
      );
      writeReport(report, values.json);
      return 0;
    }
    case 'vmalloc-tree': {
      const sizes = values.sizes?.split(',').map((v) => positiveInt('sizes', v, 0)) ?? VMALLOC_TREE_DEFAULTS.sizes;
      const report = benchVmallocTree(
        {
          ...VMALLOC_TREE_DEFAULTS,
          sizes,
          loops: positiveInt('loops', values.loops, VMALLOC_TREE_DEFAULTS.loops),
          test_loop_count: positiveInt('test_loop_count', values.test_loop_count, VMALLOC_TREE_DEFAULTS.test_loop_count),
        },
        progress,
      );
      writeReport(report, values.json);
      process.stdout.write(formatScaling(report));
      return 0;
    }
    case 'percpu': {
      const objects = positiveInt('objects', values.objects, PERCPU_CHUNK_DEFAULTS.objects);
      const report = benchPercpuChunk({ ...PERCPU_CHUNK_DEFAULTS, objects }, progress);
      const bootedObjects = Math.min(objects, PERCPU_BOOTED_DEFAULTS.objects);
      const booted = await benchPercpuBooted({ ...PERCPU_BOOTED_DEFAULTS, objects: bootedObjects }, progress);
      report.results.push(...booted);
      report.params.bootedObjects = bootedObjects;
      writeReport(report, values.json);
      process.stdout.write(formatPublishedComparison(report));
      process.stdout.write(formatBooted(booted, bootedObjects));
      return 0;
    }
    case 'vmalloc': {
      const mode = values.mode ?? 'performance';
      if (mode !== 'performance' && mode !== 'stress') throw new UsageError(`--mode must be performance or stress, not "${mode}"`);
      const d = vmallocDefaults(mode);
      const flag = (v: string | undefined, name: string): boolean => {
        if (v === undefined) return name === 'sequential_test_order' ? d.sequential_test_order : false;
        if (v !== '0' && v !== '1') throw new UsageError(`--${name} is 0 or 1, not "${v}"`);
        return v === '1';
      };
      const report = await benchVmalloc(
        {
          ...d,
          board: values.board ?? d.board,
          ram: values.ram ?? d.ram,
          test_loop_count: positiveInt('test_loop_count', values.test_loop_count, d.test_loop_count),
          test_repeat_count: positiveInt('test_repeat_count', values.test_repeat_count, d.test_repeat_count),
          run_test_mask: positiveInt('run_test_mask', values.run_test_mask, d.run_test_mask),
          sequential_test_order: flag(values.sequential_test_order, 'sequential_test_order'),
          nr_threads: values.nr_threads === undefined ? d.nr_threads : positiveInt('nr_threads', values.nr_threads, 1),
          scaling: values.sizes === undefined ? d.scaling : values.sizes.split(',').map((v) => positiveInt('sizes', v, 0)),
        },
        progress,
        (line) => process.stdout.write(`${line}\n`),
      );
      writeReport(report, values.json);
      return 0;
    }
    case 'kmem': {
      const report = await benchKmem({ ...KMEM_DEFAULTS, pairs: positiveInt('pairs', values.pairs, KMEM_DEFAULTS.pairs) }, progress);
      writeReport(report, values.json);
      return 0;
    }
    case 'syscall': {
      const d = SYSCALL_DEFAULTS;
      const report = await benchSyscall(
        {
          syscalls: positiveInt('syscalls', values.syscalls, d.syscalls),
          faults: positiveInt('faults', values.faults, d.faults),
          pairs: positiveInt('pairs', values.pairs, d.pairs),
          bpfElements: positiveInt('elements', values.elements, d.bpfElements),
          seqLines: positiveInt('lines', values.lines, d.seqLines),
          computeRounds: positiveInt('rounds', values.rounds, d.computeRounds),
          loopIterations: positiveInt('loop-iterations', values['loop-iterations'], d.loopIterations),
          runLoopIterations: positiveInt('run-loop-iterations', values['run-loop-iterations'], d.runLoopIterations),
          runRepeats: positiveInt('run-repeats', values['run-repeats'], d.runRepeats),
          forks: positiveInt('forks', values.forks, d.forks),
          execs: positiveInt('execs', values.execs, d.execs),
          pipeMB: positiveInt('pipe-mb', values['pipe-mb'], d.pipeMB),
        },
        progress,
      );
      writeReport(report, values.json);
      return 0;
    }
    default:
      throw new UsageError(`unknown bench suite "${suite}" (suites: ${SUITES})`);
  }
}
