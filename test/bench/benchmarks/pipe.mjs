// Pipe mode on a generated application log (`--pipe-mb`, default 600 MB), `wc -l` per chunk,
// 2 slots, 20 MB blocks: weft against GNU parallel in the same run, interleaved.
//
//   pipe      stdin --pipe, the log fed two ways: as a file (`< log`) and through a pipe
//             (`cat log |`); weft cuts a file by offsets and relays a pipe (each chunk
//             spliced to its job, src/chunk/relay), also timed cut in weft's memory instead
//             (WEFT_PIPE_RELAY=off)
//   pipepart  --pipepart -a log
//
// Before timing, one untimed run of each command checks that the line counts add up.
import { join } from 'node:path';
import { writeLog } from '../data.mjs';
import { command, measureInterleaved, measureRow, ratioRow, skipRow } from '../lib.mjs';

const logs = new Map();

/** The generated log and its line count (made once per run, in the harness's temporary folder). */
export function ensureLog(ctx) {
  const file = join(ctx.tmpDir, `log-${ctx.opts.pipeMb}mb.log`);
  if (!logs.has(file)) {
    ctx.log(`generating a ${ctx.opts.pipeMb} MB log`);
    logs.set(file, writeLog(file, ctx.opts.pipeMb * 1e6));
  }
  return { log: file, lines: logs.get(file) };
}

/** A shell line, `sh -c LINE`, shown as `display`. */
export function shell(ctx, label, line, display, env = ctx.envs.clean) {
  return command({ label, cmd: 'sh', args: ['-c', line], env, cwd: ctx.root, display });
}

/** The weft CLI as a shell word (the snapshot the harness times). */
export function weftWords(ctx) {
  const c = ctx.weft([], { label: '' });
  return `'${c.cmd}' '${c.args[0]}'`;
}

/** Runs each command once, untimed, and warns unless its output's numbers add up to `lines`. */
async function checkLines(ctx, name, cmds, lines) {
  for (const c of cmds) {
    const r = await ctx.sanity(c);
    const sum = r.stdout
      .split('\n')
      .filter(Boolean)
      .reduce((a, l) => a + Number(l.trim().split(/\s+/)[0]), 0);
    if (sum !== lines) ctx.log(`${name}: warning: ${c.label} counted ${sum} of ${lines} lines`);
  }
}

async function timeAgainstGnu(ctx, name, variants) {
  const rows = [];
  // A yardstick shared by two variants is timed once.
  const cmds = [
    ...new Map(variants.flatMap((v) => [v.weft, v.gnu].filter(Boolean)).map((c) => [c.label, c])).values(),
  ];
  const res = await measureInterleaved(cmds, ctx.opts.rounds, { onRun: ctx.onRun });
  const mb = ctx.opts.pipeMb;
  const measured = new Map();
  for (const c of cmds) {
    const row = measureRow(name, c, res.get(c.label), { inputMB: mb });
    row.mbPerSec = mb / (row.median / 1000);
    measured.set(c.label, row);
    rows.push(row);
  }
  for (const v of variants) {
    const w = measured.get(v.weft.label);
    const g = v.gnu && measured.get(v.gnu.label);
    rows.push(
      ratioRow(name, {
        label: v.ratio,
        definition: v.definition,
        value: g ? v.value(w.median, g.median) : NaN,
        target: v.target,
        extra: { weftMBps: w.mbPerSec, gnuMBps: g?.mbPerSec },
      }),
    );
  }
  return rows;
}

export const pipeStdin = {
  name: 'pipe',
  title: 'Pipe mode: stdin --pipe --block 20M, `wc -l` per chunk, 2 slots',
  async run(ctx) {
    const { log, lines } = ensureLog(ctx);
    const mb = ctx.opts.pipeMb;
    const weft = weftWords(ctx);
    const args = '-j2 --pipe --block 20M wc -l';
    const rows = [];
    if (!ctx.tools.parallel) rows.push(skipRow('pipe', 'GNU parallel', 'parallel not on PATH'));
    const both = (how, line) => ({
      weft: shell(ctx, `weft, ${how}`, line(`${weft} ${args}`), line(`node bin/weft.js ${args}`)),
      gnu: ctx.tools.parallel
        ? shell(ctx, `GNU parallel, ${how}`, line(`parallel ${args}`), line(`parallel ${args}`))
        : undefined,
    });
    const file = both('stdin a file', (cmd) => `${cmd} < '${log}'`);
    const pipe = both('stdin a pipe', (cmd) => `cat '${log}' | ${cmd}`);
    // The same pipe cut in weft's memory instead of relayed (src/chunk/relay): what the relay gains.
    const memory = {
      weft: shell(
        ctx,
        'weft, stdin a pipe, in memory',
        `cat '${log}' | WEFT_PIPE_RELAY=off ${weft} ${args}`,
        `cat LOG | WEFT_PIPE_RELAY=off node bin/weft.js ${args}`,
      ),
      gnu: pipe.gnu,
    };
    for (const v of [file, pipe]) v.weft.display = v.weft.display.replace(`'${log}'`, `LOG`);
    for (const v of [file, pipe]) if (v.gnu) v.gnu.display = v.gnu.display.replace(`'${log}'`, `LOG`);
    await checkLines(
      ctx,
      'pipe',
      [file, pipe, memory].flatMap((v) => [v.weft, v.gnu].filter(Boolean)),
      lines,
    );
    ctx.log(`pipe: ${mb} MB log, ${ctx.opts.rounds} interleaved rounds`);
    const value = (w, g) => g / w;
    return [
      ...rows,
      ...(await timeAgainstGnu(ctx, 'pipe', [
        {
          ...pipe,
          ratio: 'weft/GNU throughput, stdin a pipe',
          definition: 'GNU median time ÷ weft median time, `cat LOG | … --pipe --block 20M`',
          value,
          target: { op: '>=', value: 3 },
        },
        {
          ...memory,
          ratio: 'weft/GNU throughput, stdin a pipe, in memory',
          definition:
            'GNU median time ÷ weft median time, `cat LOG | WEFT_PIPE_RELAY=off … --pipe --block 20M`',
          value,
        },
        {
          ...file,
          ratio: 'weft/GNU throughput, stdin a file',
          definition: 'GNU median time ÷ weft median time, `… --pipe --block 20M < LOG`',
          value,
          target: { op: '>=', value: 3 },
        },
      ])),
    ];
  },
};

export const pipepart = {
  name: 'pipepart',
  title: 'Pipe mode: --pipepart -a LOG --block 20M, `wc -l` per chunk, 2 slots',
  async run(ctx) {
    const { log, lines } = ensureLog(ctx);
    const weft = weftWords(ctx);
    const args = `-j2 --pipepart -a '${log}' --block 20M wc -l`;
    const shown = args.replace(`'${log}'`, 'LOG');
    const v = {
      weft: shell(ctx, 'weft', `${weft} ${args}`, `node bin/weft.js ${shown}`),
      gnu: ctx.tools.parallel
        ? shell(ctx, 'GNU parallel', `parallel ${args}`, `parallel ${shown}`)
        : undefined,
    };
    const rows = ctx.tools.parallel ? [] : [skipRow('pipepart', 'GNU parallel', 'parallel not on PATH')];
    await checkLines(ctx, 'pipepart', [v.weft, v.gnu].filter(Boolean), lines);
    return [
      ...rows,
      ...(await timeAgainstGnu(ctx, 'pipepart', [
        {
          ...v,
          ratio: 'weft/GNU time',
          definition: 'weft median time ÷ GNU median time (below 1: weft is faster)',
          value: (w, g) => w / g,
          target: { op: '<=', value: 1.2 },
        },
      ])),
    ];
  },
};
