import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { fileError, WeftError } from '../errors.js';
import { formatDuration, RunTally } from '../events/tally.js';
import type { WeftEvent } from '../events/types.js';
import { parseJoblog } from '../events/joblog.js';
import { formatSize } from '../chunk/units.js';

/** What `weft --status FILE` found. */
export interface RunStatus {
  source: 'events' | 'joblog';
  state: 'starting' | 'running' | 'finished';
  runId?: string;
  done: number;
  failed: number;
  /** Attempts in flight; unknown from a joblog. */
  running?: number;
  total?: number;
  percent?: number;
  elapsedMs?: number;
  /** Seconds; undefined when it cannot be known. */
  etaSeconds?: number;
  exitCode?: number;
  /** The file ended in the middle of a line (a write in progress); that line was left out. */
  partial: boolean;
  /** Jobs given a reused result (`--cache`, `--dedupe`), when there are any. */
  cached?: number;
  deduped?: number;
  /** `--memfree` holds new jobs: the memory seen, and for how long (ms). */
  held?: { freeBytes: number; limitBytes: number; forMs: number };
}

const EVENT_TYPES = new Set([
  'run_started',
  'job_started',
  'job_finished',
  'job_retry',
  'job_failed',
  'job_skipped',
  'jobs_held',
  'jobs_released',
  'run_finished',
]);

/**
 * Reads an events NDJSON file (docs/events.md) or a GNU joblog and says where the run
 * is. An events file may be read while it is being written: a last line without its
 * newline is a write in progress and is left out. Throws a WeftError with the line
 * number for anything else that is not an event or joblog row.
 */
export function readStatus(path: string, now: number = Date.now()): RunStatus {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fileError(path, err);
  }
  const lines = text.split('\n');
  const partial = lines.pop() !== '';
  const first = lines.find((l) => l.trim() !== '') ?? '';
  if (first.startsWith('Seq\t') || /^\d+\t/.test(first)) return joblogStatus(path, lines, partial);
  return eventsStatus(path, lines, partial, now);
}

function eventsStatus(path: string, lines: string[], partial: boolean, now: number): RunStatus {
  const tally = new RunTally();
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const bad = (why: string) =>
      new WeftError('E_EVENTS', `not a weft event (${why})`, { location: { file: path, line: i + 1 } });
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      throw bad('not JSON');
    }
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw bad('not a JSON object');
    const o = e as Record<string, unknown>;
    if (typeof o.type !== 'string' || typeof o.runId !== 'string' || typeof o.t !== 'number')
      throw bad('type, runId and t are required');
    // Event types from newer versions are not an error.
    if (!EVENT_TYPES.has(o.type)) return;
    if (o.type === 'run_started' && typeof o.startedAt !== 'number')
      throw bad('run_started without startedAt');
    if (o.type === 'run_finished' && (typeof o.summary !== 'object' || o.summary === null))
      throw bad('run_finished without summary');
    // Only the last run of an appended file counts.
    if (o.type !== 'run_started' && tally.runId !== undefined && o.runId !== tally.runId) return;
    tally.apply(o as unknown as WeftEvent);
  });
  if (tally.runId === undefined) {
    return { source: 'events', state: 'starting', done: 0, failed: 0, running: 0, partial };
  }
  const finished = tally.summary !== undefined;
  const elapsedMs = finished ? tally.summary!.wallMs : Math.max(now - tally.startedAt!, tally.lastT);
  return {
    source: 'events',
    state: finished ? 'finished' : 'running',
    runId: tally.runId,
    done: tally.done,
    failed: tally.failed,
    running: tally.running,
    total: tally.total,
    percent: tally.percent(),
    elapsedMs,
    etaSeconds: tally.etaSeconds(elapsedMs),
    exitCode: tally.summary?.exitCode,
    partial,
    ...(tally.cached ? { cached: tally.cached } : {}),
    ...(tally.deduped ? { deduped: tally.deduped } : {}),
    ...(tally.held
      ? {
          held: {
            freeBytes: tally.held.freeBytes,
            limitBytes: tally.held.limitBytes,
            forMs: Math.max(0, elapsedMs - tally.held.t),
          },
        }
      : {}),
  };
}

/** A joblog has one row per finished job: done and failed, nothing about the rest. */
function joblogStatus(path: string, lines: string[], partial: boolean): RunStatus {
  const { succeeded: ok, failed: bad } = parseJoblog(path, lines);
  return {
    source: 'joblog',
    state: 'running',
    done: ok.size + bad.size,
    failed: bad.size,
    partial,
  };
}

/** The report `weft --status` prints: `key: value` lines. */
export function formatStatus(s: RunStatus): string {
  const out: string[] = [];
  if (s.source === 'joblog') {
    out.push(
      'state: unknown (a joblog records finished jobs only)',
      `done: ${s.done}`,
      `failed: ${s.failed}`,
      'running: unknown',
      'eta: unknown',
    );
    return out.join('\n') + '\n';
  }
  const elapsed = s.elapsedMs === undefined ? '' : ` (${formatDuration(s.elapsedMs / 1000)} elapsed)`;
  const state =
    s.state === 'finished'
      ? `finished, exit status ${s.exitCode}${elapsed}`
      : s.state === 'running'
        ? `running${elapsed}`
        : 'starting (no events yet)';
  out.push(`state: ${state}`);
  if (s.runId) out.push(`run: ${s.runId}`);
  out.push(
    s.total === undefined ? `done: ${s.done}` : `done: ${s.done}/${s.total} (${s.percent}%)`,
    `failed: ${s.failed}`,
    `running: ${s.running ?? 0}`,
  );
  if (s.cached || s.deduped)
    out.push(`reused: ${s.cached ?? 0} from the cache, ${s.deduped ?? 0} duplicates`);
  if (s.held) {
    const h = s.held;
    out.push(
      `held: free memory ${formatSize(h.freeBytes)} < --memfree ${formatSize(h.limitBytes)} (${formatDuration(h.forMs / 1000)})`,
    );
  }
  out.push(
    `eta: ${s.state === 'finished' ? '0s' : s.total === undefined ? 'unknown (total not known)' : formatDuration(s.etaSeconds)}`,
  );
  return out.join('\n') + '\n';
}

/** `weft --status FILE`: prints the report; 0, or 255 (with `weft: FILE: ...`) on a bad file. */
export function statusCommand(path: string, io: { stdout: Writable; stderr: Writable }): number {
  try {
    io.stdout.write(formatStatus(readStatus(path)));
    return 0;
  } catch (err) {
    const line =
      err instanceof WeftError ? err.describe() : `internal error: ${(err as Error)?.message ?? String(err)}`;
    io.stderr.write(`weft: ${line}\n`);
    return 255;
  }
}
