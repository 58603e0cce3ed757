import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gnuParallel } from './gnu.js';
import { lines, tempDir, WEFT, weft } from './helpers.js';

const seq = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');

/** A private TMPDIR, so a test can see every temporary file weft leaves behind. */
function tmp(): { dir: string; env: Record<string, string>; left: () => string[] } {
  const dir = tempDir();
  return { dir, env: { TMPDIR: dir }, left: () => readdirSync(dir) };
}

describe.concurrent('--cat', () => {
  it('{} names a file holding the chunk; the job reads it, not stdin', async () => {
    const t = tmp();
    const r = await weft(['--pipe', '-N3', '-k', '--cat', 'test -f {} && paste -sd, {}; wc -c'], {
      stdin: seq(1, 7),
      env: t.env,
    });
    expect(r).toMatchObject({ stdout: '1,2,3\n0\n4,5,6\n0\n7\n0\n', code: 0 });
  });

  it('the file is removed after its job, and the run leaves no temporary directory', async () => {
    const t = tmp();
    const r = await weft(['--pipe', '-N2', '-k', '--cat', 'echo {}'], { stdin: seq(1, 6), env: t.env });
    const names = lines(r.stdout);
    expect(names).toHaveLength(3);
    for (const n of names) expect(n.startsWith(t.dir)).toBe(true);
    expect(new Set(names).size).toBe(3);
    expect(t.left()).toEqual([]);
  });

  it('implies --pipe, and {} is appended when the command names none (as GNU)', async () => {
    const t = tmp();
    const r = await weft(['-N3', '-k', '--cat', 'wc', '-l'], { stdin: seq(1, 7), env: t.env });
    expect(lines(r.stdout).map((l) => l.split(' ')[0])).toEqual(['3', '3', '1']);
    expect(lines(r.stdout).every((l) => l.split(' ')[1].startsWith(t.dir))).toBe(true);
  });

  it('--dry-run and the joblog show {} as $PARALLEL_TMP, as GNU does', async () => {
    const dir = tempDir();
    const dry = await weft(['--dry-run', '--pipe', '-N2', '--cat', 'wc', '-l'], {
      stdin: seq(1, 4),
      cwd: dir,
    });
    expect(dry.stdout).toBe('wc -l $PARALLEL_TMP\nwc -l $PARALLEL_TMP\n');
    await weft(['--pipe', '-N2', '--cat', '--joblog', 'log.tsv', 'wc -l {}'], { stdin: seq(1, 4), cwd: dir });
    const rows = readFileSync(join(dir, 'log.tsv'), 'utf8').trim().split('\n').slice(1);
    expect(rows.map((l) => l.split('\t')[8])).toEqual(['wc -l $PARALLEL_TMP', 'wc -l $PARALLEL_TMP']);
  });

  it('--tag prints $PARALLEL_TMP as the tag (as GNU)', async () => {
    const r = await weft(['--pipe', '-N2', '-k', '--cat', '--tag', 'wc -l < {}'], { stdin: seq(1, 4) });
    expect(r.stdout).toBe('$PARALLEL_TMP\t2\n$PARALLEL_TMP\t2\n');
  });

  it('with --pipepart: each range (and the header) in its file', async () => {
    const dir = tempDir({ 'h.txt': 'HEAD\n' + seq(1, 9) });
    const r = await weft(
      ['--pipepart', '-a', 'h.txt', '--header', ':', '--block', '5', '-k', '--cat', 'paste -sd, {}'],
      {
        cwd: dir,
      },
    );
    expect(r.stdout).toBe('HEAD,1,2,3\nHEAD,4,5,6\nHEAD,7,8,9\n');
  });

  it('with --format csv: the header row is in every file', async () => {
    const csv = 'id,text\n1,"a\nb"\n2,c\n3,d\n';
    const r = await weft(['--format', 'csv', '--records', '2', '-k', '--cat', 'cat {}; echo ---'], {
      stdin: csv,
    });
    expect(r.stdout).toBe('id,text\n1,"a\nb"\n2,c\n---\nid,text\n3,d\n---\n');
  });

  it('--retries: each attempt gets the whole chunk again', async () => {
    const dir = tempDir();
    // Fails the first time per chunk (marker file), succeeds the second.
    const cmd = 'n=$(head -1 {}); if [ -e seen$n ]; then wc -l < {}; else touch seen$n; exit 1; fi';
    const r = await weft(['--pipe', '-N2', '-k', '--cat', '--retries', '2', cmd], {
      stdin: seq(1, 4),
      cwd: dir,
    });
    expect(r).toMatchObject({ stdout: '2\n2\n', code: 0 });
  });

  it('the temporary directory goes even when weft exits early (stdout closed by head)', async () => {
    const t = tmp();
    const { spawnSync } = await import('node:child_process');
    for (const how of ['--cat', '--fifo']) {
      const r = spawnSync(
        'sh',
        ['-c', `seq 100000 | "$NODE" "$WEFT_JS" --pipe -N1000 -k ${how} 'cat {}' | head -1`],
        { env: { ...process.env, ...t.env, NODE: process.execPath, WEFT_JS: WEFT }, encoding: 'utf8' },
      );
      expect(r.stdout).toBe('1\n');
      expect(t.left()).toEqual([]);
    }
  });

  it('--cat and --fifo exclude each other (exit 255, as GNU)', async () => {
    const r = await weft(['--pipe', '--cat', '--fifo', 'cat {}'], { stdin: 'x\n' });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^weft: --cat and --fifo exclude each other/);
  });
});

describe.concurrent('--fifo', () => {
  it('{} is a named pipe the chunk streams through; stdin is empty', async () => {
    const t = tmp();
    const r = await weft(['--pipe', '-N3', '-k', '--fifo', 'test -p {} && paste -sd, {}; wc -c'], {
      stdin: seq(1, 7),
      env: t.env,
    });
    expect(r).toMatchObject({ stdout: '1,2,3\n0\n4,5,6\n0\n7\n0\n', code: 0 });
    expect(t.left()).toEqual([]);
  });

  it('streams chunks larger than a pipe buffer', async () => {
    const r = await weft(['--pipe', '--block', '1M', '-k', '--fifo', 'wc -l < {}'], {
      stdin: seq(1, 200_000),
    });
    expect(lines(r.stdout).reduce((a, n) => a + Number(n), 0)).toBe(200_000);
    expect(lines(r.stdout).length).toBeGreaterThan(1);
  });

  it('a job that never opens the pipe does not hang the run (GNU blocks forever)', async () => {
    const t = tmp();
    const r = await weft(['--pipe', '-N2', '-k', '--fifo', 'echo skipped'], { stdin: seq(1, 6), env: t.env });
    expect(lines(r.stdout).map((l) => l.split(' ')[0])).toEqual(['skipped', 'skipped', 'skipped']);
    expect(r.code).toBe(0);
    expect(t.left()).toEqual([]);
  });

  it('a job that reads only part of the pipe ends normally', async () => {
    const r = await weft(['--pipe', '--block', '100k', '-k', '--fifo', 'head -1 {}'], {
      stdin: seq(1, 100_000),
    });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toBe('1');
    expect(lines(r.stdout).length).toBeGreaterThan(3);
  });

  it('with --pipepart', async () => {
    const dir = tempDir({ 'n.txt': seq(1, 9) });
    const r = await weft(['--pipepart', '-a', 'n.txt', '--block', '5', '-k', '--fifo', 'paste -sd, {}'], {
      cwd: dir,
    });
    expect(r.stdout).toBe('1,2,3\n4,5,6\n7,8,9\n');
  });
});

describe.concurrent('--cat and --fifo side by side with GNU parallel', () => {
  const cases: [string, string[], string][] = [
    ['--cat, -N3', ['--pipe', '-N3', '-k', '--cat', 'paste -sd, {}'], seq(1, 10)],
    ['--cat implies --pipe, {} appended', ['-N4', '-k', '--cat', 'wc -l <'], seq(1, 10)],
    [
      '--cat, replacement strings of $PARALLEL_TMP',
      ['--pipe', '-N5', '-k', '--cat', 'cat {.} {/}; echo {#}'],
      seq(1, 10),
    ],
    ['--fifo, --block', ['--pipe', '--block', '20', '-k', '--fifo', 'wc -l < {}'], seq(1, 30)],
    ['--fifo, --header', ['--pipe', '-N2', '--header', ':', '-k', '--fifo', 'cat {}'], 'H\n' + seq(1, 5)],
    ['--cat, --tag', ['--pipe', '-N2', '-k', '--cat', '--tag', 'wc -l < {}'], seq(1, 4)],
    ['--cat --dry-run', ['--pipe', '-N2', '--cat', '--dry-run', 'wc', '-l'], seq(1, 4)],
  ];
  it.each(cases)('%s', async (_name, args, stdin) => {
    const [w, g] = await Promise.all([weft(args, { stdin }), gnuParallel(args, { stdin })]);
    expect(w.stdout).toBe(g.stdout);
    expect(w.code).toBe(g.code);
  });

  it('--pipepart --cat', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'n.txt'), seq(1, 1000));
    const args = ['--pipepart', '-a', 'n.txt', '--block', '1k', '-k', '--cat', 'wc -l < {}'];
    const [w, g] = await Promise.all([weft(args, { cwd: dir }), gnuParallel(args, { cwd: dir })]);
    expect(w.stdout).toBe(g.stdout);
  });
});
