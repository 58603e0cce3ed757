// JavaScript jobs: a per-record JSON transform (parse, add a field, stringify) over N NDJSON
// records (1M by default, --js-records N), cut into chunks by `--format ndjson`, run two ways:
// `--js transform.mjs` (worker threads, the module loaded once per thread) and
// `node transform-cli.mjs` (a node process per chunk, the same transform). Once with the
// default 1M blocks and once with 64k blocks, where starting a process weighs more.
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { measureInterleaved, measureRow, ratioRow } from '../lib.mjs';

const TRANSFORM = `// One chunk of NDJSON in, the same records with a total out.
export default function transform(chunk) {
  let out = '';
  for (const line of chunk.split('\\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    r.total = Math.round(r.price * r.qty * 100) / 100;
    out += JSON.stringify(r) + '\\n';
  }
  return out;
}
`;

const CLI = `// The same transform as a program: stdin to stdout.
import transform from './transform.mjs';
let text = '';
process.stdin.setEncoding('utf8');
for await (const part of process.stdin) text += part;
process.stdout.write(transform(text));
`;

/** Writes `n` NDJSON records (about 100 bytes each) to `file`. */
async function writeRecords(file, n) {
  const out = createWriteStream(file);
  for (let i = 0; i < n; i += 1000) {
    let s = '';
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      s += `{"id":${j},"name":"item-${j}","price":${(j % 997) / 10 + 0.5},"qty":${j % 13},"tags":["a","b"]}\n`;
    }
    if (!out.write(s)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export default {
  name: 'js',
  title: 'JavaScript jobs: a JSON transform per record, --js vs a node process per chunk',
  async run(ctx) {
    const n = ctx.opts.jsRecords;
    const dir = ctx.tmpDir;
    writeFileSync(join(dir, 'transform.mjs'), TRANSFORM);
    writeFileSync(join(dir, 'transform-cli.mjs'), CLI);
    const data = join(dir, `records-${n}.ndjson`);
    await writeRecords(data, n);
    const sample = join(dir, 'sample.ndjson');
    await writeRecords(sample, 2000);

    // Untimed check: both ways print every record of a sample, transformed the same.
    const check = async (args) => (await ctx.sanity(ctx.weft(args, { label: 'check' }))).stdout;
    const viaJs = await check([
      '--format',
      'ndjson',
      '--block',
      '20k',
      '-k',
      '-a',
      sample,
      '--js',
      join(dir, 'transform.mjs'),
    ]);
    const viaNode = await check([
      '--format',
      'ndjson',
      '--block',
      '20k',
      '-k',
      '-a',
      sample,
      'node',
      join(dir, 'transform-cli.mjs'),
    ]);
    if (viaJs !== viaNode || viaJs.split('\n').length !== 2001)
      ctx.log('js: warning: the two ways disagree on the sample');

    const rows = [];
    for (const block of ['1M', '64k']) {
      const shown = `--format ndjson --block ${block} -a records.ndjson`;
      const base = ['--format', 'ndjson', '--block', block, '-a', data];
      const cmds = [
        ctx.weft([...base, '--js', join(dir, 'transform.mjs')], {
          label: `--js (${block} blocks)`,
          display: `node bin/weft.js ${shown} --js transform.mjs`,
        }),
        ctx.weft([...base, 'node', join(dir, 'transform-cli.mjs')], {
          label: `node per chunk (${block} blocks)`,
          display: `node bin/weft.js ${shown} node transform-cli.mjs`,
        }),
      ];
      ctx.log(`js: ${n} records, ${block} blocks, ${ctx.opts.rounds} interleaved rounds`);
      const res = await measureInterleaved(cmds, ctx.opts.rounds, { onRun: ctx.onRun });
      const [js, node] = cmds.map((c) => {
        const row = measureRow('js', c, res.get(c.label), { records: n });
        row.recordsPerSec = n / (row.median / 1000);
        rows.push(row);
        return row;
      });
      rows.push(
        ratioRow('js', {
          label: `--js/node-per-chunk throughput (${block} blocks)`,
          definition: `node-per-chunk median ÷ --js median, ${n} records: above 1 means --js is faster`,
          value: node.median / js.median,
          extra: { headline: block === '1M' },
        }),
      );
    }
    return rows;
  },
};
