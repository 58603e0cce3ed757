// Timing helpers for the benchmark harness (test/bench/run.mjs). Plain Node, no dependencies.
//
// Every measurement is the wall time of one real process, from just before spawn() to its
// 'close' event, read with process.hrtime.bigint(). stdout goes to /dev/null (as hyperfine
// does), stderr is kept so that a failing command is reported instead of timed.
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

/** The variable that makes every node start-up parse the whole CA bundle (see docs/benchmarks.md). */
export const CA_VAR = 'NODE_EXTRA_CA_CERTS';

/** The environment this harness was started with. */
export function inheritedEnv() {
  return { ...process.env };
}

/** The same environment without NODE_EXTRA_CA_CERTS: what a user's machine normally has. */
export function cleanEnv() {
  const env = { ...process.env };
  delete env[CA_VAR];
  return env;
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function stats(samples) {
  return {
    n: samples.length,
    median: median(samples),
    min: samples.length ? Math.min(...samples) : NaN,
    max: samples.length ? Math.max(...samples) : NaN,
  };
}

/** True when `cmd` can be found on PATH. */
export function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** First line of `cmd args...` (stdout), or null when it fails. */
export function firstLine(cmd, args = []) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0 || typeof r.stdout !== 'string') return null;
  return r.stdout.split('\n')[0].trim();
}

/** Quotes one word for display as a shell command. */
export function shq(word) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * A command to time. `display` is the human-readable form printed in the table (it should
 * show any environment change, e.g. `env -u NODE_EXTRA_CA_CERTS ...`); `stdinFile` feeds a
 * file on stdin (xargs); otherwise stdin is /dev/null.
 */
export function command({ label, cmd, args, env, cwd, stdinFile, display }) {
  return { label, cmd, args, env, cwd, stdinFile, display: display ?? [cmd, ...args].map(shq).join(' ') };
}

/** Runs a command once; resolves to { ms, code, signal, stderr, stdout? }. */
export function timeOnce(c, { captureStdout = false } = {}) {
  return new Promise((resolve) => {
    const stdinFd = c.stdinFile ? openSync(c.stdinFile, 'r') : 'ignore';
    let stderr = '';
    let stdout = '';
    const t0 = process.hrtime.bigint();
    const child = spawn(c.cmd, c.args, {
      cwd: c.cwd,
      env: c.env,
      stdio: [stdinFd, captureStdout ? 'pipe' : 'ignore', 'pipe'],
    });
    if (typeof stdinFd === 'number') closeSync(stdinFd);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      if (stderr.length < 4000) stderr += d;
    });
    if (captureStdout) {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d) => (stdout += d));
    }
    child.on('error', (err) => resolve({ ms: NaN, code: -1, signal: null, stderr: String(err), stdout }));
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      resolve({ ms, code, signal, stderr, stdout });
    });
  });
}

/**
 * Runs each command `rounds` times, interleaved (A B C, B C A, C A B, ...) so that the
 * machine's noise is shared and no command always runs right after the same other one.
 * Failed runs (non-zero exit) are recorded and left out of the samples.
 * Returns Map(label -> { samples, failures }).
 */
export async function measureInterleaved(commands, rounds, { onRun } = {}) {
  const out = new Map(commands.map((c) => [c.label, { samples: [], failures: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < commands.length; i++) {
      const c = commands[(i + r) % commands.length];
      const res = await timeOnce(c);
      const slot = out.get(c.label);
      if (res.code === 0) slot.samples.push(res.ms);
      else slot.failures.push({ code: res.code, signal: res.signal, stderr: res.stderr.trim() });
      onRun?.(c, r, res);
    }
  }
  return out;
}

/** A measurement row, as benchmarks return them. */
export function measureRow(benchmark, c, result, extra = {}) {
  const s = stats(result.samples);
  return {
    type: 'measure',
    benchmark,
    label: c.label,
    command: c.display,
    ...s,
    samplesMs: result.samples.map((x) => Math.round(x * 10) / 10),
    failures: result.failures,
    ...extra,
  };
}

/**
 * A ratio row. `value` is the ratio; `target` is { op: '>=' | '<=', value } or null for an
 * informational ratio. status is PASS, MISS, INFO, or N/A when a side could not be measured.
 */
export function ratioRow(benchmark, { label, definition, value, target = null, extra = {} }) {
  let status = 'INFO';
  if (!Number.isFinite(value)) status = 'N/A';
  else if (target) {
    const ok = target.op === '>=' ? value >= target.value : value <= target.value;
    status = ok ? 'PASS' : 'MISS';
  }
  return { type: 'ratio', benchmark, label, definition, value, target, status, ...extra };
}

/** A row for something that could not run (a missing tool). */
export function skipRow(benchmark, label, reason) {
  return { type: 'skip', benchmark, label, reason };
}

export function fmt(x, digits = 1) {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

/** A plain-text table: headers plus rows of strings, columns padded. */
export function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
