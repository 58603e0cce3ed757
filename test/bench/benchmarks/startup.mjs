// Start-up: one trivial job, `echo ::: x`. Dominated by the runner's own start-up cost
// (node + module loading for weft, perl + module loading for GNU parallel).
//
// The headline weft figure runs without NODE_EXTRA_CA_CERTS (not a default on users'
// machines); weft is also measured with the variable as inherited, labelled as such, and
// bare `node -e 0` is measured both ways as the floor that any node CLI pays.
import { CA_VAR, command, measureInterleaved, measureRow, ratioRow, skipRow } from '../lib.mjs';

export default {
  name: 'startup',
  title: 'Start-up: `echo ::: x`',
  async run(ctx) {
    const caSet = ctx.envs.inherited[CA_VAR] !== undefined;
    const inheritedNote = caSet ? 'inherited (set)' : 'inherited (not set)';
    const cmds = [
      ctx.weft(['echo', ':::', 'x'], {
        label: 'weft',
        display: `env -u ${CA_VAR} node bin/weft.js echo ::: x`,
      }),
      ctx.weft(['echo', ':::', 'x'], {
        label: 'weft (env as inherited)',
        env: ctx.envs.inherited,
        display: `node bin/weft.js echo ::: x`,
      }),
      command({
        label: 'node -e 0',
        cmd: process.execPath,
        args: ['-e', '0'],
        env: ctx.envs.clean,
        cwd: ctx.root,
        display: `env -u ${CA_VAR} node -e 0`,
      }),
      command({
        label: 'node -e 0 (env as inherited)',
        cmd: process.execPath,
        args: ['-e', '0'],
        env: ctx.envs.inherited,
        cwd: ctx.root,
        display: `node -e 0`,
      }),
    ];
    const rows = [];
    if (ctx.tools.parallel) {
      cmds.push(
        command({
          label: 'GNU parallel',
          cmd: 'parallel',
          args: ['echo', ':::', 'x'],
          env: ctx.envs.clean,
          cwd: ctx.root,
          display: 'parallel echo ::: x',
        }),
      );
    } else rows.push(skipRow('startup', 'GNU parallel', 'parallel not on PATH'));

    // One untimed warm-up each (page cache), which also checks the output is right.
    for (const c of cmds) {
      const r = await ctx.sanity(c);
      if (c.label.startsWith('weft') || c.label === 'GNU parallel') {
        if (r.stdout !== 'x\n') ctx.log(`startup: warning: ${c.label} printed ${JSON.stringify(r.stdout)}`);
      }
    }

    const runs = ctx.opts.startupRuns;
    ctx.log(`startup: ${runs} interleaved rounds of ${cmds.map((c) => c.label).join(', ')}`);
    const res = await measureInterleaved(cmds, runs, { onRun: ctx.onRun });
    const m = new Map();
    for (const c of cmds) {
      const row = measureRow('startup', c, res.get(c.label));
      row.env = c.env === ctx.envs.inherited ? inheritedNote : 'unset';
      m.set(c.label, row);
      rows.push(row);
    }

    const gnu = m.get('GNU parallel');
    const ratio = (label) => (gnu ? m.get(label).median / gnu.median : NaN);
    rows.push(
      ratioRow('startup', {
        label: 'weft/GNU time',
        definition: `weft median ÷ GNU parallel median (${CA_VAR} unset) — headline`,
        value: ratio('weft'),
        target: { op: '<=', value: 0.7 },
        extra: { headline: true },
      }),
      ratioRow('startup', {
        label: 'weft/GNU time (env as inherited)',
        definition: `weft median with ${caSet ? `${CA_VAR} inherited` : 'env as inherited'} ÷ GNU parallel median`,
        value: ratio('weft (env as inherited)'),
        target: { op: '<=', value: 0.7 },
        extra: { headline: false },
      }),
      ratioRow('startup', {
        label: 'weft − bare node (ms)',
        definition: 'weft median − `node -e 0` median, both without CA var: what weft itself adds',
        value: m.get('weft').median - m.get('node -e 0').median,
      }),
    );
    return rows;
  },
};
