// Fault injection for the slow tests: run weft, SIGKILL it at a chosen moment, and clean up
// every process it left behind (found by a marker in their environment, never by name).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEFT = fileURLToPath(new URL('../../bin/weft.js', import.meta.url));

/** A small seeded PRNG (mulberry32, the unit tests' generator): the same seed gives the same kill moments. */
export { rng as prng } from '../unit/aggregate/helpers.js';

/** The seed of this run: WEFT_FAULT_SEED to replay a failure, else a new one (printed by the test). */
export const seedFromEnv = (): number =>
  process.env.WEFT_FAULT_SEED ? Number(process.env.WEFT_FAULT_SEED) : Math.floor(Math.random() * 2 ** 31);

export interface Outcome {
  stdout: Buffer;
  stderr: string;
  /** Exit status; null when killed. */
  code: number | null;
  ms: number;
}

/** The variable every process of a test run carries, so that leftovers can be found. */
export const MARK_VAR = 'WEFT_FAULT_MARK';

/**
 * Runs weft in `cwd` with `args` (stdin from `stdinFile`, else nothing), marked with `mark`
 * in its environment (inherited by its jobs); with `killAfterMs`, SIGKILLs it then.
 */
export function runWeft(
  args: string[],
  opts: { cwd: string; mark: string; stdinFile?: string; killAfterMs?: number },
): Promise<Outcome> {
  const started = Date.now();
  const stdin = opts.stdinFile ? openSync(join(opts.cwd, opts.stdinFile), 'r') : 'ignore';
  const child = spawn(process.execPath, [WEFT, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, [MARK_VAR]: opts.mark },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  if (typeof stdin === 'number') closeSync(stdin);
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const timer =
    opts.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
  const guard = setTimeout(() => child.kill('SIGKILL'), 240_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'exit', not 'close': a job that outlives weft may hold its stdout open.
    child.on('exit', (code) => {
      clearTimeout(timer);
      clearTimeout(guard);
      // Let the pipes drain what weft wrote before it died.
      setTimeout(
        () => resolve({ stdout: Buffer.concat(out), stderr: err, code, ms: Date.now() - started }),
        50,
      );
    });
  });
}

/** Pids of live processes whose environment holds `MARK_VAR=mark`. */
export function markedPids(mark: string): number[] {
  const needle = Buffer.from(`${MARK_VAR}=${mark}\0`);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`).includes(needle)) pids.push(Number(name));
    } catch {
      // gone already, or not ours
    }
  }
  return pids;
}

/** SIGKILLs every marked process (jobs weft left running) until none is left; returns how many. */
export async function killMarked(mark: string): Promise<number> {
  let killed = 0;
  for (let round = 0; round < 50; round++) {
    const pids = markedPids(mark);
    if (pids.length === 0) return killed;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`processes marked ${mark} survive SIGKILL: ${markedPids(mark).join(' ')}`);
}

/** Seqs of the jobs a run replayed from the journal and of the jobs it ran, from its events. */
export function replayedAndRan(eventsFile: string): { replayed: number[]; ran: number[] } {
  const replayed: number[] = [];
  const ran: number[] = [];
  for (const line of readFileSync(eventsFile, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as { type: string; seq: number; final?: boolean };
    if (e.type === 'job_skipped') replayed.push(e.seq);
    if (e.type === 'job_finished' && e.final) ran.push(e.seq);
  }
  return { replayed, ran };
}

/** True when `seqs` holds 1..n, each once. */
export function eachOnce(seqs: number[], n: number): boolean {
  const sorted = [...seqs].sort((a, b) => a - b);
  return sorted.length === n && sorted.every((s, i) => s === i + 1);
}
