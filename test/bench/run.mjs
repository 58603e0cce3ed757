// Benchmark harness: `npm run bench` (builds first), or `node test/bench/run.mjs [options]`.
//
// Runs the real CLI (node bin/weft.js) against GNU parallel and xargs in the same run,
// prints the medians, jobs/s and ratios with PASS/MISS against the targets, and writes the
// results to test/bench/results/latest.json (untracked; docs/benchmarks.md holds figures).
// Always exits 0: a benchmark is a measurement, not a test.
//
// Options (after `npm run bench --`):
//   --rounds N         dispatch rounds per command (default 3)
//   --startup-runs N   start-up runs per command (default 20)
//   --jobs N           jobs in the dispatch benchmark (default 2000)
//   --pipe-mb N        size of the generated log for pipe and pipepart (default 600)
//   --csv-mb N         size of the generated CSV for csv (default 300)
//   --json-mb N        size of the generated JSON array for json (default 200)
//   --pipe-gb N        size of the generated stream for pipe-rss (default 2; docs: 10)
//   --quick            small sizes and one round, to check that everything runs
//   --spill-mib N      output size of the spill benchmark in MiB (default 1024)
//   --queue-jobs N     tiny jobs in the queue benchmark (default 1000)
//   --scale-jobs N     `sleep 0.1` jobs in the queue scaling benchmark (default 192)
//   --ndjson-mib N     input size of the ndjson benchmark in MiB (default 200)
//   --js-records N     NDJSON records in the js benchmark (default 1000000)
//   --adaptive-jobs N  requests per run in the adaptive benchmark (default 600)
//   --only a,b         run only these benchmarks (names from benchmarks/index.mjs)
//   --verbose          print every timed run
//   --in-place         run bin/weft.js where it is instead of a snapshot (see below)
//
// By default the harness first copies bin/weft.js, dist/weft.cjs and package.json (the
// whole CLI: one bundle) into a temporary directory, with a node_modules symlink for
// csv-parse, and times that copy. It is byte-for-byte the build `npm run bench` just made,
// and a rebuild in the working tree during the run (another terminal, a watcher) cannot
// mix two builds into one set of figures.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarks } from './benchmarks/index.mjs';
import { CA_VAR, cleanEnv, command, firstLine, fmt, have, inheritedEnv, table, timeOnce } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

function parseArgs(argv) {
  const opts = {
    rounds: 3,
    startupRuns: 20,
    dispatchJobs: 2000,
    pipeMb: 600,
    csvMb: 300,
    jsonMb: 200,
    pipeGb: 2,
    spillMiB: 1024,
    queueJobs: 1000,
    scaleJobs: 192,
    ndjsonMiB: 200,
    jsRecords: 1_000_000,
    adaptiveJobs: 600,
    only: null,
    verbose: false,
    inPlace: false,
  };
  const int = (flag, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rounds') opts.rounds = int(a, argv[++i]);
    else if (a === '--startup-runs') opts.startupRuns = int(a, argv[++i]);
    else if (a === '--jobs') opts.dispatchJobs = int(a, argv[++i]);
    else if (a === '--pipe-mb') opts.pipeMb = int(a, argv[++i]);
    else if (a === '--csv-mb') opts.csvMb = int(a, argv[++i]);
    else if (a === '--json-mb') opts.jsonMb = int(a, argv[++i]);
    else if (a === '--pipe-gb') {
      opts.pipeGb = Number(argv[++i]);
      if (!(opts.pipeGb > 0)) throw new Error(`--pipe-gb needs a positive number, got ${argv[i]}`);
    } else if (a === '--quick')
      Object.assign(opts, {
        rounds: 1,
        startupRuns: 3,
        dispatchJobs: 200,
        pipeMb: 60,
        csvMb: 30,
        jsonMb: 20,
        pipeGb: 0.2,
      });
    else if (a === '--spill-mib') opts.spillMiB = int(a, argv[++i]);
    else if (a === '--queue-jobs') opts.queueJobs = int(a, argv[++i]);
    else if (a === '--scale-jobs') opts.scaleJobs = int(a, argv[++i]);
    else if (a === '--ndjson-mib') opts.ndjsonMiB = int(a, argv[++i]);
    else if (a === '--js-records') opts.jsRecords = int(a, argv[++i]);
    else if (a === '--adaptive-jobs') opts.adaptiveJobs = int(a, argv[++i]);
    else if (a === '--only') opts.only = String(argv[++i]).split(',');
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--in-place') opts.inPlace = true;
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

/**
 * Copies the CLI (bin, the bundle with the rest of dist/ — the --js worker lives there —,
 * package.json for --version) to dir; returns the bin path there.
 */
function snapshotCli(dir) {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(root, 'bin', 'weft.js'), join(dir, 'bin', 'weft.js'));
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return join(dir, 'bin', 'weft.js');
}

/** Short hash of a bundle, to say which build was measured and to spot a rebuild mid-run. */
function bundleHash(file = join(root, 'dist', 'weft.cjs')) {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
  } catch {
    return null;
  }
}

/** The results as JSON, formatted with the project's prettier when it is installed (so `npm run lint` passes). */
async function formatJson(value, file) {
  const json = JSON.stringify(value, null, 2) + '\n';
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(json, { ...config, filepath: file });
  } catch {
    return json;
  }
}

function machineInfo() {
  const gitRev = firstLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  const dirty = firstLine('git', ['-C', root, 'status', '--porcelain', '--', 'src', 'bin']);
  return {
    date: new Date().toISOString(),
    nproc: firstLine('nproc') ?? String(availableParallelism()),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    parallel: firstLine('parallel', ['--version']),
    xargs: firstLine('xargs', ['--version']),
    platform: `${process.platform} ${process.arch}`,
    git: gitRev ? `${gitRev}${dirty ? ' (src/bin modified)' : ''}` : null,
    workingTreeBundleAtStart: bundleHash(),
    [CA_VAR]: process.env[CA_VAR] ?? null,
    loadavgStart: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

function printBenchmark(b, rows) {
  console.log(`\n## ${b.title}\n`);
  const measures = rows.filter((r) => r.type === 'measure');
  const hasJobs = measures.some((r) => r.jobsPerSec !== undefined);
  // Optional columns a benchmark adds to its rows (spill: throughput and peak RSS).
  const extra = [
    ['mbPerSec', 'MB/s'],
    ['peakRssMB', 'peak RSS MB'],
  ].filter(([key]) => measures.some((r) => r[key] !== undefined));
  const headers = ['variant', 'command', CA_VAR, 'n', 'median ms', 'min ms', 'max ms'];
  if (hasJobs) headers.push('jobs/s');
  headers.push(...extra.map(([, title]) => title));
  console.log(
    table(
      headers,
      measures.map((r) => {
        const cells = [r.label, r.command, r.env ?? '', r.n, fmt(r.median), fmt(r.min), fmt(r.max)];
        if (hasJobs) cells.push(fmt(r.jobsPerSec, 0));
        for (const [key] of extra) cells.push(r[key] === null ? '' : fmt(r[key]));
        return cells;
      }),
    ),
  );
  for (const r of measures.filter((m) => m.failures.length)) {
    console.log(
      `  ! ${r.label}: ${r.failures.length} failed run(s), first: ${JSON.stringify(r.failures[0])}`,
    );
  }
  for (const r of rows.filter((x) => x.type === 'skip')) console.log(`  - skipped ${r.label}: ${r.reason}`);
  const ratios = rows.filter((r) => r.type === 'ratio');
  if (ratios.length) {
    console.log('');
    console.log(
      table(
        ['ratio', 'value', 'target', 'status', 'definition'],
        ratios.map((r) => [
          r.label,
          fmt(r.value, 2),
          r.target ? `${r.target.op} ${r.target.value}` : '',
          r.status,
          r.definition,
        ]),
      ),
    );
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(root, 'dist', 'weft.cjs'))) {
    throw new Error('dist/weft.cjs is missing: run `npm run build` (or use `npm run bench`)');
  }
  const tmpDir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  try {
    await runAll(opts, tmpDir);
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

async function runAll(opts, tmpDir) {
  const envs = { clean: cleanEnv(), inherited: inheritedEnv() };
  const bin = opts.inPlace ? join(root, 'bin', 'weft.js') : snapshotCli(join(tmpDir, 'cli'));
  const measuredBundle = opts.inPlace
    ? join(root, 'dist', 'weft.cjs')
    : join(tmpDir, 'cli', 'dist', 'weft.cjs');
  const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
  const ctx = {
    root,
    tmpDir,
    opts,
    envs,
    log,
    tools: { parallel: have('parallel'), xargs: have('xargs') },
    /** A weft command; env defaults to the clean one (no NODE_EXTRA_CA_CERTS). */
    weft: (args, { label, env = envs.clean, display }) =>
      command({ label, cmd: process.execPath, args: [bin, ...args], env, cwd: root, display }),
    /** An untimed run that also captures stdout: a warm-up and a check. */
    sanity: async (c) => {
      const r = await timeOnce(c, { captureStdout: true });
      if (r.code !== 0) log(`warning: ${c.label} exited ${r.code}: ${r.stderr.trim()}`);
      return r;
    },
    onRun: (c, round, res) => {
      if (opts.verbose || res.ms > 2000) log(`  round ${round + 1} ${c.label}: ${fmt(res.ms)} ms`);
    },
  };

  const machine = machineInfo();
  machine.measuredBundle = bundleHash(measuredBundle);
  machine.cli = opts.inPlace
    ? 'bin/weft.js in place'
    : 'snapshot of bin/weft.js + dist/weft.cjs taken at start';
  console.log('# weft benchmarks\n');
  console.log(
    table(
      ['machine', ''],
      [
        ['nproc', machine.nproc],
        ['cpu', machine.cpuModel],
        ['node', machine.node],
        ['parallel', machine.parallel ?? 'not found'],
        ['xargs', machine.xargs ?? 'not found'],
        ['weft', `${machine.git ?? 'unknown'}, dist/weft.cjs sha256 ${machine.measuredBundle}`],
        ['weft CLI run', machine.cli],
        [`${CA_VAR} (inherited)`, machine[CA_VAR] ?? 'not set'],
        ['loadavg at start', machine.loadavgStart.join(' ')],
      ],
    ),
  );
  console.log(
    `\nHeadline figures run every command with ${CA_VAR} removed from the environment;` +
      ' rows marked "env as inherited" keep it.',
  );

  const selected = opts.only ? benchmarks.filter((b) => opts.only.includes(b.name)) : benchmarks;
  const results = [];
  for (const b of selected) {
    let rows;
    try {
      rows = await b.run(ctx);
    } catch (err) {
      log(`${b.name} failed: ${err?.stack ?? err}`);
      rows = [{ type: 'skip', benchmark: b.name, label: b.name, reason: `error: ${err?.message ?? err}` }];
    }
    results.push({ name: b.name, title: b.title, rows });
    printBenchmark(b, rows);
  }
  machine.loadavgEnd = loadavg().map((x) => Number(x.toFixed(2)));
  machine.bundleAtEnd = bundleHash(measuredBundle);
  machine.workingTreeBundleAtEnd = bundleHash();

  const targets = results.flatMap((r) => r.rows.filter((x) => x.type === 'ratio' && x.target));
  console.log('\n## Targets\n');
  console.log(
    table(
      ['benchmark', 'ratio', 'value', 'target', 'status', 'headline'],
      targets.map((t) => [
        t.benchmark,
        t.label,
        fmt(t.value, 2),
        `${t.target.op} ${t.target.value}`,
        t.status,
        t.headline === false ? 'no (CA bundle parsed at start-up)' : 'yes',
      ]),
    ),
  );
  console.log(`\nloadavg at end: ${machine.loadavgEnd.join(' ')}`);
  if (machine.bundleAtEnd !== machine.measuredBundle) {
    console.log(
      `WARNING: the measured bundle changed during the run (${machine.measuredBundle} -> ${machine.bundleAtEnd}); figures mix builds.`,
    );
  } else if (machine.workingTreeBundleAtEnd !== machine.measuredBundle) {
    console.log(
      `note: dist/weft.cjs was rebuilt during the run (now ${machine.workingTreeBundleAtEnd}); the figures are all for ${machine.measuredBundle}.`,
    );
  }

  const outDir = join(here, 'results');
  mkdirSync(outDir, { recursive: true });
  const data = { machine, options: opts, benchmarks: results };
  for (const name of ['latest.json', `run-${machine.date.replaceAll(':', '-')}.json`]) {
    const file = join(outDir, name);
    writeFileSync(file, await formatJson(data, file));
  }
  console.log(`results: ${join('test', 'bench', 'results', 'latest.json')}`);
}

try {
  await main();
} catch (err) {
  console.error(`[bench] error: ${err?.message ?? err}`);
}
process.exitCode = 0;
