import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WeftError } from '../../src/errors.js';
import {
  JOBLOG_ATTEMPTS_HEADER,
  JOBLOG_HEADER,
  joblogRow,
  joblogWriter,
  readJoblog,
} from '../../src/events/joblog.js';
import type { WeftEvent } from '../../src/events/types.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-joblog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (body?: string) => {
  const p = join(dir, `log${++n}`);
  if (body !== undefined) writeFileSync(p, body);
  return p;
};

const row = (seq: number, exit: number, signal: number, cmd = 'echo x') =>
  `${seq}\t:\t1700000000.000\t     0.010\t0\t0\t${exit}\t${signal}\t${cmd}\n`;

describe('joblogRow', () => {
  it('writes the 9 GNU columns, times in seconds with 3 decimals, runtime padded to 10', () => {
    const r = joblogRow({
      seq: 7,
      start: 1_700_000_000_123,
      durationMs: 1534,
      exitCode: 2,
      signal: 0,
      command: "echo 'a b'",
    });
    expect(r).toBe("7\t:\t1700000000.123\t     1.534\t0\t0\t2\t0\techo 'a b'\n");
    expect(r.replace(/\n$/, '').split('\t')).toHaveLength(9);
  });

  it('records a timeout as exit -1 with the signal', () => {
    expect(joblogRow({ seq: 1, start: 0, durationMs: 0, exitCode: -1, signal: 15, command: 'sleep 9' })).toBe(
      '1\t:\t0.000\t     0.000\t0\t0\t-1\t15\tsleep 9\n',
    );
  });

  it('keeps a command with a newline on one row', () => {
    const r = joblogRow({ seq: 1, start: 0, durationMs: 0, exitCode: 0, signal: 0, command: "echo 'a\nb'" });
    expect(r.split('\n')).toHaveLength(2);
    expect(r).toContain("echo 'a\\nb'");
  });

  it('the header has the same 9 columns', () => {
    expect(JOBLOG_HEADER).toBe('Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n');
  });
});

describe('readJoblog', () => {
  it('a missing file means nothing done', () => {
    const s = readJoblog(join(dir, 'does-not-exist'));
    expect([...s.succeeded]).toEqual([]);
    expect([...s.failed]).toEqual([]);
  });

  it('splits rows into succeeded and failed (exit or signal)', () => {
    const p = file(
      JOBLOG_HEADER + row(1, 0, 0) + row(2, 1, 0) + row(3, 0, 9) + row(4, -1, 15) + row(5, 0, 0),
    );
    const s = readJoblog(p);
    expect([...s.succeeded].sort()).toEqual([1, 5]);
    expect([...s.failed].sort()).toEqual([2, 3, 4]);
  });

  it('a later success of the same seq wins (after --resume-failed)', () => {
    const p = file(JOBLOG_HEADER + row(2, 1, 0) + row(2, 0, 0) + row(3, 0, 0) + row(3, 1, 0));
    const s = readJoblog(p);
    expect([...s.succeeded].sort()).toEqual([2, 3]);
    expect([...s.failed]).toEqual([]);
  });

  it('accepts a file without the header and commands holding tabs', () => {
    const s = readJoblog(file(row(1, 0, 0, "printf 'a\tb'")));
    expect([...s.succeeded]).toEqual([1]);
  });

  it('rejects a row that is not a joblog row, with file and line', () => {
    const p = file(JOBLOG_HEADER + row(1, 0, 0) + 'garbage\n');
    let caught: unknown;
    try {
      readJoblog(p);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WeftError);
    expect((caught as WeftError).code).toBe('E_JOBLOG');
    expect((caught as WeftError).describe()).toBe(
      `${p}:3: not a joblog row (expected 9 tab-separated columns)`,
    );
  });

  it('reads back what joblogWriter writes', () => {
    const p = file();
    const w = joblogWriter(p, false);
    const fin = (seq: number, exitCode: number, final = true) =>
      ({
        type: 'job_finished',
        runId: 'r',
        t: 0,
        seq,
        slot: 1,
        attempt: 1,
        final,
        command: `exit ${exitCode}`,
        args: [],
        exitCode,
        signal: 0,
        start: 1_700_000_000_000,
        durationMs: 5,
        stdoutBytes: 0,
        stderrBytes: 0,
      }) as WeftEvent;
    w.listener(fin(1, 0));
    w.listener(fin(2, 3, false)); // a retried attempt is not logged
    w.listener(fin(2, 0));
    w.listener(fin(3, 4));
    w.close();
    const text = readFileSync(p, 'utf8');
    expect(text.split('\n')).toHaveLength(5);
    expect(text.startsWith(JOBLOG_HEADER)).toBe(true);
    const s = readJoblog(p);
    expect([...s.succeeded].sort()).toEqual([1, 2]);
    expect([...s.failed]).toEqual([3]);
    // Appending keeps the header once.
    const w2 = joblogWriter(p, true);
    w2.listener(fin(4, 0));
    w2.close();
    expect(readFileSync(p, 'utf8').match(/^Seq\t/gm)).toHaveLength(1);
    expect([...readJoblog(p).succeeded].sort()).toEqual([1, 2, 4]);
  });
});

describe('joblog with a row per attempt (--joblog-attempts)', () => {
  const fin = (seq: number, attempt: number, exitCode: number, final: boolean) =>
    ({
      type: 'job_finished',
      runId: 'r',
      t: 0,
      seq,
      slot: 1,
      attempt,
      final,
      command: `try ${seq}`,
      args: [],
      exitCode,
      signal: 0,
      start: 1_700_000_000_000,
      durationMs: 5,
      stdoutBytes: 0,
      stderrBytes: 0,
    }) as WeftEvent;

  it('writes every attempt with the same Seq; `N+` marks an attempt that was retried', () => {
    const p = file();
    const w = joblogWriter(p, false, { attempts: true });
    w.listener(fin(1, 1, 3, false));
    w.listener(fin(1, 2, 0, true));
    w.listener(fin(2, 1, 3, false));
    w.listener(fin(2, 2, 3, true));
    w.close();
    const rows = readFileSync(p, 'utf8').trim().split('\n');
    expect(rows[0]).toBe(JOBLOG_ATTEMPTS_HEADER.trim());
    expect(rows.slice(1).map((r) => r.split('\t').filter((_, i) => [0, 6, 9].includes(i)))).toEqual([
      ['1', '3', '1+'],
      ['1', '0', '2'],
      ['2', '3', '1+'],
      ['2', '3', '2'],
    ]);
    const s = readJoblog(p);
    expect([...s.succeeded]).toEqual([1]);
    expect([...s.failed]).toEqual([2]);
  });

  it('a job whose last row is a retried attempt did not finish (weft died before the retry)', () => {
    const p = file(
      JOBLOG_ATTEMPTS_HEADER +
        row(1, 3, 0).replace('\n', '\t1+\n') +
        row(2, 0, 0).replace('\n', '\t1\n') +
        row(3, 3, 0).replace('\n', '\t1+\n') +
        row(3, 3, 0).replace('\n', '\t2\n'),
    );
    const s = readJoblog(p);
    expect([...s.succeeded]).toEqual([2]);
    expect([...s.failed]).toEqual([3]);
  });

  it('appending follows the file: attempt rows to an attempts joblog, an error to a GNU one', () => {
    const p = file();
    joblogWriter(p, false, { attempts: true }).close();
    const w = joblogWriter(p, true);
    w.listener(fin(1, 1, 3, false));
    w.close();
    expect(readFileSync(p, 'utf8')).toMatch(/\t1\+\n$/);
    const gnu = file(JOBLOG_HEADER + row(1, 0, 0));
    expect(() => joblogWriter(gnu, true, { attempts: true })).toThrow(/no Attempt column/);
  });

  it('rejects a row without the Attempt column in an attempts joblog', () => {
    const p = file(JOBLOG_ATTEMPTS_HEADER + row(1, 0, 0));
    expect(() => readJoblog(p)).toThrow(/expected 10 tab-separated columns/);
  });
});
