// Why `--js` uses its own pool on node:worker_threads rather than piscina: the two side by side,
// both running weft's task code (dist/exec/js/task.js) in C threads fed by C lanes, as weft's
// slots feed them. Not part of `npm run bench` (piscina is not a dependency):
//
//   npm run build && npm i --no-save piscina && node test/bench/pool-compare.mjs [--rounds 5] [--threads 2]
//
// Two loads: tiny jobs (an argument in, a line out: the pool's own cost per job) and chunks of
// 5000 NDJSON records (parse, add a field, stringify: the transfer and the work).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { TextEncoder } from 'node:util';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : Number(process.argv[i + 1]);
};
const ROUNDS = arg('--rounds', 5);
const C = arg('--threads', 2);
const TINY = arg('--tiny', 20000);
const CHUNKS = arg('--chunks', 200);

const dir = mkdtempSync(join(tmpdir(), 'weft-pools-'));
const transform = join(dir, 'transform.mjs');
writeFileSync(
  transform,
  `export default (input) => {
  if (Array.isArray(input)) return input[0] + '\\n';
  let out = '';
  for (const line of input.split('\\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    r.total = r.price * r.qty;
    out += JSON.stringify(r) + '\\n';
  }
  return out;
};
`,
);
const piscinaWorker = join(dir, 'piscina-worker.mjs');
writeFileSync(
  piscinaWorker,
  `import { workerData } from 'node:worker_threads';
import { runTask } from ${JSON.stringify(pathToFileURL(join(root, 'dist/exec/js/task.js')).href)};
const mod = await import(workerData.moduleUrl);
const signal = new AbortController().signal;
export default ({ seq, slot, args, input }) => runTask(mod.default, input, { seq, slot, args, signal });
`,
);
const moduleUrl = pathToFileURL(transform).href;
const never = new globalThis.AbortController().signal;

/** Runs `count` jobs through `C` lanes, each waiting for its job before the next (as a slot). */
async function lanes(count, job) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async (_, lane) => {
      while (next < count) await job(next++, lane + 1);
    }),
  );
  return performance.now() - t0;
}

function chunk(i) {
  let s = '';
  for (let j = i * 5000; j < (i + 1) * 5000; j++)
    s += `{"id":${j},"name":"item-${j}","price":${(j % 997) / 10},"qty":${j % 13},"tags":["a","b"]}\n`;
  return new TextEncoder().encode(s);
}
const chunks = Array.from({ length: 50 }, (_, i) => chunk(i));
const tiny = () => ({ kind: 'args' });
const big = (i) => ({ kind: 'bytes', data: new Uint8Array(chunks[i % chunks.length]) });

const pools = {
  async 'weft (worker_threads)'(count, input) {
    const { WorkerPool } = await import(pathToFileURL(join(root, 'dist/exec/js/pool.js')).href);
    const pool = new WorkerPool({ moduleUrl }, 'transform.mjs');
    await pool.start();
    const ms = await lanes(count, (i, slot) =>
      pool.run({ seq: i + 1, slot, args: ['x'], input: input(i), signal: never }),
    );
    await pool.close();
    return ms;
  },
  async piscina(count, input) {
    const { Piscina } = await import('piscina');
    const pool = new Piscina({
      filename: pathToFileURL(piscinaWorker).href,
      workerData: { moduleUrl },
      minThreads: C,
      maxThreads: C,
    });
    await pool.run({ seq: 0, slot: 1, args: ['x'], input: { kind: 'args' } });
    const ms = await lanes(count, (i, slot) => {
      const inp = input(i);
      const transferList = inp.kind === 'bytes' ? [inp.data.buffer] : [];
      return pool.run({ seq: i + 1, slot, args: ['x'], input: inp }, { transferList });
    });
    await pool.destroy();
    return ms;
  },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const results = {};
for (let r = 0; r < ROUNDS; r++) {
  const names = Object.keys(pools);
  if (r % 2) names.reverse();
  for (const name of names) {
    results[name] ??= { tiny: [], chunks: [] };
    results[name].tiny.push((TINY / (await pools[name](TINY, tiny))) * 1000);
    results[name].chunks.push(((CHUNKS * 5000) / (await pools[name](CHUNKS, big))) * 1000);
  }
}
console.log(`${C} threads, ${ROUNDS} rounds (medians):`);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(22)} tiny jobs: ${median(r.tiny).toFixed(0).padStart(6)} jobs/s   ` +
      `5000-record chunks: ${(median(r.chunks) / 1000).toFixed(0).padStart(5)}k records/s`,
  );
}
rmSync(dir, { recursive: true, force: true });
