import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** The repository root and the weft executable (runs the bundle built by `npm run build`). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WEFT = join(ROOT, 'bin', 'weft.js');

export interface WeftResult {
  stdout: string;
  stderr: string;
  /** Exit status, or null when the process was killed by a signal. */
  code: number | null;
  /** Wall time in milliseconds. */
  ms: number;
}

export interface WeftOptions {
  /** Written to weft's stdin, which is then closed; without it stdin is empty. */
  stdin?: string | Buffer;
  /** Working directory; a fresh temp dir by default. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** `env` is the whole environment, not added to the test's own. */
  replaceEnv?: boolean;
  /** Kill weft after this long (the test then fails on the exit status). */
  timeoutMs?: number;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file; `files` are created in it. */
export function tempDir(files: Record<string, string | Buffer> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'weft-test-'));
  dirs.push(d);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(d, name), body);
  return d;
}

/** A child's output and exit status; it is SIGKILLed after `timeoutMs`. */
function collect(child: ChildProcess, timeoutMs: number): Promise<WeftResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
        ms: Date.now() - started,
      });
    });
  });
}

/** Runs `node bin/weft.js ...args` and collects its output. */
export function weft(args: string[], opts: WeftOptions = {}): Promise<WeftResult> {
  const child = spawn(process.execPath, [WEFT, ...args], {
    cwd: opts.cwd ?? tempDir(),
    env: opts.replaceEnv ? opts.env : { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => {});
  child.stdin.end(opts.stdin ?? '');
  return collect(child, opts.timeoutMs ?? 30_000);
}

/**
 * Runs a shell line (`sh -c`) in `cwd` where the function `weft` runs the CLI; `env` is added
 * to the test's own. With `exec`, `weft` replaces its shell: in a pipeline or a background job
 * `$!` is then weft's own pid (only where weft is the line's last command or in a pipeline).
 */
export function shell(
  line: string,
  cwd: string,
  opts: { env?: Record<string, string>; exec?: boolean; timeoutMs?: number } = {},
): Promise<WeftResult> {
  const fn = `weft() { ${opts.exec ? 'exec ' : ''}"$NODE" "$WEFT_JS" "$@"; }`;
  const child = spawn('sh', ['-c', `${fn}; ${line}`], {
    cwd,
    env: { ...process.env, NODE: process.execPath, WEFT_JS: WEFT, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child, opts.timeoutMs ?? 60_000);
}

/** Output lines without the final empty piece. */
export const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

/** Sorted output lines (for runs without -k). */
export const sortedLines = (s: string): string[] => lines(s).sort();
