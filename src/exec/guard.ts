import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The guard's script. It waits on a pipe from weft: `done` means weft closed its executors
 * itself; end of file without it means weft died (SIGKILL, out of memory, a crash) with jobs
 * possibly running in their own process groups, where nothing else would end them. Then it
 * ends every process whose environment carries PARALLEL_PID=<weft's pid> — jobs, their
 * children, slot shells — with TERM, and KILL shortly after. Linux only (/proc).
 */
const SCRIPT = `IFS= read -r line
[ "$line" = done ] && exit 0
sweep() {
  for f in $(grep -lzxF "PARALLEL_PID=$WEFT_GUARD_PID" /proc/[0-9]*/environ 2>/dev/null); do
    p=\${f#/proc/}; kill -s "$1" "\${p%/environ}" 2>/dev/null
  done
}
sweep TERM; sleep 0.3; sweep KILL; sleep 0.1; sweep KILL`;

let guard: ChildProcess | undefined;
let users = 0;

/**
 * Starts this process's orphan guard (one for all executors; PARALLEL_PID is the process's
 * pid) and returns the function that releases it; the last release tells it all is well.
 * The guard never keeps weft alive, and a guard that cannot start is only a lost safety net.
 */
export function acquireGuard(): () => void {
  if (users++ === 0) {
    try {
      guard = spawn('/bin/sh', ['-c', SCRIPT], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
        // Without PARALLEL_PID itself, so it never sweeps itself or its grep.
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', WEFT_GUARD_PID: String(process.pid) },
      });
      guard.on('error', () => {});
      guard.stdin!.on('error', () => {});
      guard.unref();
      (guard.stdin as unknown as { unref?(): void }).unref?.();
    } catch {
      guard = undefined;
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--users > 0 || !guard) return;
    guard.stdin!.end('done\n');
    guard = undefined;
  };
}
