// Reuse: N × `echo {}` run plainly, replayed from a warm --cache DIR, and with --dedupe over
// input where each value appears 10 times. Measures what a cache hit or a duplicate costs
// compared with running the job (weft only: GNU parallel has neither).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureInterleaved, measureRow, ratioRow } from '../lib.mjs';

export default {
  name: 'reuse',
  title: 'Reuse: N × `echo {}`, plain vs --cache (warm) vs --dedupe (10 copies of each)',
  async run(ctx) {
    const n = ctx.opts.dispatchJobs;
    const file = join(ctx.tmpDir, `reuse-${n}.txt`);
    writeFileSync(file, Array.from({ length: n }, (_, i) => `${i + 1}\n`).join(''));
    const dupes = join(ctx.tmpDir, `reuse-dupes-${n}.txt`);
    writeFileSync(dupes, Array.from({ length: n }, (_, i) => `${(i % Math.ceil(n / 10)) + 1}\n`).join(''));
    const cache = join(ctx.tmpDir, 'reuse-cache');

    const plain = ctx.weft(['-j2', 'echo', '::::', file], {
      label: 'plain',
      display: 'node bin/weft.js -j2 echo :::: FILE',
    });
    const cached = ctx.weft(['-j2', '--cache', cache, 'echo', '::::', file], {
      label: 'cache hits',
      display: 'node bin/weft.js -j2 --cache DIR echo :::: FILE   # DIR warm',
    });
    const dedupe = ctx.weft(['-j2', '--dedupe', 'echo', '::::', dupes], {
      label: 'dedupe',
      display: 'node bin/weft.js -j2 --dedupe echo :::: DUPES   # N/10 distinct',
    });

    // Untimed: fills the cache, and checks that a replay prints every line.
    await ctx.sanity(cached);
    for (const c of [cached, dedupe]) {
      const check = await ctx.sanity(c);
      const lines = check.stdout.split('\n').filter(Boolean).length;
      if (check.code !== 0 || lines !== n)
        ctx.log(`reuse: warning: ${c.label} printed ${lines} of ${n} lines`);
    }

    ctx.log(`reuse: ${n} jobs, ${ctx.opts.rounds} interleaved rounds of plain, cache hits, dedupe`);
    const cmds = [plain, cached, dedupe];
    const res = await measureInterleaved(cmds, ctx.opts.rounds, { onRun: ctx.onRun });
    const rows = cmds.map((c) => {
      const row = measureRow('reuse', c, res.get(c.label), { jobs: n });
      row.jobsPerSec = n / (row.median / 1000);
      return row;
    });
    const [p, h, d] = rows;
    rows.push(
      ratioRow('reuse', {
        label: 'cache hits / plain run (throughput)',
        definition: 'jobs/s replaying every job from a warm --cache ÷ jobs/s running them',
        value: h.jobsPerSec / p.jobsPerSec,
      }),
      ratioRow('reuse', {
        label: 'dedupe (10 copies) / plain run (throughput)',
        definition: 'jobs/s with --dedupe when 9 in 10 jobs are duplicates ÷ jobs/s running every job',
        value: d.jobsPerSec / p.jobsPerSec,
      }),
    );
    return rows;
  },
};
