import { describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import type { ExecResult } from '../../../src/exec/types.js';
import {
  backoffMs,
  parseRetryDelay,
  parseRetryOn,
  retryPolicy,
  retryPolicyFor,
} from '../../../src/schedule/retry.js';

const res = (exitCode: number, signal = 0, killed?: ExecResult['killed']): ExecResult => ({
  exitCode,
  signal,
  killed,
  start: 0,
  end: 1,
});

describe('retry policies', () => {
  it("GNU's --retries: any failure, at once, until the attempts are used up", () => {
    const p = retryPolicy(3);
    expect([1, 2, 3].map((a) => p.retry(res(1), a))).toEqual([true, true, false]);
    expect(p.delayMs(1)).toBe(0);
  });

  it('a fixed --retry-delay waits the same before every retry', () => {
    const p = retryPolicyFor({ attempts: 4, delay: { min: 1.5 } });
    expect([1, 2, 3].map((a) => p.delayMs(a))).toEqual([1500, 1500, 1500]);
  });

  it('a range doubles from MIN up to MAX, with full jitter from the random source', () => {
    const delay = { min: 1, max: 30 };
    const top = [1, 2, 3, 4, 5, 6, 7].map((a) => backoffMs(delay, a, () => 0.999999));
    expect(top).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect([1, 2, 3].map((a) => backoffMs(delay, a, () => 0.5))).toEqual([500, 1000, 2000]);
    expect(backoffMs(delay, 3, () => 0)).toBe(0);
    // A huge attempt number does not overflow.
    expect(backoffMs(delay, 5000, () => 0.5)).toBe(15000);
    const seq = [0.25, 0.75];
    const p = retryPolicyFor({ attempts: 3, delay, random: () => seq.shift()! });
    expect([p.delayMs(1), p.delayMs(2)]).toEqual([250, 1500]);
  });

  it('--retry-on retries only the failures it names; the attempts still cap it', () => {
    const p = retryPolicyFor({ attempts: 3, on: parseRetryOn('75,KILL,timeout') });
    expect(p.retry(res(75), 1)).toBe(true);
    expect(p.retry(res(75), 3)).toBe(false);
    expect(p.retry(res(1), 1)).toBe(false);
    expect(p.retry(res(0, 9), 1)).toBe(true); // killed by KILL
    expect(p.retry(res(137), 1)).toBe(true); // the shell's 128+9
    expect(p.retry(res(-1, 15, 'timeout'), 1)).toBe(true);
    expect(p.retry(res(0, 15), 1)).toBe(false);
  });

  it('a code above 128 also means that signal; timeouts only with `timeout` or their signal', () => {
    const on = parseRetryOn('143, 2');
    expect(on).toEqual({ exitCodes: [143, 2], signals: [15], timeout: false });
    const p = retryPolicyFor({ attempts: 2, on });
    expect(p.retry(res(0, 15), 1)).toBe(true);
    expect(p.retry(res(-1, 15, 'timeout'), 1)).toBe(true);
    expect(retryPolicyFor({ attempts: 2, on: parseRetryOn('1') }).retry(res(-1, 15, 'timeout'), 1)).toBe(
      false,
    );
  });

  it('parses --retry-on and --retry-delay, refusing what they cannot mean', () => {
    expect(parseRetryOn('SIGTERM,hup,Timeout')).toEqual({
      exitCodes: [143, 129],
      signals: [15, 1],
      timeout: true,
    });
    expect(parseRetryDelay('250ms')).toEqual({ min: 0.25 });
    expect(parseRetryDelay('1s..2m')).toEqual({ min: 1, max: 120 });
    for (const bad of ['0', '256', 'FOO', '', '1;2']) {
      expect(() => parseRetryOn(bad), bad).toThrow(WeftError);
    }
    for (const bad of ['5s..1s', '0..1s', 'x', '1s..2s..3s']) {
      expect(() => parseRetryDelay(bad), bad).toThrow(WeftError);
    }
  });
});
