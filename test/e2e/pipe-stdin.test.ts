import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { shell, tempDir, weft } from './helpers.js';

const LOG = Array.from(
  { length: 40_000 },
  (_, i) => `${i} ${i % 7 ? 'INFO' : 'WARN'} ${'x'.repeat(i % 61)}${i % 13 ? '' : ' >'}\n`,
).join('');

/** Runs a shell line in `cwd` where `weft` is a function; resolves to its stdout and status. */
const sh = async (line: string, cwd: string) => {
  const { stdout, code } = await shell(line, cwd);
  return { stdout, code };
};

// weft reads standard input three ways: a regular file is cut by offsets, a pipe is read
// with a descriptor of weft's own, anything else (here a socket) through process.stdin.
// All three must cut the same chunks.
describe.concurrent('--pipe: stdin as a file, a pipe or a socket gives the same chunks', () => {
  const cases: string[][] = [
    ['--block', '100k'],
    ['--block', '1M'],
    ['--block', '30k', '--header', '2'],
    ['-N', '997'],
    ['--block', '20k', '--recstart', '>'],
    ['--block', '50k', '--recend', 'WARN'],
    ['--block', '64k', '-L', '3'],
  ];
  it.each(cases.map((c) => [c.join(' '), c] as const))('%s', async (_name, args) => {
    const dir = tempDir({ 'in.log': LOG });
    const cmd = [...args, '-k', '-j2', '--pipe', 'cksum'];
    const q = cmd.map((a) => `'${a}'`).join(' ');
    const [socket, file, pipe] = await Promise.all([
      weft(cmd, { stdin: LOG }),
      sh(`weft ${q} < in.log`, dir),
      sh(`cat in.log | weft ${q}`, dir),
    ]);
    expect(socket.stderr).toBe('');
    expect(socket.code).toBe(0);
    expect(socket.stdout.split('\n').length).toBeGreaterThan(2);
    expect(file).toEqual({ stdout: socket.stdout, code: 0 });
    expect(pipe).toEqual({ stdout: socket.stdout, code: 0 });
  });

  it('a file that says its size is 0 (/proc) is read as a stream, not dropped', async () => {
    const dir = tempDir({});
    const want = readFileSync('/proc/cpuinfo').length;
    const r = await sh(
      `weft --pipe wc -c < /proc/cpuinfo; weft --pipe --format lines -a /proc/cpuinfo wc -c`,
      dir,
    );
    expect(r).toEqual({ stdout: `${want}\n${want}\n`, code: 0 });
  });

  it('a file read partly before weft starts: weft takes the rest', async () => {
    const dir = tempDir({ 'in.txt': 'first\na\nb\nc\n' });
    const r = await sh(`{ read -r line; weft --pipe -N2 -k paste -sd,; } < in.txt`, dir);
    expect(r).toEqual({ stdout: 'a,b\nc\n', code: 0 });
  });

  it('--cat and --fifo with stdin as a file', async () => {
    const dir = tempDir({ 'in.log': LOG });
    const want = await weft(['-k', '--pipe', '--block', '200k', 'wc', '-l'], { stdin: LOG });
    for (const how of ['--cat', '--fifo']) {
      const r = await sh(`weft -k --pipe --block 200k ${how} 'wc -l < {}' < ${join(dir, 'in.log')}`, dir);
      expect(r).toEqual({ stdout: want.stdout, code: 0 });
    }
  });

  const CSV =
    'id,text\n' +
    Array.from({ length: 30_000 }, (_, i) =>
      i % 5 ? `${i},plain ${i}\n` : `${i},"multi\nline, ""${i}"""\n`,
    ).join('');

  const NDJSON = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: i, s: `é ${i}` }) + '\n').join(
    '',
  );

  it.each([
    ['csv by block', ['--format', 'csv', '--block', '50k'], CSV],
    ['csv by records', ['--format', 'csv', '--records', '777'], CSV],
    ['lines', ['--format', 'lines', '--block', '30k'], CSV],
    ['ndjson', ['--format', 'ndjson', '--block', '30k'], NDJSON],
  ])('--format %s: the same chunks from a file, a pipe, a socket, and gzip', async (_name, args, input) => {
    const dir = tempDir({ 'in.csv': input, 'in.csv.gz': gzipSync(input) });
    const cmd = [...args, '-k', '-j2', 'cksum'];
    const q = cmd.map((a) => `'${a}'`).join(' ');
    const [socket, file, pipe, gzFile, gzPipe] = await Promise.all([
      weft(cmd, { stdin: input }),
      sh(`weft ${q} < in.csv`, dir),
      sh(`cat in.csv | weft ${q}`, dir),
      sh(`weft ${q} < in.csv.gz`, dir),
      sh(`cat in.csv.gz | weft ${q}`, dir),
    ]);
    expect(socket).toMatchObject({ stderr: '', code: 0 });
    expect(socket.stdout.split('\n').length).toBeGreaterThan(3);
    for (const r of [file, pipe, gzFile, gzPipe]) expect(r).toEqual({ stdout: socket.stdout, code: 0 });
  });
});

// A file range (--pipepart, or --pipe on a file) reaches its job through GNU dd when there
// is one, else through weft itself; the job sees the same bytes either way, and it is still
// the process weft started (exit status, signals, timeouts).
describe.concurrent('file ranges: copied beside the job', () => {
  const NUMS = Array.from({ length: 5000 }, (_, i) => `${i + 1}\n`).join('');
  // Only shell builtins, so the job also runs with a PATH that has no dd.
  const COUNT = 'n=0; while IFS= read -r l; do n=$((n+1)); done; echo "$n $PARALLEL_SEQ"';

  it.each([
    ['with dd', {}],
    ['without dd (PATH has none)', { PATH: '/nonexistent' }],
  ])('--pipepart with a header, %s', async (_name, env) => {
    const dir = tempDir({ 'n.txt': 'HEAD\n' + NUMS });
    const r = await weft(['-k', '--pipepart', '-a', 'n.txt', '--header', ':', '--block', '8k', COUNT], {
      cwd: dir,
      env,
    });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number));
    expect(rows.length).toBeGreaterThan(2);
    // Every job counts its header line too.
    expect(rows.reduce((a, [n]) => a + n - 1, 0)).toBe(5000);
    expect(rows.map(([, seq]) => seq)).toEqual(rows.map((_, i) => i + 1));
  });

  it('a job that kills itself is logged with its signal; a timed-out one with -1', async () => {
    const dir = tempDir({ 'n.txt': NUMS });
    await weft(
      ['-k', '--pipepart', '-a', 'n.txt', '--block', '-1', '-j1', '--joblog', 'log', 'kill -TERM $$'],
      {
        cwd: dir,
      },
    );
    await weft(
      [
        '-k',
        '--pipepart',
        '-a',
        'n.txt',
        '--block',
        '-1',
        '-j1',
        '--timeout',
        '1',
        '--joblog',
        'log2',
        'sleep 20',
      ],
      {
        cwd: dir,
      },
    );
    const row = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n')[1].split('\t');
    expect(row('log').slice(6, 8)).toEqual(['0', '15']);
    expect(row('log2').slice(6, 8)).toEqual(['-1', '15']);
  });
});
