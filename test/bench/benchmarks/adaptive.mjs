// -j auto vs fixed -j on a simulated service (127.0.0.1) whose latency grows steeply past a
// capacity of 8 requests at once (100 ms each up to it; past it each slows by (8/n)²). Each job
// is one request, made by a --js module with node:http, so the service's latency, not process
// start-up, decides the throughput. N jobs (600 by default, --adaptive-jobs N) per run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GET_MODULE as GET, overloadedService } from '../overloaded-service.mjs';
import { measureInterleaved, measureRow, ratioRow } from '../lib.mjs';

const FIXED = ['4', '6', '8', '10', '12', '16', '32'];

export default {
  name: 'adaptive',
  title: '-j auto vs fixed -j on a service with a capacity of 8 (HTTP requests via --js)',
  async run(ctx) {
    const n = ctx.opts.adaptiveJobs;
    const service = await overloadedService({ capacity: 8, baseMs: 100 });
    try {
      const module = join(ctx.tmpDir, 'get.mjs');
      writeFileSync(module, GET);
      const urls = join(ctx.tmpDir, `urls-${n}.txt`);
      writeFileSync(urls, Array.from({ length: n }, (_, i) => `${service.url}${i + 1}\n`).join(''));
      const cmds = [...FIXED, 'auto'].map((j) =>
        ctx.weft([`-j${j}`, '--js', module, '::::', urls], {
          label: `-j ${j}`,
          display: `node bin/weft.js -j ${j} --js get.mjs :::: URLS`,
        }),
      );
      ctx.log(
        `adaptive: ${n} requests, ${ctx.opts.rounds} interleaved rounds of -j ${[...FIXED, 'auto'].join(', ')}`,
      );
      const res = await measureInterleaved(cmds, ctx.opts.rounds, { onRun: ctx.onRun });
      const rows = cmds.map((c) => {
        const row = measureRow('adaptive', c, res.get(c.label), { jobs: n });
        row.jobsPerSec = n / (row.median / 1000);
        return row;
      });
      const auto = rows.at(-1);
      const best = rows.slice(0, -1).reduce((a, b) => (b.jobsPerSec > a.jobsPerSec ? b : a));
      rows.push(
        ratioRow('adaptive', {
          label: '-j auto / best fixed -j throughput',
          definition: `-j auto jobs/s ÷ the best fixed -j's (${best.label}), medians`,
          value: auto.jobsPerSec / best.jobsPerSec,
          target: { op: '>=', value: 0.9 },
          extra: { headline: true, best: best.label },
        }),
      );
      return rows;
    } finally {
      await service.close();
    }
  },
};
