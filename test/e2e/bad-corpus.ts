/**
 * Runs the bad-input corpus (fixtures/bad/cases.json, issue #6): every case runs bin/weft.js in
 * a fresh directory holding fixtures/bad/files/, and must give exactly what the manifest says:
 * an error is one located line on stderr (`weft: FILE:LINE: ...`), exit 255, no stack trace
 * and nothing on stdout; a documented skip or pass-through gives exactly its bytes. Used by
 * test/e2e/bad-corpus.test.ts (most cases) and test/slow/bad-corpus-heavy.test.ts (100 MB
 * lines, 200,000 arguments).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { encodeRaw, hasRawBytes } from '../../src/raw-text.js';
import { ROOT, tempDir, WEFT } from './helpers.js';

/** One case of fixtures/bad/cases.json (its $comment describes the fields). */
export interface Case {
  name: string;
  class: string;
  args: string[];
  stdin?: string;
  stdinFile?: string;
  generate?: string[];
  fifo?: string;
  exit: number;
  stderr?: string;
  at?: string;
  stdout?: string;
  stdoutFile?: string;
  check?: string;
  after?: Record<string, string>;
  heavy?: boolean;
  doc?: string;
}

const BAD = join(ROOT, 'fixtures', 'bad');
/** Every case of the corpus. */
export const CASES = (JSON.parse(readFileSync(join(BAD, 'cases.json'), 'utf8')) as { cases: Case[] }).cases;

/** Inputs too big or too odd for git, made once per test file. */
const shared = { dir: '', big: '', many: '', unreadable: '' };

/** A file root cannot read either: chmod 000 does not stop root, a write-only sysfs file does. */
function unreadableFile(dir: string): string {
  if (process.getuid?.() !== 0) {
    const f = join(dir, 'unreadable.txt');
    writeFileSync(f, 'secret\n');
    chmodSync(f, 0);
    return f;
  }
  const candidates = ['/sys/bus/pci/rescan', '/sys/kernel/mm/ksm/run'];
  for (const bus of existsSync('/sys/bus') ? readdirSync('/sys/bus') : []) {
    candidates.push(`/sys/bus/${bus}/drivers_probe`, `/sys/bus/${bus}/uevent`);
  }
  for (const f of candidates) {
    try {
      closeSync(openSync(f, 'r'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') return f;
    }
  }
  throw new Error('running as root and no write-only sysfs file found: no unreadable file for the corpus');
}

/** FIFO writers started for cases, killed at the end in case weft never opened their FIFO. */
const writers = new Set<ChildProcess>();

/** Registers the hooks that make (and clean up) the shared inputs; call once per test file. */
export function useCorpusInputs(opts: { big?: boolean; many?: boolean } = {}): void {
  beforeAll(() => {
    shared.dir = tempDir();
    shared.big = join(shared.dir, 'big.txt');
    shared.many = join(shared.dir, 'many.txt');
    if (opts.big) {
      const big = Buffer.alloc(100 * 1024 * 1024 + 1, 'x');
      big[big.length - 1] = 10; // one line of 100 MiB
      writeFileSync(shared.big, big);
    }
    if (opts.many)
      writeFileSync(shared.many, Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join(''));
    shared.unreadable = unreadableFile(shared.dir);
  });
  afterAll(() => {
    for (const w of writers) w.kill('SIGKILL');
  });
}

/** Makes the run-time inputs a case names in `generate`, in its directory `cwd`. */
function generate(kind: string, cwd: string, c: Case): void {
  switch (kind) {
    case 'dir':
      mkdirSync(join(cwd, 'adir'));
      return;
    case 'dangling':
      symlinkSync('/nonexistent/weft-target', join(cwd, 'dangling'));
      return;
    case 'fifo': {
      spawnSync('mkfifo', [join(cwd, 'fifo')]);
      if (c.fifo === undefined) return;
      // A writer of its own: opening a FIFO blocks until weft opens the other end.
      const w = spawn('sh', ['-c', 'printf %s "$1" > fifo', 'sh', c.fifo], { cwd, stdio: 'ignore' });
      writers.add(w);
      w.on('exit', () => writers.delete(w));
      return;
    }
    case 'deep-json': {
      const depth = 100_000;
      writeFileSync(join(cwd, 'deep.json'), '['.repeat(depth) + ']'.repeat(depth));
      writeFileSync(join(cwd, 'deep-unclosed.json'), '['.repeat(depth) + ']'.repeat(depth - 1));
      return;
    }
    case 'latin1-name':
      writeFileSync(Buffer.from([...Buffer.from(cwd + '/'), 0xff, ...Buffer.from('.txt')]), 'hello\n');
      return;
    case 'big-line':
    case 'many':
    case 'unreadable':
      return; // shared, made in beforeAll
    default:
      throw new Error(`unknown generator ${kind}`);
  }
}

/** The case's words with placeholders filled in. */
function words(args: string[]): string[] {
  return args.flatMap((a) =>
    a === '@ARGS100K@'
      ? Array.from({ length: 100_000 }, (_, i) => String(i + 1))
      : [
          a
            .replace('@BIG@', shared.big)
            .replace('@MANY@', shared.many)
            .replace('@UNREADABLE@', shared.unreadable),
        ],
  );
}

/** bash reading the words from the file $1 (NUL-separated) and running `$0 words...` with the caller's LC_ALL. */
const BYTE_ARGS = [
  'a=(); while IFS= read -r -d "" w; do a+=("$w"); done < "$1"',
  'if [ -n "$WEFT_TEST_LC_ALL" ]; then export LC_ALL=$WEFT_TEST_LC_ALL; else unset LC_ALL; fi',
  'unset WEFT_TEST_LC_ALL; exec "$0" "${a[@]}"',
].join('\n');

/** What a weft run printed (stdout as bytes) and its exit status. */
export interface Output {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs weft with `args` as bytes: a word holding \udcXX escapes is passed as those raw bytes,
 * through a bash that reads the words NUL-separated from a file (spawn itself only passes UTF-8).
 */
export function runWeft(
  args: string[],
  cwd: string,
  stdin: Buffer,
  extraEnv: Record<string, string> = {},
): Promise<Output> {
  let argv = [WEFT, ...args];
  let cmd = process.execPath;
  let env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  if (args.some(hasRawBytes)) {
    const list = join(cwd, '.args');
    writeFileSync(list, Buffer.concat(argv.map((a) => Buffer.concat([encodeRaw(a), Buffer.from([0])]))));
    cmd = 'bash';
    argv = ['-c', BYTE_ARGS, process.execPath, list];
    // bash's read in a UTF-8 locale would merge a stray lead byte with the NUL after it.
    env = { ...env, LC_ALL: 'C', WEFT_TEST_LC_ALL: env.LC_ALL };
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Named checks of stdout, for outputs too big to spell out. */
const CHECKS: Record<string, (stdout: string, c: Case, cwd: string) => void> = {
  // -X/-m: every number once, in order, and split over more than one command line.
  numbers: (stdout, c) => {
    const n = Number(c.check!.split(':')[1]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    const values = stdout.split(/\s+/).filter(Boolean).map(Number);
    expect(values.length).toBe(n);
    expect(values.every((v, i) => v === i + 1)).toBe(true);
  },
  // Arguments stream: the jobs before the bad record may have run, in order; none after it.
  'earlier-args': (stdout) => {
    expect('a\nb\n'.startsWith(stdout)).toBe(true);
  },
  // The short row is dropped; the others come through with the header (partitions in any order).
  'csv-ragged-skip': (stdout) => {
    expect(
      stdout
        .split('\n')
        .filter((l) => l && l !== 'a,b')
        .sort(),
    ).toEqual(['1,2', '3,4,5']);
  },
};

/** At most `size` processes at a time, in arrival order; a heavy case takes more than one place. */
function pool(size: number) {
  let free = size;
  const waiting: { n: number; go: () => void }[] = [];
  const pump = () => {
    while (waiting.length > 0 && waiting[0].n <= free) {
      const w = waiting.shift()!;
      free -= w.n;
      w.go();
    }
  };
  return {
    take: (n: number) =>
      new Promise<void>((go) => {
        waiting.push({ n, go });
        pump();
      }),
    release: (n: number) => {
      free += n;
      pump();
    },
  };
}
const slots = pool(4);

/** Runs one case in a fresh directory (at most four at a time). */
export async function runCase(c: Case): Promise<{ out: Output; cwd: string }> {
  const cwd = tempDir();
  cpSync(join(BAD, 'files'), cwd, { recursive: true });
  for (const g of c.generate ?? []) generate(g, cwd, c);
  const stdin =
    c.stdinFile !== undefined
      ? readFileSync(c.stdinFile === '@BIG@' ? shared.big : join(cwd, c.stdinFile))
      : encodeRaw(c.stdin ?? '');
  const cost = c.heavy ? 2 : 1; // never two heavy cases at once
  await slots.take(cost);
  try {
    return { out: await runWeft(words(c.args), cwd, stdin), cwd };
  } finally {
    slots.release(cost);
  }
}

/** Checks a case's outcome against the manifest. */
export async function checkCase(c: Case): Promise<void> {
  const { out, cwd } = await runCase(c);
  const stderr = out.stderr;
  // Never a stack trace or an internal error, whatever the case.
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('node:internal');
  expect(stderr).not.toContain('internal error');
  expect(out.code, `exit status; stderr: ${stderr}`).toBe(c.exit);
  if (c.stderr === undefined) expect(stderr).toBe('');
  else {
    expect(stderr.endsWith('\n'), stderr).toBe(true);
    expect(stderr.slice(0, -1).split('\n'), 'one line on stderr').toHaveLength(1);
    expect(stderr.slice(0, -1)).toMatch(new RegExp(c.stderr));
    if (c.at !== undefined) expect(stderr).toContain(words([c.at])[0]);
  }
  // No partial silent result: an error prints nothing else; anything else prints exactly this.
  if (c.check !== undefined) CHECKS[c.check.split(':')[0]](out.stdout.toString('latin1'), c, cwd);
  else {
    const want =
      c.stdoutFile !== undefined ? readFileSync(join(cwd, c.stdoutFile)) : encodeRaw(c.stdout ?? '');
    const got = JSON.stringify(out.stdout.toString('latin1').slice(0, 200));
    expect(out.stdout.equals(want), `stdout: ${got}`).toBe(true);
  }
  for (const [file, body] of Object.entries(c.after ?? {})) {
    expect(readFileSync(join(cwd, file), 'utf8')).toBe(body);
  }
}
