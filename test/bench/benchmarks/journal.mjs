// Journal cost (docs/reliability.md): N tiny jobs (`echo`, -k, 2 slots) without and with
// --journal (one record and a group-committed fsync per finished job), and the resume of a
// finished journal (every job replayed, none run); then a 64 MB `--pipe --aggregate sum` with
// and without --journal (each chunk hashed with sha256 and recorded).
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureInterleaved, measureRow, ratioRow } from '../lib.mjs';

const PIPE_MB = 64;

async function numbersFile(file, mb) {
  const out = createWriteStream(file);
  let seed = 1;
  for (let written = 0; written < mb << 20;) {
    let block = '';
    while (block.length < 1 << 20) {
      seed = (seed * 48271) % 2147483647;
      block += `${seed % 1000000}\n`;
    }
    written += block.length;
    if (!out.write(block)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

export default {
  name: 'journal',
  title: 'Journal: N × `echo` (-k, 2 slots) and a 64 MB `--pipe --aggregate sum`, without and with --journal',
  async run(ctx) {
    const n = ctx.opts.dispatchJobs;
    const args = join(ctx.tmpDir, `journal-${n}.txt`);
    writeFileSync(args, Array.from({ length: n }, (_, i) => `${i + 1}\n`).join(''));
    const wj = join(ctx.tmpDir, 'bench.wj');
    const done = join(ctx.tmpDir, 'done.wj');
    const base = ['-k', '-j2', 'echo', '::::', args];
    const jobs = [
      ctx.weft(base, { label: 'no journal', display: `node bin/weft.js -k -j2 echo :::: FILE` }),
      ctx.weft(['--journal', wj, ...base], {
        label: '--journal',
        display: `node bin/weft.js --journal J -k -j2 echo :::: FILE`,
      }),
      ctx.weft(['--journal', done, '--resume', ...base], {
        label: '--journal --resume (all replayed)',
        display: `node bin/weft.js --journal DONE --resume -k -j2 echo :::: FILE`,
      }),
    ];
    // Untimed: fills DONE, and checks that the journaled output is the plain output.
    const plain = await ctx.sanity(jobs[0]);
    const filled = await ctx.sanity(ctx.weft(['--journal', done, ...base], { label: 'fill' }));
    if (filled.stdout !== plain.stdout) ctx.log('journal: warning: the journaled output differs');

    const nums = join(ctx.tmpDir, 'journal-nums.txt');
    await numbersFile(nums, PIPE_MB);
    const sum = ['--pipe', '-j2', '--aggregate', 'sum', "awk '{s+=$1} END {print s}'"];
    const pipe = [
      { ...ctx.weft(sum, { label: `pipe ${PIPE_MB} MB, no journal` }), stdinFile: nums },
      { ...ctx.weft(['--journal', wj, ...sum], { label: `pipe ${PIPE_MB} MB, --journal` }), stdinFile: nums },
    ];
    pipe[0].display = `node bin/weft.js --pipe -j2 --aggregate sum 'awk …' < ${PIPE_MB}MB`;
    pipe[1].display = `node bin/weft.js --journal J --pipe -j2 --aggregate sum 'awk …' < ${PIPE_MB}MB`;

    const cmds = [...jobs, ...pipe];
    ctx.log(`journal: ${n} jobs and ${PIPE_MB} MB, ${ctx.opts.rounds} interleaved rounds`);
    const res = await measureInterleaved(cmds, ctx.opts.rounds, { onRun: ctx.onRun });
    const rows = [];
    const m = new Map();
    for (const c of cmds) {
      const isPipe = pipe.includes(c);
      const row = measureRow('journal', c, res.get(c.label), { jobs: isPipe ? undefined : n });
      if (!isPipe) row.jobsPerSec = n / (row.median / 1000);
      row.env = 'unset';
      m.set(c.label, row);
      rows.push(row);
    }
    const ratio = (a, b) => m.get(a).median / m.get(b).median;
    rows.push(
      ratioRow('journal', {
        label: 'journal/plain time (jobs)',
        definition: `--journal median ÷ no-journal median, ${n} × echo`,
        value: ratio('--journal', 'no journal'),
      }),
      ratioRow('journal', {
        label: 'replay/plain time (jobs)',
        definition: `--journal --resume of a finished run ÷ running the ${n} jobs`,
        value: ratio('--journal --resume (all replayed)', 'no journal'),
      }),
      ratioRow('journal', {
        label: `journal/plain time (pipe ${PIPE_MB} MB)`,
        definition: '--journal median ÷ no-journal median, --pipe --aggregate sum',
        value: ratio(`pipe ${PIPE_MB} MB, --journal`, `pipe ${PIPE_MB} MB, no journal`),
      }),
    );
    return rows;
  },
};
