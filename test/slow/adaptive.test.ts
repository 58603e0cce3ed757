import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeftEvent } from '../../src/index.js';
import { lines, tempDir, weft } from '../e2e/helpers.js';
import { GET_MODULE as GET, overloadedService } from '../bench/overloaded-service.mjs';

// -j auto against a real HTTP service (127.0.0.1, a free port) whose latency grows steeply past
// a capacity weft is not told: fixed -j values around the capacity vs -j auto over the same
// jobs. Each job is one request, made by a --js module with node:http: a process per request
// (curl) would cost more than the service's own latency on a loaded 2-core machine and blur the
// knee (fetch would too, on each new thread's first request: it compiles undici).
// Each setting runs twice (the second round in reverse order) and keeps its best time, so a
// burst of load on a shared machine does not decide the outcome.

const JOBS = 800;
const CAPACITY = 8;
const BASE_MS = 100;
const FIXED = ['6', '8', '10', '12'];

let service: Awaited<ReturnType<typeof overloadedService>>;
beforeAll(async () => {
  service = await overloadedService({ capacity: CAPACITY, baseMs: BASE_MS });
});
afterAll(() => service?.close());

/** Runs the jobs with `-j j`; jobs per second over weft's whole run, and its events. */
async function measure(j: string) {
  const dir = tempDir({ 'get.mjs': GET });
  const args = [`-j${j}`, '--events', 'ev.ndjson', '--js', 'get.mjs', ':::'];
  for (let i = 1; i <= JOBS; i++) args.push(`${service.url}${i}`);
  const t0 = performance.now();
  const r = await weft(args, { cwd: dir, timeoutMs: 120_000 });
  const ms = performance.now() - t0;
  expect(r.code, r.stderr).toBe(0);
  expect(lines(r.stdout)).toHaveLength(JOBS);
  const events = lines(readFileSync(join(dir, 'ev.ndjson'), 'utf8')).map((l) => JSON.parse(l) as WeftEvent);
  return { perSec: (JOBS / ms) * 1000, events };
}

describe('-j auto on a service whose latency grows past its capacity', () => {
  it('reaches at least 90% of the best fixed -j throughput without being told the capacity', async () => {
    const settings = [...FIXED, 'auto'];
    const best = new Map<string, number>();
    let autoEvents: WeftEvent[] = [];
    for (const round of [settings, [...settings].reverse()]) {
      for (const j of round) {
        const m = await measure(j);
        best.set(j, Math.max(best.get(j) ?? 0, m.perSec));
        if (j === 'auto') autoEvents = m.events;
      }
    }
    const fixed = FIXED.map((j) => ({ j, perSec: best.get(j)! }));
    const top = fixed.reduce((a, b) => (b.perSec > a.perSec ? b : a));
    const auto = best.get('auto')!;
    const table = [...fixed, { j: 'auto', perSec: auto }].map((r) => `-j${r.j}: ${r.perSec.toFixed(1)}/s`);
    console.log(`${table.join(', ')}; auto/best = ${(auto / top.perSec).toFixed(3)}`);

    expect(auto / top.perSec, table.join(', ')).toBeGreaterThanOrEqual(0.9);
    // It found the capacity by measuring: it went past it and came back.
    const limits = autoEvents.filter((e) => e.type === 'concurrency_changed').map((e) => e.limit);
    expect(Math.max(...limits)).toBeGreaterThan(CAPACITY);
    const last = limits.at(-1)!;
    expect(last).toBeGreaterThanOrEqual(CAPACITY / 2);
    expect(last).toBeLessThanOrEqual(CAPACITY * 2);
    // The service's own view: it was never kept far past capacity.
    expect(service.stats().served).toBe(JOBS * 2 * settings.length);
  });
});
