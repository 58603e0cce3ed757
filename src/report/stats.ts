/**
 * The statistics of a run report, as pure functions of its attempts. Times are milliseconds
 * since the run started; `wallMs` is the run's wall time.
 */

/** One attempt of one job, placed on its slot. */
export interface Attempt {
  seq: number;
  attempt: number;
  slot: number;
  startMs: number;
  endMs: number;
  durationMs: number;
  exitCode: number;
  signal: number;
  /** Why weft ended it: 'timeout', 'halt', 'interrupt'. */
  killed?: string;
  /** False when the job was retried after this attempt, or never finished. */
  final: boolean;
  /** True when the run ended before the attempt reported back (end = end of run). */
  unfinished?: boolean;
}

/** Busy time of one job slot. */
export interface SlotUse {
  slot: number;
  attempts: number;
  busyMs: number;
  /** busyMs / wallMs, 0..1. */
  utilization: number;
}

export interface Histogram {
  /** Width of every bin. */
  binMs: number;
  bins: { fromMs: number; toMs: number; count: number }[];
}

export interface Throughput {
  /** Width of every bucket: 1000 ms, wider for long runs. */
  bucketMs: number;
  buckets: { fromMs: number; count: number; perSecond: number }[];
}

/** Whether weft itself stopped the attempt because the run was ending (not a job failure). */
export const stoppedByRun = (a: Pick<Attempt, 'killed'>): boolean =>
  a.killed === 'halt' || a.killed === 'interrupt';

/** 1, 2 or 5 times a power of ten, at least `raw` (and at least `min`). */
export function niceStep(raw: number, min = 1): number {
  if (!(raw > min)) return min;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/** Sum of attempt durations: the time slots spent running jobs. */
export const busyMs = (attempts: readonly Attempt[]): number =>
  attempts.reduce((s, a) => s + a.durationMs, 0);

/** Sum of job durations divided by wall time: how many jobs ran at once on average. */
export function speedup(attempts: readonly Attempt[], wallMs: number): number {
  return wallMs > 0 ? busyMs(attempts) / wallMs : 0;
}

/** Speedup divided by the number of slots: 1 means every slot was busy all the time. */
export function efficiency(attempts: readonly Attempt[], wallMs: number, slots: number): number {
  return slots > 0 ? speedup(attempts, wallMs) / slots : 0;
}

/** Busy time / wall time for slots 1..slots (and any higher slot an attempt used). */
export function slotUse(attempts: readonly Attempt[], wallMs: number, slots: number): SlotUse[] {
  const n = attempts.reduce((m, a) => Math.max(m, a.slot), slots);
  const use: SlotUse[] = Array.from({ length: n }, (_, i) => ({
    slot: i + 1,
    attempts: 0,
    busyMs: 0,
    utilization: 0,
  }));
  for (const a of attempts) {
    const u = use[a.slot - 1];
    if (!u) continue;
    u.attempts++;
    u.busyMs += a.durationMs;
  }
  for (const u of use) u.utilization = wallMs > 0 ? u.busyMs / wallMs : 0;
  return use;
}

/** Durations in bins of a round width (1/2/5 × 10^k ms), about √n of them (5 to 30). */
export function histogram(durations: readonly number[]): Histogram {
  if (durations.length === 0) return { binMs: 1, bins: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of durations) {
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  const target = Math.min(30, Math.max(5, Math.ceil(Math.sqrt(durations.length))));
  const binMs = niceStep((hi - lo) / target);
  const from = Math.floor(lo / binMs) * binMs;
  const count = Math.floor((hi - from) / binMs) + 1;
  const bins = Array.from({ length: count }, (_, i) => ({
    fromMs: from + i * binMs,
    toMs: from + (i + 1) * binMs,
    count: 0,
  }));
  for (const d of durations) bins[Math.min(count - 1, Math.floor((d - from) / binMs))].count++;
  return { binMs, bins };
}

/** Jobs finished per bucket of run time: 1 s buckets, wider ones (at most 300) for long runs. */
export function throughput(finishedAtMs: readonly number[], wallMs: number): Throughput {
  const bucketMs = wallMs <= 300_000 ? 1000 : niceStep(wallMs / 300, 1000);
  const n = Math.max(1, Math.ceil(wallMs / bucketMs));
  const buckets = Array.from({ length: n }, (_, i) => ({ fromMs: i * bucketMs, count: 0, perSecond: 0 }));
  for (const t of finishedAtMs) buckets[Math.max(0, Math.min(n - 1, Math.floor(t / bucketMs)))].count++;
  for (const b of buckets) b.perSecond = (b.count * 1000) / bucketMs;
  return { bucketMs, buckets };
}

/** The q-quantile (0..1) of sorted values, by linear interpolation; 0 for none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const j = Math.min(sorted.length - 1, i + 1);
  return sorted[i] + (sorted[j] - sorted[i]) * (pos - i);
}
