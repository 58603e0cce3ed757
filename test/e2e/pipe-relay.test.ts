import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rng } from '../unit/aggregate/helpers.js';
import { lines, shell, tempDir } from './helpers.js';

// `cat file | weft --pipe …` relays each chunk from weft's stdin pipe to its job
// (src/chunk/relay): these check that the jobs see exactly the chunks the in-memory splitter
// cuts (WEFT_PIPE_RELAY=off), that nothing is lost when a job reads less than its chunk, and
// that nothing is left behind.

/** Runs a shell line in `cwd` (TMPDIR there too); `weft` execs, so `$!` is weft's pid. */
const sh = (line: string, cwd: string, env: Record<string, string> = {}, timeoutMs = 60_000) =>
  shell(line, cwd, { env: { TMPDIR: cwd, ...env }, exec: true, timeoutMs });

/** Lines of 1..maxLen bytes, any bytes but newline (invalid UTF-8 included). */
function randomLines(seed: number, bytes: number, maxLen: number): Buffer {
  const r = rng(seed);
  const out = Buffer.alloc(bytes);
  let at = 0;
  while (at < bytes) {
    const len = 1 + Math.floor(r() * maxLen);
    // 1..255 but 10: no newline inside a line.
    for (let i = 0; i < len - 1 && at < bytes; i++) out[at++] = 11 + Math.floor(r() * 245);
    if (at < bytes) out[at++] = 10;
  }
  return out;
}

const q = (args: string[]) => args.map((a) => `'${a}'`).join(' ');

describe.concurrent('--pipe relay: the same chunks as the in-memory splitter', () => {
  const cases: [string, string[], number][] = [
    ['default block (1M), 3 MB', ['-j2'], 200],
    ['--block 1M, -j3, long lines', ['-j3', '--block', '1M'], 5000],
    ['--block 1.5M, -j1', ['-j1', '--block', '1.5M'], 300],
    ['--block 2M --recend ;', ['-j2', '--block', '2M', '--recend', ';'], 300],
  ];
  it.each(cases)('%s', async (_name, args, maxLen) => {
    const input = randomLines(args.length * 31 + maxLen, 3_300_000, maxLen);
    if (args.includes(';')) for (let i = 0; i < input.length; i++) if (input[i] === 10) input[i] = 59;
    const dir = tempDir({ 'in.bin': input });
    const line = `cat in.bin | weft ${q([...args, '-k', '--pipe', 'wc -c; cksum'])}`;
    const [relay, memory] = await Promise.all([
      sh(line, dir, { WEFT_PIPE_RELAY: 'on' }),
      sh(line, dir, { WEFT_PIPE_RELAY: 'off' }),
    ]);
    expect(relay.stderr).toBe('');
    expect(relay.code).toBe(0);
    expect(relay.stdout).toBe(memory.stdout);
    // Several chunks, whose sizes add up to the input.
    const sizes = relay.stdout
      .split('\n')
      .filter((_, i) => i % 2 === 0 && _ !== '')
      .map(Number);
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(input.length);
  });

  it('the copier does the copying (a perl on PATH that logs each start)', async () => {
    const bin = tempDir();
    const real = process.env
      .PATH!.split(':')
      .map((d) => join(d, 'perl'))
      .find((p) => existsSync(p))!;
    writeFileSync(join(bin, 'perl'), `#!/bin/sh\necho started >> "${bin}/log"\nexec '${real}' "$@"\n`, {
      mode: 0o755,
    });
    const input = randomLines(5, 3_000_000, 100);
    const dir = tempDir({ 'in.bin': input });
    const r = await sh(`cat in.bin | weft -k --pipe wc -c`, dir, { PATH: `${bin}:${process.env.PATH}` });
    expect(r.code).toBe(0);
    expect(
      lines(r.stdout)
        .map(Number)
        .reduce((a, b) => a + b, 0),
    ).toBe(input.length);
    // One copier for the whole run.
    expect(readFileSync(join(bin, 'log'), 'utf8')).toBe('started\n');
  });

  it('small blocks with WEFT_PIPE_RELAY=on (windows of a quarter block)', async () => {
    const input = randomLines(7, 200_000, 40);
    const dir = tempDir({ 'in.bin': input });
    const line = `cat in.bin | weft ${q(['-j2', '-k', '--pipe', '--block', '2k', 'cksum'])}`;
    const [relay, memory] = await Promise.all([
      sh(line, dir, { WEFT_PIPE_RELAY: 'on' }),
      sh(line, dir, { WEFT_PIPE_RELAY: 'off' }),
    ]);
    expect(relay.code).toBe(0);
    expect(relay.stdout.split('\n').length).toBeGreaterThan(50);
    expect(relay.stdout).toBe(memory.stdout);
  });

  it('a job that reads part of its chunk, or none, does not shift the next chunk', async () => {
    const input = randomLines(11, 3_000_000, 100);
    const dir = tempDir({ 'in.bin': input });
    // Odd chunks read nothing; even ones one line. Every chunk starts at a line start.
    const cmd = 'if [ $((PARALLEL_SEQ % 2)) = 1 ]; then echo skip; else head -n 1 | cksum; fi';
    const line = `cat in.bin | weft ${q(['-j2', '-k', '--pipe', '--block', '1M', cmd])}`;
    const [relay, memory] = await Promise.all([
      sh(line, dir, { WEFT_PIPE_RELAY: 'on' }),
      sh(line, dir, { WEFT_PIPE_RELAY: 'off' }),
    ]);
    expect(relay.code).toBe(0);
    expect(relay.stdout).toBe(memory.stdout);
    expect(relay.stdout.split('\n').length).toBeGreaterThan(3);
  });

  it('a job killed by --timeout mid-chunk does not shift the next chunk', async () => {
    const input = randomLines(13, 2_500_000, 100);
    const dir = tempDir({ 'in.bin': input });
    // The first job sleeps past its timeout without reading; the others count their chunk.
    const cmd = 'if [ $PARALLEL_SEQ = 1 ]; then sleep 30; else wc -c; fi';
    const line = `cat in.bin | weft ${q(['-j2', '-k', '--timeout', '1', '--pipe', '--block', '1M', cmd])}`;
    const [relay, memory] = await Promise.all([
      sh(line, dir, { WEFT_PIPE_RELAY: 'on' }),
      sh(line, dir, { WEFT_PIPE_RELAY: 'off' }),
    ]);
    expect(relay.code).toBe(1);
    expect(relay.stdout).toBe(memory.stdout);
    expect(relay.stdout.split('\n').filter(Boolean).length).toBe(2);
  });
});

describe('--pipe relay: nothing left behind', () => {
  /** Processes whose environment names weft's pid as PARALLEL_PID (jobs, the copier). */
  const children = (pid: number) =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(`PARALLEL_PID=${pid}`);
        } catch {
          return false;
        }
      });

  it('--halt now on an endless stdin: weft ends, and so does its copier; the named pipes go', async () => {
    const dir = tempDir();
    const r = await sh(
      `yes 0123456789 | weft --pipe --block 1M --halt now,fail=1 'exit 1' & echo $! > pid; wait $!`,
      dir,
      {},
      20_000,
    );
    expect(r.code).toBe(1);
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(children(pid)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.startsWith('weft-relay-'))).toEqual([]);
  });

  it('a first SIGINT on an endless stdin: the running jobs finish, weft ends with 130', async () => {
    const dir = tempDir();
    const run = sh(
      `yes 0123456789 | weft -j2 --pipe --block 1M 'wc -l >/dev/null' & echo $! > pid; wait $!`,
      dir,
      {},
      30_000,
    );
    // Signalled once it runs the copier or a job (its handlers are in place by then); jobs
    // come and go, so what counts is having seen one.
    let pid = 0;
    let running = false;
    for (let i = 0; i < 200 && !running; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (!pid && existsSync(join(dir, 'pid'))) pid = Number(readFileSync(join(dir, 'pid'), 'utf8')) || 0;
      running = pid > 0 && children(pid).length > 0;
    }
    expect(running).toBe(true);
    process.kill(pid, 'SIGINT');
    const r = await run;
    // stderr too, so a failure shows why.
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 130,
      stderr: expect.not.stringMatching(/weft: (?!SIGINT|Waiting|wc -l)/),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(children(pid)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.startsWith('weft-relay-'))).toEqual([]);
  });

  it('without perl on PATH, stdin is cut in memory as before', async () => {
    const bin = tempDir();
    for (const tool of ['cat', 'sh', 'bash', 'wc', 'cksum', 'mkfifo', 'dd']) {
      const found = ['/usr/bin', '/bin'].map((d) => join(d, tool)).find((p) => existsSync(p));
      if (found) symlinkSync(found, join(bin, tool));
    }
    const input = randomLines(17, 2_500_000, 100);
    const dir = tempDir({ 'in.bin': input });
    const line = `cat in.bin | weft ${q(['-j2', '-k', '--pipe', '--block', '1M', 'cksum'])}`;
    const [noPerl, memory] = await Promise.all([
      sh(line, dir, { PATH: bin, SHELL: join(bin, 'sh') }),
      sh(line, dir, { WEFT_PIPE_RELAY: 'off' }),
    ]);
    expect(noPerl.stderr).toBe('');
    expect(noPerl.stdout).toBe(memory.stdout);
  });

  it('a copier that fails is an error that says so (exit 255), not a silent short chunk', async () => {
    const bin = tempDir();
    const perl = join(bin, 'perl');
    writeFileSync(perl, '#!/bin/sh\necho "perl: broken" >&2\nexit 2\n', { mode: 0o755 });
    const input = randomLines(19, 2_500_000, 100);
    const dir = tempDir({ 'in.bin': input });
    const r = await sh(`cat in.bin | weft --pipe --block 1M wc -c`, dir, {
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/reading stdin: the copier \(perl\) ended: perl: broken/);
  });
});
