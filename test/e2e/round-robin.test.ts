import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gnuParallel } from './gnu.js';
import { lines, tempDir, WEFT, weft } from './helpers.js';

const seq = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');

const BIG = seq(1, 100_000);

describe.concurrent('--round-robin', () => {
  it('starts one job per slot; each reads many blocks; nothing lost (joblog: 3 rows)', async () => {
    const dir = tempDir();
    const r = await weft(
      ['-j3', '--pipe', '--block', '10k', '--round-robin', '--joblog', 'log', 'echo $PARALLEL_SEQ $(wc -l)'],
      { stdin: BIG, cwd: dir },
    );
    expect(r.code).toBe(0);
    const rows = lines(r.stdout).map((l) => l.split(' ').map(Number));
    expect(rows.map(([s]) => s).sort()).toEqual([1, 2, 3]);
    expect(rows.reduce((a, [, n]) => a + n, 0)).toBe(100_000);
    // 100,000 lines of 10 kB blocks are ~60 blocks: some job got far more than one.
    expect(Math.max(...rows.map(([, n]) => n))).toBeGreaterThan(10_000);
    expect(readFileSync(join(dir, 'log'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it('-k deals in strict turn, so the split is the same every run (GNU 20221122: 34209 33803 31988)', async () => {
    const r = await weft(['-k', '-j3', '--pipe', '--block', '10k', '--round-robin', 'wc -l'], { stdin: BIG });
    expect(r.stdout).toBe('34209\n33803\n31988\n');
  });

  it('fewer blocks than slots: only as many jobs as blocks (as GNU)', async () => {
    const r = await weft(['-j3', '--pipe', '--round-robin', 'echo {#} $(wc -l)'], { stdin: seq(1, 10) });
    expect(r.stdout).toBe('1 10\n');
  });

  it('implies --pipe (GNU 20221122 ignores --round-robin without --pipe)', async () => {
    const r = await weft(['-j3', '--round-robin', 'wc', '-l'], { stdin: seq(1, 10) });
    expect(r.stdout).toBe('10\n');
  });

  it('--header: once at the start of each job, not per block', async () => {
    const r = await weft(['-k', '-j2', '--pipe', '-N1', '--header', ':', '--round-robin', 'paste -sd,'], {
      stdin: 'h\n' + seq(1, 6),
    });
    expect(r.stdout).toBe('h,1,3,5\nh,2,4,6\n');
  });

  it('--pipepart: one range per job slot (GNU: --block -1)', async () => {
    const dir = tempDir({ 'n.txt': BIG });
    const r = await weft(
      ['-k', '-j3', '--pipepart', '-a', 'n.txt', '--block', '1k', '--round-robin', 'wc -l'],
      {
        cwd: dir,
      },
    );
    expect(r.stdout).toBe('34568\n32717\n32715\n');
  });

  it('--cat: each job gets one file with all its blocks', async () => {
    const r = await weft(['-k', '-j3', '--pipe', '--block', '10k', '--round-robin', '--cat', 'wc -l < {}'], {
      stdin: BIG,
    });
    expect(r.stdout).toBe('34209\n33803\n31988\n');
  });

  it('--fifo: each job reads all its blocks through one named pipe', async () => {
    const r = await weft(['-k', '-j3', '--pipe', '--block', '10k', '--round-robin', '--fifo', 'wc -l < {}'], {
      stdin: BIG,
    });
    expect(r.stdout).toBe('34209\n33803\n31988\n');
  });

  it('a job that stops reading early gets no more; the others get the rest (GNU dies of SIGPIPE)', async () => {
    const cmd = 'if [ $PARALLEL_SEQ = 1 ]; then head -1; else wc -l; fi';
    const r = await weft(['-k', '-j2', '--pipe', '--block', '10k', '--round-robin', cmd], { stdin: BIG });
    expect(r.code).toBe(0);
    const [first, second] = lines(r.stdout);
    expect(first).toBe('1');
    expect(Number(second)).toBeGreaterThan(90_000);
  });

  it('--retries is refused, as in GNU (exit 255)', async () => {
    const r = await weft(['--pipe', '--round-robin', '--retries', '2', 'cat'], { stdin: 'x\n' });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^weft: --round-robin cannot be combined with --retries/);
  });

  it('--format is refused (exit 255)', async () => {
    const r = await weft(['--format', 'lines', '--round-robin', 'cat'], { stdin: 'x\n' });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^weft: --round-robin cannot be combined with --format/);
  });

  it.each([
    ['--round-robin', ['--pipe', '-N1', '--round-robin']],
    ['--pipe', ['--pipe', '-N1']],
    ['--format lines', ['--format', 'lines', '--records', '1']],
  ])('SIGINT on a live stream (%s) exits 130 without waiting for more input', async (_name, mode) => {
    const res = await new Promise<{ code: number | null; ms: number }>((resolve) => {
      const feeder = spawn('sh', ['-c', 'seq 5; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const w = spawn(process.execPath, [WEFT, '-u', '-j2', ...mode, 'cat'], {
        stdio: [feeder.stdout, 'pipe', 'ignore'],
      });
      let t0 = 0;
      // Interrupt once the jobs are reading: their output (-u) shows the input arrived.
      w.stdout.once('data', () => {
        t0 = Date.now();
        w.kill('SIGINT');
      });
      w.on('close', (code) => {
        feeder.kill();
        resolve({ code, ms: Date.now() - t0 });
      });
    });
    expect(res.code).toBe(130);
    // Well before the feeder's 60 s.
    expect(res.ms).toBeLessThan(30_000);
  });
});

describe.concurrent('--round-robin side by side with GNU parallel', () => {
  const cases: [string, string[], string][] = [
    ['-k, --block', ['-k', '-j3', '--pipe', '--block', '10k', '--round-robin', 'wc -l'], BIG],
    ['-k, -N', ['-k', '-j2', '--pipe', '-N7', '--round-robin', 'paste -sd+ | bc'], seq(1, 100)],
    [
      '-k, --header',
      ['-k', '-j2', '--pipe', '-N1', '--header', ':', '--round-robin', 'paste -sd,'],
      'h\n' + seq(1, 9),
    ],
    ['-k, --cat', ['-k', '-j3', '--pipe', '--block', '10k', '--round-robin', '--cat', 'wc -l < {}'], BIG],
    ['fewer blocks than slots', ['-j3', '--pipe', '--round-robin', 'echo {#} $(wc -l)'], seq(1, 10)],
    ['-j1', ['-j1', '--pipe', '--block', '1k', '--round-robin', 'wc -l'], seq(1, 5000)],
  ];
  it.each(cases)('%s', async (_name, args, stdin) => {
    const [w, g] = await Promise.all([weft(args, { stdin }), gnuParallel(args, { stdin })]);
    expect(w.stdout).toBe(g.stdout);
    expect(w.code).toBe(g.code);
  });

  it('--pipepart', async () => {
    const dir = tempDir({ 'n.txt': BIG });
    const args = ['-k', '-j3', '--pipepart', '-a', 'n.txt', '--round-robin', 'wc -l'];
    const [w, g] = await Promise.all([weft(args, { cwd: dir }), gnuParallel(args, { cwd: dir })]);
    expect(w.stdout).toBe(g.stdout);
  });

  it('without -k: the same total, at most -j jobs', async () => {
    const args = ['-j3', '--pipe', '--block', '10k', '--round-robin', 'wc -l'];
    const [w, g] = await Promise.all([weft(args, { stdin: BIG }), gnuParallel(args, { stdin: BIG })]);
    const sum = (s: string) => lines(s).reduce((a, n) => a + Number(n), 0);
    expect(sum(w.stdout)).toBe(sum(g.stdout));
    expect(lines(w.stdout).length).toBe(lines(g.stdout).length);
  });
});

describe.concurrent('--round-robin, --cat and --fifo with other features', () => {
  it.each([
    [['--pipe', '--round-robin', '--cache', 'dir', 'cat'], /--round-robin cannot be combined with --cache/],
    [
      ['--pipe', '--round-robin', '--dedupe', 'cat'],
      /--round-robin cannot be combined with --cache or --dedupe/,
    ],
    [['--pipe', '--round-robin', '--queue', 'redis://127.0.0.1:1', 'cat'], /cannot be combined with --queue/],
    [['--pipe', '--cat', '--queue', 'redis://127.0.0.1:1', 'cat'], /cannot be combined with --queue/],
  ])('%j is refused', async (args, message) => {
    const r = await weft(args as string[], { stdin: 'x\n' });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(message as RegExp);
  });
});
