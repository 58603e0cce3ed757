import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { defaultSpec, run, type JobSpec, type WeftEvent } from '../../src/index.js';
import { lines, sortedLines, tempDir, weft } from './helpers.js';

const MODULES = {
  'upper.mjs': `export default async (input, ctx) => {
  console.log('job', ctx.seq, 'slot', ctx.slot);
  return Array.isArray(input) ? input.join('+').toUpperCase() + '\\n' : input.toUpperCase();
};`,
  'kinds.mjs': `export default (input) => {
  const [kind] = input;
  if (kind === 'object') return { kind, n: 1 };
  if (kind === 'bytes') return new Uint8Array([104, 105, 10]);
  if (kind === 'nothing') return undefined;
  if (kind === 'throw') throw new Error('no ' + kind);
  if (kind === 'exit') process.exit(3);
  return kind + '\\n';
};`,
  'sleep.mjs': `export default async (input, ctx) => {
  const ms = Number(input[0]);
  if (ms < 0) { const end = Date.now() - ms; while (Date.now() < end); return 'spun\\n'; }
  await new Promise((r) => { const t = setTimeout(r, ms); ctx.signal.addEventListener('abort', () => { clearTimeout(t); r(); }); });
  return ctx.signal.aborted ? 'aborted\\n' : 'slept ' + ms + '\\n';
};`,
  'records.mjs': `export default (chunk) =>
  chunk.split('\\n').filter(Boolean).map((l) => JSON.stringify({ ...JSON.parse(l), seen: true })).join('\\n') + '\\n';`,
  'no-default.mjs': 'export const x = 1;\n',
};

const joblogRows = (dir: string) =>
  lines(readFileSync(join(dir, 'jl'), 'utf8'))
    .slice(1)
    .map((l) => l.split('\t'))
    .sort((a, b) => Number(a[0]) - Number(b[0]));

describe('--js MODULE', () => {
  it('passes argument jobs their arguments, and prints what the job prints, then returns', async () => {
    const dir = tempDir(MODULES);
    const r = await weft(['--js', 'upper.mjs', '-k', '-N2', ':::', 'a', 'b', 'c', 'd'], { cwd: dir });
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.filter((l) => !l.startsWith('job'))).toEqual(['A+B', 'C+D']);
    expect(out[0]).toMatch(/^job 1 slot [12]$/);
    expect(out[2]).toMatch(/^job 2 slot [12]$/);
  });

  it('passes pipe-mode jobs their chunk as text', async () => {
    const dir = tempDir(MODULES);
    const input = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i })).join('\n') + '\n';
    const r = await weft(['--pipe', '--format', 'ndjson', '--records', '7', '-k', '--js', 'records.mjs'], {
      cwd: dir,
      stdin: input,
    });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual(Array.from({ length: 50 }, (_, i) => JSON.stringify({ i, seen: true })));
  });

  it('reads --pipepart ranges in the worker', async () => {
    const body = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const dir = tempDir({ ...MODULES, 'in.txt': body });
    const r = await weft(['--pipepart', '-a', 'in.txt', '--block', '300', '-k', '--js', 'upper.mjs'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(lines(r.stdout).filter((l) => !l.startsWith('job'))).toEqual(lines(body.toUpperCase()));
  });

  it('writes strings and bytes as they are, objects as JSON lines, nothing for undefined', async () => {
    const dir = tempDir(MODULES);
    const r = await weft(['--js', 'kinds.mjs', '-k', ':::', 'text', 'object', 'bytes', 'nothing'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('text\n{"kind":"object","n":1}\nhi\n');
  });

  it('fails a job that throws (exit 1, the error on stderr) or exits, and goes on', async () => {
    const dir = tempDir(MODULES);
    const r = await weft(['--js', 'kinds.mjs', '-k', '--joblog', 'jl', ':::', 'throw', 'ok', 'exit'], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr).toContain('Error: no throw\n    at default (file://');
    expect(r.stderr).not.toContain('exec/js');
    const rows = joblogRows(dir);
    expect(rows.map((c) => [c[0], c[6], c[8]])).toEqual([
      ['1', '1', 'kinds.mjs throw'],
      ['2', '0', 'kinds.mjs ok'],
      ['3', '3', 'kinds.mjs exit'],
    ]);
  });

  it('stops a job at --timeout: its signal aborts, and a job that does not stop loses its thread', async () => {
    const dir = tempDir(MODULES);
    const r = await weft(
      ['--js', 'sleep.mjs', '-j2', '--timeout', '1', '--joblog', 'jl', ':::', '5000', '-30000', '10'],
      { cwd: dir, timeoutMs: 20_000 },
    );
    expect(r.code).toBe(2);
    // As a killed process's, what the stopped job wrote is kept.
    expect(sortedLines(r.stdout)).toEqual(['aborted', 'slept 10']);
    const byArg = Object.fromEntries(joblogRows(dir).map((c) => [c[8].split(' ')[1], c]));
    expect(byArg['5000'][6]).toBe('-1');
    expect(byArg['-30000'][6]).toBe('-1');
    // The spinning job's thread was ended and replaced: the job after it still ran.
    expect(Number(byArg['-30000'][3])).toBeLessThan(10);
  });

  it('grows a thread per slot with -j auto', async () => {
    const dir = tempDir(MODULES);
    const args = Array.from({ length: 40 }, () => '200');
    const r = await weft(['--js', 'sleep.mjs', '-j', 'auto', '--events', 'ev.ndjson', ':::', ...args], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(40);
    const ev = lines(readFileSync(join(dir, 'ev.ndjson'), 'utf8')).map((l) => JSON.parse(l) as WeftEvent);
    const slots = ev.filter((e) => e.type === 'job_started').map((e) => e.slot);
    expect(Math.max(...slots)).toBeGreaterThan(2);
  });

  it('refuses a module that cannot load, before running anything', async () => {
    const dir = tempDir(MODULES);
    const missing = await weft(['--js', 'nope.mjs', '--joblog', 'jl', ':::', 'a'], { cwd: dir });
    expect(missing.code).toBe(255);
    expect(missing.stderr).toBe('weft: nope.mjs: no such file\n');
    const bad = await weft(['--js', 'no-default.mjs', ':::', 'a'], { cwd: dir });
    expect(bad.code).toBe(255);
    expect(bad.stderr).toBe(
      'weft: no-default.mjs: its default export is not a function: export default async (input, ctx) => output\n',
    );
  });

  it('takes no command besides the module', async () => {
    const dir = tempDir(MODULES);
    const r = await weft(['--js', 'upper.mjs', 'echo', ':::', 'a'], { cwd: dir });
    expect(r.code).toBe(255);
    expect(r.stderr).toBe('weft: --js runs upper.mjs instead of a command; give no command\n');
  });
});

describe('the library: JavaScript jobs', () => {
  const values = (...vs: string[]) =>
    ({ sources: [{ kind: 'values', values: vs }] }) as unknown as JobSpec['input'];

  function capture() {
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (b: Buffer) => chunks.push(b));
    return { out, text: () => Buffer.concat(chunks).toString() };
  }

  it('runs a function given as `task` for each job, on the main thread', async () => {
    const o = capture();
    const e = capture();
    const seen: number[] = [];
    const summary = await run(defaultSpec({ command: [], input: values('a', 'b', 'c'), jobs: 2 }), {
      stdin: Readable.from([]),
      stdout: o.out,
      stderr: e.out,
      task: async (input, ctx) => {
        seen.push(ctx.seq);
        if (input[0] === 'b') throw new Error('b is bad');
        return { arg: input[0], slot: ctx.slot };
      },
    });
    expect(summary).toMatchObject({ jobs: 3, succeeded: 2, failed: 1, exitCode: 1 });
    expect(seen.sort()).toEqual([1, 2, 3]);
    expect(sortedLines(o.text()).map((l) => JSON.parse(l).arg)).toEqual(['a', 'c']);
    expect(e.text()).toMatch(/^Error: b is bad\n/);
  });

  it('gives a task the chunk in pipe mode, and aborts its signal at --timeout', async () => {
    const o = capture();
    const spec = defaultSpec({
      command: [],
      pipe: {
        part: false,
        block: 1 << 20,
        records: 2,
        recStart: '',
        recEnd: '\n',
        regexp: false,
      },
      timeout: { seconds: 0.3 },
      output: { mode: 'group', keepOrder: true, tag: false },
    });
    const summary = await run(spec, {
      stdin: Readable.from([Buffer.from('1\n2\n3\n4\n')]),
      stdout: o.out,
      stderr: new PassThrough(),
      task: (chunk, ctx) =>
        (chunk as string).startsWith('3')
          ? new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('stopped\n')))
          : `[${(chunk as string).trim().replace('\n', ',')}]\n`,
    });
    expect(o.text()).toBe('[1,2]\n');
    expect(summary).toMatchObject({ succeeded: 1, failed: 1 });
  });

  it('runs a spec with `js` in worker threads', async () => {
    const dir = tempDir(MODULES);
    const o = capture();
    const summary = await run(
      defaultSpec({ command: [], js: join(dir, 'kinds.mjs'), input: values('x', 'object'), jobs: 2 }),
      { stdin: Readable.from([]), stdout: o.out, stderr: new PassThrough() },
    );
    expect(summary.exitCode).toBe(0);
    expect(sortedLines(o.text())).toEqual(['x', '{"kind":"object","n":1}']);
  });
});
