import { spawn } from 'node:child_process';

/** What GNU parallel printed and how it exited. */
export interface GnuResult {
  stdout: string;
  code: number | null;
}

/**
 * Runs GNU parallel (the Debian package CI installs) with the same arguments as a weft
 * test, for a side-by-side comparison of stdout and exit status. `--will-cite` keeps its
 * citation notice away; $PARALLEL is emptied, as weft ignores it.
 */
export function gnuParallel(
  args: string[],
  opts: { stdin?: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<GnuResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('parallel', ['--will-cite', ...args], {
      cwd: opts.cwd,
      env: { ...process.env, PARALLEL: '', ...opts.env },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), code });
    });
  });
}
