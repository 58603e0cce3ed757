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
  };
  if (legacy[text]) return legacy[text];
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

/** True when the policy says the run must stop now. */
export function shouldHalt(p: HaltPolicy, c: HaltCounts): boolean {
  if (p.when === 'never') return false;
  const n = p.why === 'fail' ? c.failed : p.why === 'success' ? c.succeeded : c.done;
  if (p.percent !== undefined) {
    // GNU needs at least 3 finished jobs before a percentage means anything.
    const base = c.total ?? c.done;
    return c.done >= 3 && base > 0 && (n * 100) / base >= p.percent;
  }
  return n >= (p.count ?? 1);
}
