// Peak memory in pipe mode: a generated log stream of `--pipe-gb` GB (default 2; the figure
// in docs/benchmarks.md is from `--pipe-gb 10`) piped into `weft --pipe -j2 wc -l` with the
// default 1 MB blocks (the headline: memory does not grow with the input), and with 10 MB
// blocks (memory grows with the block: about 50 MB + 5 blocks). Peak RSS is weft's own (the
// kernel's high-water mark, via /usr/bin/time); the stream is generated on the fly, so no
// file of that size is written. GNU parallel is run the same way for comparison.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { have, measureRow, ratioRow, skipRow, timeOnce } from '../lib.mjs';
import { shell, weftWords } from './pipe.mjs';

const gen = fileURLToPath(new URL('../data.mjs', import.meta.url));

export default {
  name: 'pipe-rss',
  title: 'Peak RSS: a generated log stream through --pipe, 2 slots',
  async run(ctx) {
    if (!have('/usr/bin/time')) return [skipRow('pipe-rss', 'weft', '/usr/bin/time not found')];
    const gb = ctx.opts.pipeGb;
    const bytes = Math.round(gb * 1e9);
    const rows = [];
    const runners = [
      ['weft', weftWords(ctx), 'node bin/weft.js', '-j2 --pipe wc -l'],
      ['weft, --block 10M', weftWords(ctx), 'node bin/weft.js', '-j2 --pipe --block 10M wc -l'],
    ];
    if (ctx.tools.parallel) runners.push(['GNU parallel', 'parallel', 'parallel', '-j2 --pipe wc -l']);
    else rows.push(skipRow('pipe-rss', 'GNU parallel', 'parallel not on PATH'));
    const peak = {};
    for (const [label, words, shown, args] of runners) {
      const out = join(ctx.tmpDir, `rss-${label.replace(/\W/g, '')}.txt`);
      const c = shell(
        ctx,
        label,
        `'${process.execPath}' '${gen}' log ${bytes} | /usr/bin/time -f %M -o '${out}' ${words} ${args} > /dev/null`,
        `node test/bench/data.mjs log ${bytes} | ${shown} ${args}`,
      );
      ctx.log(`pipe-rss: ${gb} GB through ${label}`);
      const r = await timeOnce(c);
      const kb = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
      peak[label] = kb / 1024;
      const result = r.code === 0 ? { samples: [r.ms], failures: [] } : { samples: [], failures: [r] };
      const row = measureRow('pipe-rss', c, result, { inputGB: gb, peakRssMB: kb / 1024 });
      row.mbPerSec = bytes / 1e6 / (r.ms / 1000);
      rows.push(row);
    }
    rows.push(
      ratioRow('pipe-rss', {
        label: 'weft peak RSS, MB',
        definition: `high-water mark of weft's process over a ${gb} GB stream, 1 MB blocks (MiB)`,
        value: peak.weft,
        target: { op: '<=', value: 100 },
      }),
      ratioRow('pipe-rss', {
        label: 'weft peak RSS with --block 10M, MB',
        definition: 'the same with 10 MB blocks (MiB)',
        value: peak['weft, --block 10M'],
      }),
    );
    if (peak['GNU parallel'] !== undefined) {
      rows.push(
        ratioRow('pipe-rss', {
          label: 'GNU parallel peak RSS, MB',
          definition: 'the same for GNU parallel (MiB)',
          value: peak['GNU parallel'],
        }),
      );
    }
    return rows;
  },
};
