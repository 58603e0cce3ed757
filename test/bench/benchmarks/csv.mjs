// CSV record-aware splitting through the CLI: a generated CSV (`--csv-mb`, default 300 MB)
// with quoted commas, doubled quotes and newlines inside quotes, on stdin, cut into 20 MB
// chunks of whole records (header repeated), each counted by `wc -c`, 2 slots. The
// yardstick is `cat FILE | wc -c`: the same bytes through one pipe with no splitting.
import { join } from 'node:path';
import { writeCsv } from '../data.mjs';
import { measureInterleaved, measureRow, ratioRow } from '../lib.mjs';
import { shell, weftWords } from './pipe.mjs';

export default {
  name: 'csv',
  title: 'CSV splitting: --pipe --format csv --block 20M, `wc -c` per chunk, 2 slots',
  async run(ctx) {
    const mb = ctx.opts.csvMb;
    const file = join(ctx.tmpDir, `data-${mb}mb.csv`);
    ctx.log(`generating a ${mb} MB CSV`);
    writeCsv(file, mb * 1e6);
    const args = '-j2 --pipe --format csv --block 20M wc -c';
    const cmds = [
      shell(ctx, 'weft', `${weftWords(ctx)} ${args} < '${file}'`, `node bin/weft.js ${args} < FILE`),
      shell(ctx, 'cat | wc -c', `cat '${file}' | wc -c`, 'cat FILE | wc -c'),
    ];
    // Untimed check: the chunks hold every byte, plus one header row per chunk after the first.
    const check = await ctx.sanity(cmds[0]);
    const counts = check.stdout.split('\n').filter(Boolean).map(Number);
    const header = 'id,name,comment,amount,created\n'.length;
    const total = counts.reduce((a, n) => a + n, 0) - header * (counts.length - 1);
    const size = (await import('node:fs')).statSync(file).size;
    if (total !== size) ctx.log(`csv: warning: weft's chunks hold ${total} of ${size} bytes`);

    ctx.log(`csv: ${mb} MB, ${ctx.opts.rounds} interleaved rounds`);
    const res = await measureInterleaved(cmds, ctx.opts.rounds, { onRun: ctx.onRun });
    const rows = cmds.map((c) => {
      const row = measureRow('csv', c, res.get(c.label), { inputMB: mb });
      row.mbPerSec = mb / (row.median / 1000);
      return row;
    });
    const [w, y] = rows;
    return [
      ...rows,
      ratioRow('csv', {
        label: 'weft CSV splitting, MB/s',
        definition: `${mb} MB ÷ weft median time`,
        value: w.mbPerSec,
        target: { op: '>=', value: 300 },
      }),
      ratioRow('csv', {
        label: 'weft ÷ `cat | wc -c`, throughput',
        definition: 'weft MB/s ÷ yardstick MB/s',
        value: w.mbPerSec / y.mbPerSec,
      }),
    ];
  },
};
