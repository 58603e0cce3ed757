import type { RunSummary } from '../events/types.js';
import type { FailedJob, ReportCollector } from './collect.js';
import {
  busyMs,
  histogram,
  quantile,
  slotUse,
  stoppedByRun,
  throughput,
  type Attempt,
  type Histogram,
  type SlotUse,
  type Throughput,
} from './stats.js';

/** A failed or stopped job; `startMs` is relative to the run's start. */
export type ReportFailure = Omit<FailedJob, 'start'> & { startMs: number };

/** The summary: the run's own when it finished, else what the events tell (exitCode null). */
export type ReportSummary = Omit<RunSummary, 'exitCode'> & { exitCode: number | null };

/** Everything `--report` writes, as JSON; the HTML report is rendered from the same object. */
export interface Report {
  format: 'weft-report';
  version: 1;
  title: string;
  runId: string;
  /** ISO time the run started, and when the report was made. */
  startedAt: string;
  generatedAt: string;
  /** False when the run ended by an error before reporting its summary. */
  complete: boolean;
  summary: ReportSummary;
  stats: {
    slots: number;
    wallMs: number;
    /** Jobs that ran to their end (last attempts, not stopped by weft); all attempts. */
    jobs: number;
    attempts: number;
    busyMs: number;
    /** busyMs / wallMs: jobs running at once, on average. */
    speedup: number;
    /** speedup / slots, 0..1. */
    efficiency: number;
    /** Over the jobs that ran to their end, in ms. */
    duration: { min: number; mean: number; median: number; p90: number; max: number };
  };
  slots: SlotUse[];
  /** One row per attempt, by start time; times in ms since the run started. */
  timeline: Attempt[];
  /** Durations of the jobs that ran to their end. */
  histogram: Histogram;
  /** Jobs that ran to their end, per bucket of their end time. */
  throughput: Throughput;
  /** Jobs counted as failed, with their args and command. */
  failures: ReportFailure[];
  /** Jobs weft ended because of `--halt now` or a signal (not counted as failures). */
  stopped: ReportFailure[];
  /** With `-j auto`: each change of the limit (ms since the run started); `stats.slots` is the peak. */
  concurrency?: { t: number; limit: number; reason: string }[];
}

const round = (x: number, digits = 4): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Builds the report from what the collector saw; `now` (epoch ms) ends an unfinished run. */
export function buildReport(c: ReportCollector, opts: { title?: string; now?: number } = {}): Report {
  const now = opts.now ?? Date.now();
  const origin = c.startedAt ?? c.attempts.reduce((m, a) => Math.min(m, a.start), now);
  const wallMs = Math.max(0, c.summary?.wallMs ?? now - origin);
  const timeline: Attempt[] = c.attempts.map((a) => ({
    seq: a.seq,
    attempt: a.attempt,
    slot: a.slot,
    startMs: a.start - origin,
    endMs: a.start - origin + a.durationMs,
    durationMs: a.durationMs,
    exitCode: a.exitCode,
    signal: a.signal,
    ...(a.killed ? { killed: a.killed } : {}),
    final: a.final,
  }));
  // Attempts still running when the run ended by an error: until the end of the run.
  for (const [seq, r] of c.running) {
    const startMs = Math.min(r.t, wallMs);
    timeline.push({
      seq,
      attempt: r.attempt,
      slot: r.slot,
      startMs,
      endMs: wallMs,
      durationMs: wallMs - startMs,
      exitCode: -1,
      signal: 0,
      final: false,
      unfinished: true,
    });
  }
  timeline.sort((a, b) => a.startMs - b.startMs || a.seq - b.seq || a.attempt - b.attempt);

  const slots = c.slots || timeline.reduce((m, a) => Math.max(m, a.slot), 0);
  // Jobs that ran to their end: last attempts, without those weft stopped.
  const done = timeline.filter((a) => a.final && !stoppedByRun(a));
  const durations = done.map((a) => a.durationMs).sort((a, b) => a - b);
  const busy = busyMs(timeline);
  const speedup = wallMs > 0 ? busy / wallMs : 0;
  const rel = (j: FailedJob): ReportFailure => {
    const { start, ...rest } = j;
    return { ...rest, startMs: start - origin };
  };

  const summary: ReportSummary = c.summary ?? {
    jobs: c.jobsStarted,
    succeeded: c.succeeded,
    failed: c.failures.length,
    skipped: c.skipped,
    retried: c.retried,
    ...(c.cached || c.deduped ? { cached: c.cached, deduped: c.deduped } : {}),
    halted: false,
    exitCode: null,
    wallMs,
    speedup,
  };

  return {
    format: 'weft-report',
    version: 1,
    title: opts.title || 'weft run',
    runId: c.runId ?? '',
    startedAt: new Date(origin).toISOString(),
    generatedAt: new Date(now).toISOString(),
    complete: c.summary !== undefined,
    summary,
    stats: {
      slots,
      wallMs,
      jobs: done.length,
      attempts: timeline.length,
      busyMs: busy,
      speedup: round(speedup),
      efficiency: round(slots > 0 ? speedup / slots : 0),
      duration: {
        min: durations[0] ?? 0,
        mean: round(durations.length ? durations.reduce((s, d) => s + d, 0) / durations.length : 0, 3),
        median: round(quantile(durations, 0.5), 3),
        p90: round(quantile(durations, 0.9), 3),
        max: durations.at(-1) ?? 0,
      },
    },
    slots: slotUse(timeline, wallMs, slots).map((s) => ({ ...s, utilization: round(s.utilization) })),
    timeline,
    histogram: histogram(durations),
    throughput: throughput(
      done.map((a) => a.endMs),
      wallMs,
    ),
    failures: c.failures.map(rel),
    stopped: c.stopped.map(rel),
    ...(c.concurrency.length ? { concurrency: c.concurrency } : {}),
  };
}

/**
 * The report as JSON text: objects indented, arrays with one element per line (so a
 * 100 000-job timeline is 100 000 greppable lines, not a million).
 */
export function reportJson(r: Report): string {
  const format = (v: unknown, indent: string): string => {
    const inner = indent + '  ';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[\n${v.map((e) => inner + JSON.stringify(e)).join(',\n')}\n${indent}]`;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return '{}';
      return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${format(x, inner)}`).join(',\n')}\n${indent}}`;
    }
    return JSON.stringify(v);
  };
  return format(r, '') + '\n';
}
