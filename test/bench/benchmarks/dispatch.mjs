// Dispatch: N × `true` with 2 slots. Measures per-job overhead (spawn, bookkeeping, reaping)
// rather than work: weft vs GNU parallel vs xargs, interleaved, median of `rounds`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command, measureInterleaved, measureRow, ratioRow, skipRow } from '../lib.mjs';

export default {
  name: 'dispatch',
  title: 'Dispatch: N × `true`, 2 slots',
  async run(ctx) {
    const n = ctx.opts.dispatchJobs;
    const file = join(ctx.tmpDir, `dispatch-${n}.txt`);
    writeFileSync(file, Array.from({ length: n }, (_, i) => `${i + 1}\n`).join(''));
    const shown = 'FILE';

    const cmds = [
      ctx.weft(['-j2', 'true', '::::', file], {
        label: 'weft',
        display: `node bin/weft.js -j2 true :::: ${shown}`,
      }),
    ];
    const rows = [];
    if (ctx.tools.parallel) {
      cmds.push(
        command({
          label: 'GNU parallel',
          cmd: 'parallel',
          args: ['-j2', 'true', '::::', file],
          env: ctx.envs.clean,
          cwd: ctx.root,
          display: `parallel -j2 true :::: ${shown}`,
        }),
      );
    } else rows.push(skipRow('dispatch', 'GNU parallel', 'parallel not on PATH'));
    if (ctx.tools.xargs) {
      cmds.push(
        command({
          label: 'xargs',
          cmd: 'xargs',
          args: ['-P2', '-n1', 'true'],
          env: ctx.envs.clean,
          cwd: ctx.root,
          stdinFile: file,
          display: `xargs -P2 -n1 true < ${shown}`,
        }),
      );
    } else rows.push(skipRow('dispatch', 'xargs', 'xargs not on PATH'));

    // Untimed check (and warm-up) that weft really runs every job: `echo` instead of `true`.
    const check = await ctx.sanity(ctx.weft(['-j2', 'echo', '::::', file], { label: 'weft (check)' }));
    const lines = check.stdout.split('\n').filter(Boolean).length;
    if (check.code !== 0 || lines !== n)
      ctx.log(`dispatch: warning: weft check printed ${lines} of ${n} lines`);

    ctx.log(
      `dispatch: ${n} jobs, ${ctx.opts.rounds} interleaved rounds of ${cmds.map((c) => c.label).join(', ')}`,
    );
    const res = await measureInterleaved(cmds, ctx.opts.rounds, { onRun: ctx.onRun });

    const measured = new Map();
    for (const c of cmds) {
      const row = measureRow('dispatch', c, res.get(c.label), { jobs: n });
      row.jobsPerSec = n / (row.median / 1000);
      row.env = 'unset';
      measured.set(c.label, row);
      rows.push(row);
    }

    // Ratios are of throughput (jobs/s), i.e. other's time / weft's time: >1 means weft is faster.
    // The per-round paired ratios (same round, so same noise) are kept as a cross-check.
    const paired = (other) => {
      const a = res.get('weft').samples;
      const b = res.get(other)?.samples ?? [];
      return a.length === b.length ? a.map((t, i) => b[i] / t) : [];
    };
    const w = measured.get('weft');
    for (const [other, target] of [
      // Issue #8's targets (the fast path): at least 4x GNU parallel, 0.8x xargs -P2 -n1.
      ['GNU parallel', { op: '>=', value: 4 }],
      ['xargs', { op: '>=', value: 0.8 }],
    ]) {
      const o = measured.get(other);
      rows.push(
        ratioRow('dispatch', {
          label: `weft/${other === 'GNU parallel' ? 'GNU' : other} throughput`,
          definition: `weft jobs/s ÷ ${other} jobs/s (= ${other} median time ÷ weft median time)`,
          value: o ? w.jobsPerSec / o.jobsPerSec : NaN,
          target,
          extra: { headline: true, pairedPerRound: o ? paired(other) : [] },
        }),
      );
    }
    return rows;
  },
};
