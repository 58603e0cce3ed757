import { WeftError } from '../errors.js';
import type { HaltPolicy } from '../spec/types.js';

/**
 * Parses `--halt`: `now|soon,fail|success|done=N|N%`, or GNU's legacy 0, 1 (soon,fail=1),
 * 2 (now,fail=1).
 */
export function parseHalt(text: string): HaltPolicy {
  const legacy: Record<string, HaltPolicy> = {
    '0': { when: 'never', why: 'fail' },
    '1': { when: 'soon', why: 'fail', count: 1 },
    '2': { when: 'now', why: 'fail', count: 1 },
    '-1': { when: 'soon', why: 'success', count: 1 },
    '-2': { when: 'now', why: 'success', count: 1 },
  };
  if (legacy[text]) return legacy[text];
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (pct) return { when: 'soon', why: 'fail', percent: Number(pct[1]) };
  const m = /^(now|soon|never),(fail|success|done)(?:=(\d+(?:\.\d+)?)(%?))?$/.exec(text);
  if (!m) {
    throw new WeftError(
      'E_OPTION',
      `--halt: '${text}' is not a halt policy (e.g. now,fail=1 or soon,fail=10%)`,
    );
  }
  const policy: HaltPolicy = { when: m[1] as HaltPolicy['when'], why: m[2] as HaltPolicy['why'] };
  if (m[4] === '%') policy.percent = Number(m[3]);
  else policy.count = m[3] === undefined ? 1 : Number(m[3]);
  return policy;
}

/** Counts the halt policy looks at. */
export interface HaltCounts {
  done: number;
  failed: number;
  succeeded: number;
  /** Total jobs when known, for percentages. */
  total?: number;
}

/** True when the policy says the run must stop now, judged right after a job of kind `outcome` finished. */
export function shouldHalt(p: HaltPolicy, c: HaltCounts, outcome: 'fail' | 'success'): boolean {
  if (p.when === 'never' || (p.why !== 'done' && p.why !== outcome)) return false;
  const n = p.why === 'fail' ? c.failed : p.why === 'success' ? c.succeeded : c.done;
  if (p.percent !== undefined) {
    const base = c.total ?? c.done;
    return base > 0 && n * 100 >= p.percent * base;
  }
  return n >= (p.count ?? 1);
}

/**
 * GNU's exit status after a halt: the failing job's own status for fail=1, the percentage
 * of failed jobs (rounded up) for fail=N%, 0 for success, else the number of failed jobs (at most 101).
 */
export function haltStatus(p: HaltPolicy, c: HaltCounts, last: { exitCode: number; signal: number }): number {
  if (p.why === 'fail' && p.percent !== undefined) return Math.ceil((c.failed * 100) / (c.total ?? c.done));
  if (p.why === 'fail' && (p.count ?? 1) === 1) return last.signal ? 128 + last.signal : last.exitCode;
  if (p.why === 'success') return 0;
  return Math.min(c.failed, 101);
}
