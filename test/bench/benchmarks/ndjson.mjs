// NDJSON chunking: SIZE MiB (default 200) of NDJSON cut into 1 MiB chunks, each counted by
// `wc -l`, with --format ndjson (every line checked to be one JSON value) and --format lines
// (the same cut, no check), and GNU parallel --pipepart (the same cut, no check). Measures what
// checking each line costs (docs/reliability.md "Bad input").
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { command, measureInterleaved, measureRow, ratioRow, skipRow } from '../lib.mjs';

/** Writes `mib` MiB of request-log NDJSON to `file`; resolves to its number of lines. */
function writeNdjson(file, mib) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    out.on('error', reject);
    let bytes = 0;
    let lines = 0;
    const target = mib * 1024 * 1024;
    const more = () => {
      while (bytes < target) {
        let s = '';
        for (let k = 0; k < 1000; k++, lines++) {
          s += `${JSON.stringify({
            ts: new Date(1.7e12 + lines * 1000).toISOString(),
            user: `u${lines % 97}`,
            path: `/api/items/${lines}?q="x y"`,
            ms: lines % 1000,
            tags: ['a', 'é'],
            ok: lines % 3 !== 0,
          })}\n`;
        }
        bytes += Buffer.byteLength(s);
        if (!out.write(s)) return out.once('drain', more);
      }
      out.end(() => resolve(lines));
    };
    more();
  });
}

export default {
  name: 'ndjson',
  title: 'NDJSON chunks: --format ndjson (lines checked) vs --format lines vs GNU --pipepart',
  async run(ctx) {
    const mib = ctx.opts.ndjsonMiB;
    const file = join(ctx.tmpDir, `requests-${mib}.ndjson`);
    const lines = await writeNdjson(file, mib);
    const cmds = [
      ctx.weft(['-j2', '--format', 'ndjson', '--block', '1M', '-a', file, 'wc', '-l'], {
        label: 'weft --format ndjson',
        display: 'node bin/weft.js -j2 --format ndjson --block 1M -a FILE wc -l',
      }),
      ctx.weft(['-j2', '--format', 'lines', '--block', '1M', '-a', file, 'wc', '-l'], {
        label: 'weft --format lines',
        display: 'node bin/weft.js -j2 --format lines --block 1M -a FILE wc -l',
      }),
    ];
    const rows = [];
    if (ctx.tools.parallel) {
      cmds.push(
        command({
          label: 'GNU parallel --pipepart',
          cmd: 'parallel',
          args: ['-j2', '--pipepart', '--block', '1M', '-a', file, 'wc', '-l'],
          env: ctx.envs.clean,
          cwd: ctx.root,
        }),
      );
    } else rows.push(skipRow('ndjson', 'GNU parallel --pipepart', 'parallel is not installed'));
    for (const c of cmds) {
      const check = await ctx.sanity(c);
      const total = check.stdout
        .split('\n')
        .filter(Boolean)
        .reduce((n, l) => n + Number(l.trim()), 0);
      if (total !== lines) ctx.log(`ndjson: warning: ${c.label} counted ${total} of ${lines} lines`);
    }
    ctx.log(`ndjson: ${mib} MiB, ${lines} lines, ${ctx.opts.rounds} interleaved rounds`);
    const res = await measureInterleaved(cmds, ctx.opts.rounds, { onRun: ctx.onRun });
    for (const c of cmds) {
      const row = measureRow('ndjson', c, res.get(c.label), { mib, lines });
      row.mibPerSec = mib / (row.median / 1000);
      rows.push(row);
    }
    const [checked, plain] = rows.filter((r) => r.type === 'measure');
    rows.push(
      ratioRow('ndjson', {
        label: 'checked NDJSON / unchecked lines (throughput)',
        definition: 'MiB/s of --format ndjson ÷ MiB/s of --format lines over the same file',
        value: checked.mibPerSec / plain.mibPerSec,
      }),
    );
    return rows;
  },
};
