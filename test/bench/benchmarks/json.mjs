// JSON array splitting through the CLI: a generated array (`--json-mb`, default 200 MB) of
// objects with nested values, escapes and non-ASCII text, on stdin, cut into 20 MB chunks
// that are each a valid array (every element checked), each counted by `wc -c`, 2 slots.
import { join } from 'node:path';
import { writeJson } from '../data.mjs';
import { measureInterleaved, measureRow, ratioRow } from '../lib.mjs';
import { shell, weftWords } from './pipe.mjs';

export default {
  name: 'json',
  title: 'JSON array splitting: --format json --block 20M, `wc -c` per chunk, 2 slots',
  async run(ctx) {
    const mb = ctx.opts.jsonMb;
    const file = join(ctx.tmpDir, `data-${mb}mb.json`);
    ctx.log(`generating a ${mb} MB JSON array`);
    writeJson(file, mb * 1e6);
    const args = '-j2 --format json --block 20M wc -c';
    const cmds = [
      shell(ctx, 'weft', `${weftWords(ctx)} ${args} < '${file}'`, `node bin/weft.js ${args} < FILE`),
    ];
    const check = await ctx.sanity(cmds[0]);
    if (check.code !== 0) ctx.log(`json: warning: weft failed: ${check.stderr.trim()}`);
    ctx.log(`json: ${mb} MB, ${ctx.opts.rounds} rounds`);
    const res = await measureInterleaved(cmds, ctx.opts.rounds, { onRun: ctx.onRun });
    const row = measureRow('json', cmds[0], res.get('weft'), { inputMB: mb });
    row.mbPerSec = mb / (row.median / 1000);
    return [
      row,
      ratioRow('json', {
        label: 'weft JSON splitting, MB/s',
        definition: `${mb} MB ÷ weft median time`,
        value: row.mbPerSec,
        target: { op: '>=', value: 50 },
      }),
    ];
  },
};
