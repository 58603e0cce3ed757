import type { ExecResult } from '../exec/types.js';
import type { Gate } from './gate.js';
import type { PlannedJob } from './scheduler.js';

/**
 * Whether a `--key` value is a job key template (`{1}`, `{host}`, `{}`) rather than a field or
 * column of `--format` records: it holds a replacement string, or is the `-I` string.
 */
export function isKeyTemplate(key: string, replace = '{}'): boolean {
  return /\{[^{}\s]*\}/.test(key) || (replace !== '{}' && key.includes(replace));
}

/**
 * `--key TEMPLATE --max-per-key N`: at most N jobs with the same key run at once (e.g. per
 * host). A job holds its key from its start to its last attempt's end, retries included.
 * Jobs of other keys go ahead of one that waits (the scheduler's lookahead).
 */
export class PerKeyGate implements Gate {
  private readonly running = new Map<string, number>();
  /** Keys of jobs seen, until their last attempt ends: a key is worked out once per job. */
  private readonly keys = new Map<number, string>();

  constructor(
    private readonly keyOf: (job: PlannedJob) => string,
    private readonly max: number,
  ) {}

  private key(job: PlannedJob): string {
    let k = this.keys.get(job.seq);
    if (k === undefined) {
      k = this.keyOf(job);
      this.keys.set(job.seq, k);
    }
    return k;
  }

  ready(job: PlannedJob): boolean {
    return (this.running.get(this.key(job)) ?? 0) < this.max;
  }

  started(job: PlannedJob): void {
    const k = this.key(job);
    this.running.set(k, (this.running.get(k) ?? 0) + 1);
  }

  finished(job: PlannedJob, _result: ExecResult, final: boolean): void {
    if (!final) return;
    const k = this.key(job);
    this.keys.delete(job.seq);
    const n = (this.running.get(k) ?? 1) - 1;
    if (n > 0) this.running.set(k, n);
    else this.running.delete(k);
  }

  /** Jobs running now under `key` (tests, diagnostics). */
  runningFor(key: string): number {
    return this.running.get(key) ?? 0;
  }
}
