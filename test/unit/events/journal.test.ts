import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import { contentHash, jobFingerprint } from '../../../src/events/job-id.js';
import { Journal, type JournalOptions } from '../../../src/events/journal.js';
import type { PlannedJob } from '../../../src/schedule/scheduler.js';
import { defaultSpec } from '../../../src/spec/defaults.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const path = () => join(dir, `j${++n}`);
const FP = jobFingerprint(defaultSpec({ command: ['echo'] }));
const opts = (resume: JournalOptions['resume'], warnings: string[] = []): JournalOptions => ({
  resume,
  fingerprint: FP,
  warn: (l) => warnings.push(l),
});
const ok = { exitCode: 0, signal: 0, start: 0, end: 1 };
const argJob = (seq: number, arg = `a${seq}`): PlannedJob => ({ seq, args: [arg], stdin: { kind: 'none' } });
const chunkJob = (seq: number, data: string): PlannedJob => ({
  seq,
  args: [],
  stdin: { kind: 'buffer', data: Buffer.from(data) },
});
const out = (s: string) => [Buffer.from(s)];

/** A journal at `p` with jobs 1..count recorded (job k printed `k\n`). */
async function written(p: string, count: number): Promise<void> {
  const j = Journal.open(p, opts('none'));
  for (let k = 1; k <= count; k++) j.record(argJob(k), ok, out(`${k}\n`), []);
  await j.close();
}

describe('Journal', () => {
  it('a new journal replays nothing; a resumed one hands back each job and its output', async () => {
    const p = path();
    const j = Journal.open(p, opts('none'));
    expect(j.resuming).toBe(false);
    j.record(argJob(1), ok, out('one\n'), [Buffer.from('warn\n')]);
    j.record(argJob(2), { ...ok, exitCode: 2 }, out('two\n'), []);
    await j.flush();
    expect(j.stats).toMatchObject({ written: 2 });
    expect(j.stats.fsyncs).toBeGreaterThanOrEqual(1);
    await j.close();

    const r = Journal.open(p, opts('skip-done'));
    expect(r.resuming).toBe(true);
    const e1 = await r.lookup(argJob(1));
    expect(r.output(e1!)).toEqual({ stdout: Buffer.from('one\n'), stderr: Buffer.from('warn\n') });
    const e2 = await r.lookup(argJob(2));
    expect(e2).toMatchObject({ exitCode: 2 });
    expect(await r.lookup(argJob(3))).toBeUndefined();
    expect(r.stats).toMatchObject({ replayed: 2, replayedFailed: 1, changed: 0 });
    await r.close();
  });

  it('--resume-failed replays succeeded jobs only; the failed one runs and its new record wins', async () => {
    const p = path();
    const j = Journal.open(p, opts('none'));
    j.record(argJob(1), { ...ok, exitCode: 1 }, out('bad\n'), []);
    j.record(argJob(2), ok, out('good\n'), []);
    await j.close();
    const r = Journal.open(p, opts('retry-failed'));
    expect(await r.lookup(argJob(1))).toBeUndefined();
    expect(await r.lookup(argJob(2))).toBeDefined();
    r.record(argJob(1), ok, out('fixed\n'), []);
    await r.close();
    const again = Journal.open(p, opts('retry-failed'));
    const e = await again.lookup(argJob(1));
    expect(again.output(e!).stdout.toString()).toBe('fixed\n');
    await again.close();
  });

  it('a job whose input changed runs again, with one warning for the run', async () => {
    const p = path();
    await written(p, 3);
    const warnings: string[] = [];
    const r = Journal.open(p, opts('skip-done', warnings));
    expect(await r.lookup(argJob(1, 'changed'))).toBeUndefined();
    expect(await r.lookup(argJob(2, 'changed too'))).toBeUndefined();
    expect(await r.lookup(argJob(3))).toBeDefined();
    expect(r.stats.changed).toBe(2);
    expect(warnings).toEqual([
      `weft: ${p}: the input of job 1 differs from the journal; jobs whose input changed run again\n`,
    ]);
    await r.close();
  });

  it('identifies a chunk by seq, offset (from chunk_ready events) and content', async () => {
    const p = path();
    const event = (seq: number, bytes: number) =>
      ({ type: 'chunk_ready', runId: 'r', t: 0, seq, bytes }) as const;
    const j = Journal.open(p, opts('none'));
    j.listener(event(1, 4));
    j.listener(event(2, 4));
    j.record(chunkJob(1, 'aaa\n'), ok, out('3\n'), []);
    j.record(chunkJob(2, 'bbb\n'), ok, out('3\n'), []);
    await j.close();
    expect(readFileSync(p, 'latin1')).toContain('"seq":2,"off":4,');

    const r = Journal.open(p, opts('skip-done'));
    // Same content at another offset (an earlier chunk grew): not the same chunk.
    r.listener(event(1, 5));
    r.listener(event(2, 4));
    expect(await r.lookup(chunkJob(1, 'aaaa\n'))).toBeUndefined();
    expect(await r.lookup(chunkJob(2, 'bbb\n'))).toBeUndefined();
    await r.close();

    const s = Journal.open(p, opts('skip-done'));
    s.listener(event(1, 4));
    s.listener(event(2, 4));
    expect(await s.lookup(chunkJob(1, 'aaa\n'))).toBeDefined();
    expect(await s.lookup(chunkJob(2, 'bbb\n'))).toBeDefined();
    await s.close();
  });

  it('a torn tail is cut off on resume, and new records follow the intact ones', async () => {
    const p = path();
    await written(p, 3);
    const full = statSync(p).size;
    truncateSync(p, full - 3); // job 3's record is now torn
    const r = Journal.open(p, opts('skip-done'));
    expect(await r.lookup(argJob(3))).toBeUndefined();
    expect(await r.lookup(argJob(2))).toBeDefined();
    r.record(argJob(3), ok, out('3 again\n'), []);
    await r.close();
    const s = Journal.open(p, opts('skip-done'));
    const e = await s.lookup(argJob(3));
    expect(s.output(e!).stdout.toString()).toBe('3 again\n');
    expect(await s.lookup(argJob(1))).toBeDefined();
    await s.close();
  });

  it('without --resume an existing journal starts over', async () => {
    const p = path();
    await written(p, 2);
    const j = Journal.open(p, opts('none'));
    expect(j.resuming).toBe(false);
    await j.close();
    const r = Journal.open(p, opts('skip-done'));
    expect(r.resuming).toBe(false);
    await r.close();
  });

  it('--resume with no journal yet, or one cut in its header, runs everything', async () => {
    const p = path();
    const j = Journal.open(p, opts('skip-done'));
    expect(j.resuming).toBe(false);
    await j.close();
    writeFileSync(p, 'weft-jour');
    const k = Journal.open(p, opts('skip-done'));
    expect(k.resuming).toBe(false);
    await k.close();
    expect(readFileSync(p, 'latin1')).toMatch(/^weft-journal 1 [0-9a-f]{64}\n$/);
  });

  it('refuses a journal written for another command, and a file that is not a journal', async () => {
    const p = path();
    await written(p, 1);
    const other = { ...opts('skip-done'), fingerprint: jobFingerprint(defaultSpec({ command: ['cat'] })) };
    expect(() => Journal.open(p, other)).toThrow(WeftError);
    expect(() => Journal.open(p, other)).toThrow(/written for another job/);
    const data = path();
    writeFileSync(data, 'precious,data\n');
    for (const mode of ['none', 'skip-done'] as const) {
      expect(() => Journal.open(data, opts(mode))).toThrow(/not a weft journal/);
    }
    expect(readFileSync(data, 'utf8')).toBe('precious,data\n');
  });

  it('a journal in a missing folder is a located error', () => {
    const e = (() => {
      try {
        Journal.open(join(dir, 'no', 'such', 'dir', 'j'), opts('none'));
      } catch (err) {
        return err as WeftError;
      }
    })();
    expect(e?.describe()).toMatch(/no\/such\/dir\/j: no such file$/);
  });

  it('a failed write is reported by flush as E_JOURNAL', async () => {
    const p = path();
    const j = Journal.open(p, opts('none'));
    // A range of a file that is gone cannot be hashed: the record fails, flush says so.
    j.record(
      { seq: 1, args: [], stdin: { kind: 'range', range: { path: join(dir, 'gone'), start: 0, end: 3 } } },
      ok,
      [],
      [],
    );
    await expect(j.flush()).rejects.toMatchObject({ code: 'E_JOURNAL' });
    await j.close();
  });
});

describe('jobFingerprint', () => {
  it('changes with the command, shell, env and template options; not with order, tags or aggregation', () => {
    const base = defaultSpec({ command: ['echo', '{}'] });
    const fp = jobFingerprint(base);
    expect(jobFingerprint({ ...base, command: ['echo', '{.}'] })).not.toBe(fp);
    expect(jobFingerprint({ ...base, env: { A: '1' } })).not.toBe(fp);
    expect(jobFingerprint({ ...base, shell: '/bin/zsh' })).not.toBe(fp);
    expect(jobFingerprint({ ...base, replace: '[]' })).not.toBe(fp);
    expect(jobFingerprint({ ...base, output: { ...base.output, keepOrder: true, tag: true } })).toBe(fp);
    expect(jobFingerprint({ ...base, aggregate: { kind: 'fold', fold: 'sum' }, jobs: 99, retries: 3 })).toBe(
      fp,
    );
  });
});

describe('contentHash', () => {
  it('tells arguments apart however they are split', async () => {
    const h = (args: string[]) => contentHash({ seq: 1, args, stdin: { kind: 'none' } });
    expect(await h(['ab', 'c'])).not.toBe(await h(['a', 'bc']));
    expect(await h(['ab', 'c'])).toBe(await h(['ab', 'c']));
  });

  it('hashes a --pipepart range by the bytes of the file it covers, header included', async () => {
    const f = path();
    writeFileSync(f, 'h\n1\n2\n3\n');
    const range = (start: number, end: number, prefix?: Buffer): PlannedJob => ({
      seq: 1,
      args: [],
      stdin: { kind: 'range', range: { path: f, start, end, prefix } },
    });
    const chunk = (s: string): PlannedJob => ({
      seq: 1,
      args: [],
      stdin: { kind: 'buffer', data: Buffer.from(s) },
    });
    expect(await contentHash(range(2, 6))).toBe(await contentHash(chunk('1\n2\n')));
    expect(await contentHash(range(2, 6, Buffer.from('h\n')))).toBe(await contentHash(chunk('h\n1\n2\n')));
    appendFileSync(f, '4\n');
    expect(await contentHash(range(2, 6))).toBe(await contentHash(chunk('1\n2\n')));
    truncateSync(f, 4);
    expect(await contentHash(range(2, 6))).toBeUndefined();
  });
});
