#!/usr/bin/env node
// Differential compatibility check against recorded GNU parallel behaviour.
//
//   node ../shared/compat/run.mjs [--cases FILE] [--only ID[,ID]] [--verbose] -- COMMAND [ARGS...]
//   e.g. from the project root: node ../shared/compat/run.mjs -- node bin/weft.js
//
// COMMAND is the runner under test, e.g. `-- node bin/weft.js`. Each case is run in a fresh temporary
// folder holding the case's files, with the case's argv appended to COMMAND and its stdin piped in.
// Compared: stdout (sorted line-wise where the case says so), the exit code, the files under the
// case's `dirs`, and the joblog columns Seq, Exitval, Signal, Command. Stderr is not compared.
// The expectations were recorded by running GNU parallel on the same cases.
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  mkdirSync,
  writeFileSync,
  readFileSync,
  readdirSync,
  statSync,
  rmSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
if (sep < 0 || sep === argv.length - 1) {
  console.error('usage: run.mjs [--cases FILE] [--only ID,...] [--verbose] -- COMMAND [ARGS...]');
  process.exit(2);
}
const opts = argv.slice(0, sep);
// Words of COMMAND that name existing files (e.g. bin/weft.js) are made absolute: cases run in temp folders.
const command = argv
  .slice(sep + 1)
  .map((w, i) => (i > 0 && !w.startsWith('-') && existsSync(w) ? resolve(w) : w));
const opt = (name) => {
  const i = opts.indexOf(name);
  return i >= 0 ? opts[i + 1] : undefined;
};
const casesFile = opt('--cases') ?? join(dirname(fileURLToPath(import.meta.url)), 'cases.json');
const only = opt('--only')?.split(',');
const verbose = opts.includes('--verbose');
const cases = JSON.parse(readFileSync(casesFile, 'utf8')).cases.filter((c) => !only || only.includes(c.id));

const sortLines = (s) =>
  s
    .split(/(?<=\n)/)
    .filter((l) => l !== '')
    .sort()
    .join('');
function snapshot(root, rel) {
  const out = {};
  const walk = (p) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) return readdirSync(p).forEach((f) => walk(join(p, f)));
    out[relative(root, p)] = readFileSync(p, 'utf8');
  };
  walk(join(root, rel));
  return out;
}
function joblogCols(path) {
  if (!existsSync(path)) return null;
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const r = l.split('\t');
      return [r[0], r[6], r[7], r[8]];
    });
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

let passed = 0,
  failed = 0;
const failures = [];
for (const c of cases) {
  const dir = mkdtempSync(join(tmpdir(), 'compat-'));
  for (const [name, content] of Object.entries(c.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const r = spawnSync(command[0], [...command.slice(1), ...c.argv], {
    cwd: dir,
    input: c.stdin ?? '',
    timeout: 30_000,
    maxBuffer: 64 << 20,
    env: { ...process.env, LC_ALL: 'C.UTF-8', SHELL: '/bin/bash', NO_COLOR: '1' },
  });
  const problems = [];
  if (r.error) problems.push(`did not finish: ${r.error.message}`);
  let out = (r.stdout ?? Buffer.alloc(0)).toString('utf8');
  if (c.sort) out = sortLines(out);
  if (out !== c.expect.stdout)
    problems.push(
      `stdout\n    expected ${JSON.stringify(c.expect.stdout).slice(0, 400)}\n    got      ${JSON.stringify(out).slice(0, 400)}`,
    );
  if (r.status !== c.expect.code)
    problems.push(
      `exit code: expected ${c.expect.code}, got ${r.status}${r.signal ? ` (signal ${r.signal})` : ''}`,
    );
  if (c.expect.dirs) {
    const got = {};
    for (const rel of c.dirs) Object.assign(got, snapshot(dir, rel));
    const norm = (o) => Object.fromEntries(Object.entries(o).sort());
    if (!same(norm(got), norm(c.expect.dirs)))
      problems.push(
        `files under ${c.dirs.join(', ')}\n    expected ${JSON.stringify(norm(c.expect.dirs)).slice(0, 400)}\n    got      ${JSON.stringify(norm(got)).slice(0, 400)}`,
      );
  }
  if (c.expect.joblog) {
    const got = joblogCols(join(dir, c.joblog));
    if (!same(got, c.expect.joblog))
      problems.push(
        `joblog (Seq, Exitval, Signal, Command)\n    expected ${JSON.stringify(c.expect.joblog)}\n    got      ${JSON.stringify(got)}`,
      );
  }
  rmSync(dir, { recursive: true, force: true });
  if (problems.length === 0) {
    passed++;
    if (verbose) console.log(`ok   ${c.id}`);
    continue;
  }
  failed++;
  failures.push(c.id);
  console.log(
    `FAIL ${c.id}: ${[...command, ...c.argv].map((a) => JSON.stringify(a)).join(' ')}${c.stdin != null ? `  <<< ${JSON.stringify(c.stdin).slice(0, 80)}` : ''}`,
  );
  for (const p of problems) console.log(`  - ${p}`);
  const err = (r.stderr ?? Buffer.alloc(0)).toString('utf8').trim();
  if (err) console.log(`  stderr: ${err.slice(0, 300).replace(/\n/g, '\n          ')}`);
}
if (failures.length) console.log(`failing: ${failures.join(' ')}`);
console.log(`compat: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
