import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../src/chunk/units.js';
import { splitCommand, unescapeDelimiter } from '../../src/cli/inputs.js';
import { MAX_SLOTS, parseCount, parseJobs, parseTimeout } from '../../src/cli/numbers.js';
import { WeftError } from '../../src/errors.js';
import { haltStatus, parseHalt, shouldHalt } from '../../src/schedule/halt.js';

/** The WeftError `fn` throws (fails the test when it throws something else or nothing). */
function thrown(fn: () => unknown): WeftError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WeftError);
    return err as WeftError;
  }
  throw new Error('expected a WeftError, nothing was thrown');
}

describe('parseSize', () => {
  it.each([
    ['20', 20],
    ['0', 0],
    ['1k', 1000],
    ['1K', 1024],
    ['64k', 64_000],
    ['1m', 1_000_000],
    ['1M', 1_048_576],
    ['10M', 10_485_760],
    ['1g', 1e9],
    ['1G', 1024 ** 3],
    ['1t', 1e12],
    ['1T', 1024 ** 4],
    ['1p', 1e15],
    ['1P', 1024 ** 5],
    ['1.5K', 1536],
    ['0.5k', 500],
    ['-10', -10],
    [' 2K ', 2048],
  ])('%j is %d bytes', (text, bytes) => {
    expect(parseSize(text, '--block')).toBe(bytes);
  });

  it.each(['', 'abc', '1Q', '1KB', 'K', '1 K', '1e3', '--1'])('rejects %j naming the option', (text) => {
    const e = thrown(() => parseSize(text, '--block'));
    expect(e.code).toBe('E_OPTION');
    expect(e.message).toBe(`--block: '${text}' is not a size (e.g. 20, 64k, 1M)`);
  });
});

describe('parseDuration', () => {
  it.each([
    ['1', 1],
    ['1.5', 1.5],
    ['0', 0],
    ['30s', 30],
    ['5m', 300],
    ['2h', 7200],
    ['1d', 86400],
    ['200ms', 0.2],
    ['0.5m', 30],
  ])('%j is %d seconds', (text, secs) => {
    expect(parseDuration(text, '--delay')).toBeCloseTo(secs, 10);
  });

  it.each(['', 'x', '-1', '1x', '1 s', 's', '1.5.2'])('rejects %j', (text) => {
    const e = thrown(() => parseDuration(text, '--delay'));
    expect(e.code).toBe('E_OPTION');
    expect(e.message).toBe(`--delay: '${text}' is not a duration (e.g. 1.5, 30s, 5m)`);
  });
});

describe('parseJobs', () => {
  it.each([
    ['1', 8, 1],
    ['4', 8, 4],
    ['4.7', 8, 4],
    ['100', 2, 100],
    ['0', 8, MAX_SLOTS],
    ['50%', 8, 4],
    ['100%', 8, 8],
    ['200%', 3, 6],
    ['10%', 8, 1],
    ['+2', 8, 10],
    ['+0', 8, 8],
    ['-2', 8, 6],
    ['-10', 8, 1],
    ['-8', 8, 1],
    ['1000', 8, MAX_SLOTS],
    ['+1000', 8, MAX_SLOTS],
  ])('-j %s with %d cores is %d', (text, cores, jobs) => {
    expect(parseJobs(text, cores)).toBe(jobs);
  });

  it('0 means as many as possible: 256 slots', () => {
    expect(MAX_SLOTS).toBe(256);
  });

  it('defaults to the machine cores', () => {
    expect(parseJobs('100%')).toBe(Math.min(MAX_SLOTS, availableParallelism()));
    expect(parseJobs('+1')).toBe(Math.min(MAX_SLOTS, availableParallelism() + 1));
  });

  it.each(['abc', '', '-x', '1/2', '%', '+', '1e2', '5%%', '2 3', '--1'])('rejects %j', (text) => {
    const e = thrown(() => parseJobs(text, 4));
    expect(e.code).toBe('E_OPTION');
    expect(e.message).toBe(`-j: '${text}' is not a number of jobs (N, N%, +N, -N, 0 or auto)`);
  });
});

describe('parseCount and parseTimeout', () => {
  it('parseCount accepts whole numbers from min', () => {
    expect(parseCount('3', '-n')).toBe(3);
    expect(parseCount('0', '--retries', 0)).toBe(0);
    expect(thrown(() => parseCount('0', '-n')).message).toBe("-n: '0' is not a whole number ≥ 1");
    expect(thrown(() => parseCount('1.5', '-N')).message).toBe("-N: '1.5' is not a whole number ≥ 1");
    expect(thrown(() => parseCount('x', '--retries', 0)).message).toBe(
      "--retries: 'x' is not a whole number",
    );
  });

  it('parseTimeout takes seconds with units or a percentage', () => {
    expect(parseTimeout('2')).toEqual({ seconds: 2 });
    expect(parseTimeout('1m')).toEqual({ seconds: 60 });
    expect(parseTimeout('150%')).toEqual({ percent: 150 });
    expect(thrown(() => parseTimeout('0')).message).toBe("--timeout: '0' must be more than 0");
    expect(thrown(() => parseTimeout('soon')).code).toBe('E_OPTION');
  });
});

describe('parseHalt', () => {
  it.each([
    ['now,fail=1', { when: 'now', why: 'fail', count: 1 }],
    ['soon,fail=3', { when: 'soon', why: 'fail', count: 3 }],
    ['soon,fail=10%', { when: 'soon', why: 'fail', percent: 10 }],
    ['now,success=1', { when: 'now', why: 'success', count: 1 }],
    ['soon,success=2', { when: 'soon', why: 'success', count: 2 }],
    ['now,done=3%', { when: 'now', why: 'done', percent: 3 }],
    ['never,fail=1', { when: 'never', why: 'fail', count: 1 }],
    ['0', { when: 'never', why: 'fail' }],
    ['1', { when: 'soon', why: 'fail', count: 1 }],
    ['2', { when: 'now', why: 'fail', count: 1 }],
  ])('%j', (text, policy) => {
    expect(parseHalt(text)).toEqual(policy);
  });

  // GNU parallel's man page: "-1 soon,success=1", "-2 now,success=1", "1-99% soon,fail=1-99%".
  it.each([
    ['-1', { when: 'soon', why: 'success', count: 1 }],
    ['-2', { when: 'now', why: 'success', count: 1 }],
    ['25%', { when: 'soon', why: 'fail', percent: 25 }],
  ])('GNU legacy form %j', (text, policy) => {
    expect(parseHalt(text)).toEqual(policy);
  });

  it.each(['', 'bogus', 'now', 'later,fail=1', 'now,crash=1', 'now,fail=x', 'now;fail=1', '3'])(
    'rejects %j',
    (text) => {
      const e = thrown(() => parseHalt(text));
      expect(e.code).toBe('E_OPTION');
      expect(e.message).toBe(`--halt: '${text}' is not a halt policy (e.g. now,fail=1 or soon,fail=10%)`);
    },
  );
});

describe('shouldHalt', () => {
  const c = (done: number, failed: number, total?: number) => ({
    done,
    failed,
    succeeded: done - failed,
    total,
  });

  it('never halts with when=never', () => {
    expect(shouldHalt({ when: 'never', why: 'fail' }, c(100, 100), 'fail')).toBe(false);
  });

  it('fail=N counts failures, judged after a failed job', () => {
    const p = parseHalt('soon,fail=2');
    expect(shouldHalt(p, c(5, 1), 'fail')).toBe(false);
    expect(shouldHalt(p, c(2, 2), 'fail')).toBe(true);
    expect(shouldHalt(p, c(9, 3), 'fail')).toBe(true);
    // A success never triggers a fail policy.
    expect(shouldHalt(p, c(9, 3), 'success')).toBe(false);
  });

  it('success=N counts successes, done=N counts both', () => {
    expect(shouldHalt(parseHalt('now,success=1'), c(3, 3), 'fail')).toBe(false);
    expect(shouldHalt(parseHalt('now,success=1'), c(4, 3), 'success')).toBe(true);
    expect(shouldHalt(parseHalt('now,done=3'), c(2, 1), 'success')).toBe(false);
    expect(shouldHalt(parseHalt('now,done=3'), c(3, 3), 'fail')).toBe(true);
    expect(shouldHalt(parseHalt('now,done=3'), c(3, 0), 'success')).toBe(true);
  });

  it('percentages are of the total when it is known', () => {
    const p = parseHalt('soon,fail=30%');
    expect(shouldHalt(p, c(5, 2, 10), 'fail')).toBe(false);
    expect(shouldHalt(p, c(5, 3, 10), 'fail')).toBe(true);
  });

  // GNU: halt_count = total_jobs * pct; halt when failed >= halt_count (no minimum of jobs).
  it('a percentage is reached as soon as enough jobs failed, as in GNU parallel', () => {
    expect(shouldHalt(parseHalt('now,fail=50%'), c(2, 2, 4), 'fail')).toBe(true);
    expect(shouldHalt(parseHalt('now,fail=50%'), c(1, 1, 2), 'fail')).toBe(true);
    expect(shouldHalt(parseHalt('now,fail=50%'), c(1, 1, 4), 'fail')).toBe(false);
  });
});

describe('haltStatus (GNU parallel exit status after --halt)', () => {
  const c = (done: number, failed: number, total?: number) => ({
    done,
    failed,
    succeeded: done - failed,
    total,
  });
  const last = (exitCode: number, signal = 0) => ({ exitCode, signal });

  it('fail=1: the failing job’s own status, 128+signal for a signal', () => {
    expect(haltStatus(parseHalt('now,fail=1'), c(2, 1), last(3))).toBe(3);
    expect(haltStatus(parseHalt('soon,fail=1'), c(2, 1), last(0, 9))).toBe(137);
  });

  it('fail=N (N > 1) and done=N: the number of failed jobs, at most 101', () => {
    expect(haltStatus(parseHalt('soon,fail=2'), c(3, 2), last(5))).toBe(2);
    expect(haltStatus(parseHalt('now,done=2'), c(2, 1), last(3))).toBe(1);
    expect(haltStatus(parseHalt('now,fail=200'), c(300, 200), last(1))).toBe(101);
  });

  it('fail=N%: the failed percentage, rounded up', () => {
    expect(haltStatus(parseHalt('now,fail=50%'), c(2, 2, 4), last(1))).toBe(50);
    expect(haltStatus(parseHalt('soon,fail=30%'), c(5, 3, 9), last(1))).toBe(34);
  });

  it('success: 0', () => {
    expect(haltStatus(parseHalt('now,success=1'), c(2, 1), last(0))).toBe(0);
  });
});

describe('splitCommand', () => {
  it('no separator: everything is the command', () => {
    expect(splitCommand(['echo', 'a', 'b'])).toEqual({ command: ['echo', 'a', 'b'], sources: [] });
    expect(splitCommand([])).toEqual({ command: [], sources: [] });
  });

  it('::: values and :::: files, one source per file', () => {
    expect(splitCommand(['echo', ':::', 'a', 'b', '::::', 'f1', 'f2', ':::', 'c'])).toEqual({
      command: ['echo'],
      sources: [
        { kind: 'values', values: ['a', 'b'], link: false },
        { kind: 'file', path: 'f1', link: false },
        { kind: 'file', path: 'f2', link: false },
        { kind: 'values', values: ['c'], link: false },
      ],
    });
  });

  it(':::+ and ::::+ link to the previous source (every file after ::::+, as GNU parallel)', () => {
    expect(splitCommand(['cmd', ':::', 'a', ':::+', '1', '::::+', 'f', 'g'])).toEqual({
      command: ['cmd'],
      sources: [
        { kind: 'values', values: ['a'], link: false },
        { kind: 'values', values: ['1'], link: true },
        { kind: 'file', path: 'f', link: true },
        { kind: 'file', path: 'g', link: true },
      ],
    });
  });

  it(':::: - is stdin', () => {
    expect(splitCommand(['cat', '::::', '-'])).toEqual({
      command: ['cat'],
      sources: [{ kind: 'stdin', link: false }],
    });
  });

  it('no command before the separator', () => {
    expect(splitCommand([':::', 'echo a'])).toEqual({
      command: [],
      sources: [{ kind: 'values', values: ['echo a'], link: false }],
    });
  });

  it('an empty ::: source is a source with no values', () => {
    expect(splitCommand(['echo', ':::', 'a', ':::'])).toEqual({
      command: ['echo'],
      sources: [
        { kind: 'values', values: ['a'], link: false },
        { kind: 'values', values: [], link: false },
      ],
    });
  });

  it('--arg-sep and --arg-file-sep replace ::: and ::::', () => {
    expect(splitCommand(['echo', ':::', ',,', 'a', '//', 'f'], ',,', '//')).toEqual({
      command: ['echo', ':::'],
      sources: [
        { kind: 'values', values: ['a'], link: false },
        { kind: 'file', path: 'f', link: false },
      ],
    });
  });

  it(':::: with no file is a usage error', () => {
    const e = thrown(() => splitCommand(['echo', '::::']));
    expect(e.code).toBe('E_USAGE');
    expect(e.message).toBe(':::: must be followed by arguments or files');
  });

  it('unescapeDelimiter understands \\n \\t \\r \\0 \\\\ \\xHH', () => {
    expect(unescapeDelimiter('\\n')).toBe('\n');
    expect(unescapeDelimiter('\\t')).toBe('\t');
    expect(unescapeDelimiter('\\r')).toBe('\r');
    expect(unescapeDelimiter('\\0')).toBe('\0');
    expect(unescapeDelimiter('\\\\')).toBe('\\');
    expect(unescapeDelimiter('\\x2c')).toBe(',');
    expect(unescapeDelimiter('a\\x41b')).toBe('aAb');
    expect(unescapeDelimiter(',')).toBe(',');
    expect(unescapeDelimiter('\\q')).toBe('\\q');
  });
});
