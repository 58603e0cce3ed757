// Start order: 40 `sleep` jobs of skewed durations (0.05–2 s, most short, a few long) on 2
// slots, run in input order (shuffled, and ascending: the long jobs last) and with
// `--order lpt --cost {}` (longest first). The figure is the makespan, first job start to
// last job end, read from each run's --events file, so weft's own start-up is left out.
// The lower bound is max(sum ÷ 2, longest job): no order on 2 slots can beat it.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { measureRow, ratioRow, timeOnce, median } from '../lib.mjs';

const JOBS = 40;
const SLOTS = 2;

/** Deterministic durations in seconds: 0.05 + 1.95·u⁶ (u uniform), two decimals. */
function durations(seed = 7) {
  let s = seed;
  const next = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: JOBS }, () => Math.round((0.05 + 1.95 * next() ** 6) * 100) / 100);
}

/** First job start to last job end (ms), from an --events file. */
function makespan(file) {
  const done = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'job_finished');
  if (done.length !== JOBS) throw new Error(`${file}: ${done.length} jobs finished, expected ${JOBS}`);
  return Math.max(...done.map((e) => e.start + e.durationMs)) - Math.min(...done.map((e) => e.start));
}

export default {
  name: 'order',
  title: `Start order: makespan of ${JOBS} skewed sleep jobs on ${SLOTS} slots, LPT vs input order`,
  async run(ctx) {
    const d = durations();
    const sum = d.reduce((a, b) => a + b, 0);
    const bound = Math.max(sum / SLOTS, Math.max(...d)) * 1000;
    const shuffled = join(ctx.tmpDir, 'order-shuffled.txt');
    const ascending = join(ctx.tmpDir, 'order-ascending.txt');
    writeFileSync(shuffled, d.join('\n') + '\n');
    writeFileSync(ascending, [...d].sort((a, b) => a - b).join('\n') + '\n');
    ctx.log(`order: ${JOBS} jobs, ${sum.toFixed(2)} s of sleep, lower bound ${(bound / 1000).toFixed(2)} s`);

    const variants = [
      { label: 'input order (shuffled)', order: [], file: shuffled },
      { label: 'input order (ascending)', order: [], file: ascending },
      { label: 'lpt', order: ['--order', 'lpt', '--cost', '{}'], file: shuffled },
    ];
    const samples = new Map(variants.map((v) => [v.label, { samples: [], failures: [] }]));
    const commands = new Map();
    for (let r = 0; r < ctx.opts.rounds; r++) {
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + r) % variants.length];
        const events = join(ctx.tmpDir, `order-${r}-${i}.ndjson`);
        const c = ctx.weft(['-j', String(SLOTS), ...v.order, '--events', events, 'sleep', '::::', v.file], {
          label: v.label,
          display: ['weft', `-j${SLOTS}`, ...v.order, '--events FILE sleep ::::', basename(v.file)].join(' '),
        });
        commands.set(v.label, c);
        const res = await timeOnce(c);
        const slot = samples.get(v.label);
        if (res.code === 0) slot.samples.push(makespan(events));
        else slot.failures.push({ code: res.code, signal: res.signal, stderr: res.stderr.trim() });
        ctx.onRun(c, r, res);
      }
    }

    const rows = variants.map((v) =>
      measureRow('order', commands.get(v.label), samples.get(v.label), { measures: 'makespan' }),
    );
    const m = (label) => median(samples.get(label).samples);
    rows.push(
      ratioRow('order', {
        label: 'lpt/input makespan (shuffled)',
        definition: 'median makespan with --order lpt ÷ in the (shuffled) input order',
        value: m('lpt') / m('input order (shuffled)'),
        extra: { headline: true },
      }),
      ratioRow('order', {
        label: 'lpt/input makespan (ascending)',
        definition: 'median makespan with --order lpt ÷ in ascending input order (long jobs last)',
        value: m('lpt') / m('input order (ascending)'),
        target: { op: '<=', value: 0.97 },
      }),
      ratioRow('order', {
        label: 'lpt/lower bound',
        definition: `median lpt makespan ÷ max(sum ÷ ${SLOTS}, longest) = ${(bound / 1000).toFixed(2)} s`,
        value: m('lpt') / bound,
        target: { op: '<=', value: 1.1 },
      }),
      ratioRow('order', {
        label: 'input (ascending)/lower bound',
        definition: 'median ascending-order makespan ÷ the same lower bound',
        value: m('input order (ascending)') / bound,
      }),
    );
    return rows;
  },
};
