// Bounded memory: one job writes SIZE (default 1 GiB) of `yes` output while an earlier, slower
// job still runs, with -k, so weft must hold all of it (past 8 MiB, in a spill file) and
// then print it. Measures wall time, throughput and weft's peak RSS (VmHWM, polled from
// /proc every 20 ms and read once more as its output ends), against the plain pipe
// `yes | head -c SIZE | cat` and against GNU parallel doing the same (it holds output in
// temporary files too). Every command's stdout is counted by the harness, so each pays the
// same reader; a wrong byte count is reported as a failure.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { measureRow, ratioRow, skipRow, median } from '../lib.mjs';

/** Peak resident set size of `pid` so far in bytes (VmHWM), or 0 once it is gone. */
function peakRss(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `c` once: wall ms, stdout bytes, peak RSS of the spawned process, exit code. */
function runOnce(c) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(c.cmd, c.args, { cwd: c.cwd, env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let peak = 0;
    let stderr = '';
    const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid))), 20);
    child.stdout.on('data', (b) => (bytes += b.length));
    child.stdout.on('end', () => (peak = Math.max(peak, peakRss(child.pid))));
    child.stderr.on('data', (d) => {
      if (stderr.length < 2000) stderr += d;
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes, peak, code, signal, stderr });
    });
  });
}

export default {
  name: 'spill',
  title: 'Bounded memory: -k holding one job’s output behind a slower job',
  async run(ctx) {
    const mib = ctx.opts.spillMiB;
    const size = mib * 1024 * 1024;
    const sizeArg = `${mib}M`;
    const job = `yes | head -c ${sizeArg}`;
    const slow = 'sleep 1; echo first';
    const held = size + 'first\n'.length;
    const cmds = [
      {
        ...ctx.weft(['-k', '-j2', ':::', slow, job], {
          label: 'weft -k (held, spilled)',
          display: `node bin/weft.js -k -j2 ::: '${slow}' '${job}'`,
        }),
        bytes: held,
        rss: true,
      },
      {
        ...ctx.weft(['-u', ':::', job], {
          label: 'weft -u (streamed)',
          display: `node bin/weft.js -u ::: '${job}'`,
        }),
        bytes: size,
        rss: true,
      },
      {
        label: 'yes | head | cat',
        cmd: 'sh',
        args: ['-c', `${job} | cat`],
        env: ctx.envs.clean,
        cwd: ctx.root,
        display: `sh -c '${job} | cat'`,
        bytes: size,
        rss: false,
      },
    ];
    const rows = [];
    if (ctx.tools.parallel) {
      cmds.push({
        label: 'GNU parallel -k',
        cmd: 'parallel',
        args: ['-k', '-j2', ':::', slow, job],
        env: ctx.envs.clean,
        cwd: ctx.root,
        display: `parallel -k -j2 ::: '${slow}' '${job}'`,
        bytes: held,
        rss: true,
      });
    } else rows.push(skipRow('spill', 'GNU parallel', 'parallel not on PATH'));

    ctx.log(
      `spill: ${mib} MiB, ${ctx.opts.rounds} interleaved rounds of ${cmds.map((c) => c.label).join(', ')}`,
    );
    const results = new Map(cmds.map((c) => [c.label, { samples: [], failures: [], peaks: [] }]));
    for (let r = 0; r < ctx.opts.rounds; r++) {
      for (let i = 0; i < cmds.length; i++) {
        const c = cmds[(i + r) % cmds.length];
        const res = await runOnce(c);
        const slot = results.get(c.label);
        if (res.code === 0 && res.bytes === c.bytes) {
          slot.samples.push(res.ms);
          slot.peaks.push(res.peak);
        } else {
          const why = res.code === 0 ? `printed ${res.bytes} bytes, expected ${c.bytes}` : res.stderr.trim();
          slot.failures.push({ code: res.code, signal: res.signal, stderr: why });
        }
        ctx.onRun(c, r, res);
      }
    }

    const mbps = (ms) => size / 1e6 / (ms / 1000);
    for (const c of cmds) {
      const res = results.get(c.label);
      const peakMB = res.peaks.length ? Math.max(...res.peaks) / 1e6 : NaN;
      rows.push(
        measureRow('spill', c, res, {
          mbPerSec: Number(mbps(median(res.samples)).toFixed(1)),
          peakRssMB: c.rss ? Number(peakMB.toFixed(1)) : null,
        }),
      );
    }
    const peak = (label) => Math.max(...results.get(label).peaks) / 1e6;
    const med = (label) => median(results.get(label).samples);
    rows.push(
      ratioRow('spill', {
        label: 'weft -k peak RSS (MB)',
        definition: `highest VmHWM of weft over the rounds, holding ${mib} MiB for -k`,
        value: peak('weft -k (held, spilled)'),
        target: { op: '<=', value: 150 },
      }),
      ratioRow('spill', {
        label: 'weft -k MB/s',
        definition: `${mib} MiB ÷ median wall time (includes the 1 s the first job sleeps)`,
        value: mbps(med('weft -k (held, spilled)')),
      }),
      ratioRow('spill', {
        label: 'weft -k time / pipe time',
        definition: 'median wall time of weft -k ÷ of `yes | head -c SIZE | cat`',
        value: med('weft -k (held, spilled)') / med('yes | head | cat'),
      }),
      ratioRow('spill', {
        label: 'weft -k time / GNU -k time',
        definition: 'median wall time of weft -k ÷ of GNU parallel -k (same jobs)',
        value: results.has('GNU parallel -k') ? med('weft -k (held, spilled)') / med('GNU parallel -k') : NaN,
      }),
    );
    return rows;
  },
};
