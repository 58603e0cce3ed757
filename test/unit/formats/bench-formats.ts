/**
 * Benchmark (not a test): the CSV boundary scanner vs csv-parse, and formatChunks end to end
 * (csv, lines, csv with --key, and a JSON array validated by stream-json).
 *
 *   npx esbuild test/unit/formats/bench-formats.ts --bundle --platform=node --format=esm \
 *     --outfile=node_modules/.cache/weft-bench-formats.mjs \
 *     "--banner:js=import { createRequire as r } from 'node:module'; const require = r(import.meta.url);" \
 *     && node --expose-gc node_modules/.cache/weft-bench-formats.mjs [MB]
 *
 * Generates MB (default 100) of CSV with quoted fields, embedded commas, "" escapes, quoted
 * CRLF/LF newlines and multi-byte UTF-8; fed in 64 KiB pieces, as a file stream would be.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { CsvScanner, formatChunks } from '../../../src/chunk/formats/index.js';

const MB = 1 << 20;
const size = Number(process.argv[2] ?? 100) * MB;

function generate(target: number): Buffer {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const words = [
    'alpha',
    'beta',
    'gamma',
    'δέλτα',
    '数据',
    'naïve',
    'x',
    'lorem ipsum dolor',
    '12345',
    '3.14159',
  ];
  const w = () => words[Math.floor(rnd() * words.length)];
  const field = () => {
    const r = rnd();
    if (r < 0.4) return w();
    if (r < 0.6) return `"${w()}, ${w()}"`;
    if (r < 0.75) return `"${w()} ""quoted"" ${w()}"`;
    if (r < 0.85) return `"${w()}\n${w()}\r\n${w()}"`;
    return String(Math.floor(rnd() * 1e6));
  };
  const parts: Buffer[] = [Buffer.from('id,name,comment,value,note,extra\n')];
  let len = parts[0].length;
  for (let id = 0; len < target;) {
    let s = '';
    for (let k = 0; k < 2000; k++) s += `${id++},${field()},${field()},${field()},${field()},${field()}\n`;
    const b = Buffer.from(s);
    parts.push(b);
    len += b.length;
  }
  return Buffer.concat(parts);
}

function pieces(data: Buffer, n = 64 * 1024): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += n) out.push(Buffer.from(data.subarray(i, i + n)));
  return out;
}

/** Runs `f` and returns MB/s by wall clock and by this process's CPU time. */
async function measure(bytes: number, f: () => Promise<unknown> | unknown) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = await f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  return { wall: bytes / MB / wall, cpu: bytes / MB / cpu, result };
}

const fmt = (r: { wall: number; cpu: number }) =>
  `${r.wall.toFixed(0)} MB/s wall, ${r.cpu.toFixed(0)} MB/s cpu`;

let data: Buffer | undefined = generate(size);
let input: Buffer[] | undefined = pieces(data);
const total = data.length;
console.log(`input: ${(total / MB).toFixed(1)} MiB CSV in ${input.length} pieces of 64 KiB`);

for (let run = 1; run <= 3; run++) {
  const r = await measure(total, () => {
    const s = new CsvScanner();
    let records = 0;
    for (const p of input!) for (let e = s.next(p, 0); e >= 0; e = s.next(p, e)) records++;
    return records;
  });
  console.log(`scanner   run ${run}: ${fmt(r)} (${r.result} record ends)`);
}

for (let run = 1; run <= 2; run++) {
  const r = await measure(total, async () => {
    let records = 0;
    for await (const _ of Readable.from(input!).pipe(parse({ relax_column_count: true }))) records++;
    return records;
  });
  console.log(`csv-parse run ${run}: ${fmt(r)} (${r.result} records incl. header)`);
}

const dir = await mkdtemp(join(tmpdir(), 'weft-bench-'));
try {
  const file = join(dir, 'big.csv');
  await writeFile(file, data);
  const small = join(dir, 'small.csv');
  await writeFile(small, data.subarray(0, data.indexOf(10, 20 * MB) + 1));
  const smallSize = data.indexOf(10, 20 * MB) + 1;
  data = undefined;
  input = undefined;
  const gc = (globalThis as { gc?: () => void }).gc;
  for (const format of ['csv', 'lines'] as const) {
    gc?.();
    const m0 = process.memoryUsage();
    const base = m0.heapUsed + m0.arrayBuffers;
    let peak = 0;
    const e2e = await measure(total, async () => {
      let chunks = 0;
      const src = createReadStream(file, { highWaterMark: 64 * 1024 });
      for await (const _ of formatChunks(src, { format, block: MB, name: file })) {
        chunks++;
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers);
      }
      return chunks;
    });
    console.log(
      `formatChunks ${format} --block 1M from a file: ${fmt(e2e)} (${e2e.result} chunks; ` +
        `heap+buffers: ${(base / MB).toFixed(0)} MiB before, peak ${(peak / MB).toFixed(0)} MiB during)`,
    );
  }
  const keyed = await measure(smallSize, async () => {
    let n = 0;
    for await (const c of formatChunks(createReadStream(small), {
      format: 'csv',
      block: MB,
      key: 'note',
      name: small,
    })) {
      n += c.records;
    }
    return n;
  });
  console.log(
    `formatChunks csv --key note (csv-parse for fields), 20 MiB: ${fmt(keyed)} (${keyed.result} records)`,
  );

  const jsonFile = join(dir, 'big.json');
  const els: string[] = [];
  for (let i = 0, len = 0; len < Math.min(total, 20 * MB); i++) {
    const e = JSON.stringify({
      id: i,
      name: `user "${i}" [x]`,
      tags: ['a', 'b{', 'é😀'],
      v: i * 1.5,
      ok: !!(i % 2),
    });
    els.push(e);
    len += e.length + 2;
  }
  const json = Buffer.from(`[\n${els.join(',\n')}\n]\n`);
  await writeFile(jsonFile, json);
  for (const emit of ['json', 'ndjson'] as const) {
    const r = await measure(json.length, async () => {
      let n = 0;
      const src = createReadStream(jsonFile);
      for await (const c of formatChunks(src, { format: 'json', block: MB, emit, name: jsonFile }))
        n += c.records;
      return n;
    });
    console.log(
      `formatChunks json --emit ${emit}, ${(json.length / MB).toFixed(0)} MiB: ${fmt(r)} (${r.result} elements)`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
