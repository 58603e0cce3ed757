import type { Writable } from 'node:stream';
import type { EventListener } from '../events/types.js';

/** The two stages of stopping a run, as AbortSignals for `run()`. */
export interface StopSignals {
  /** Aborted by the first SIGINT, SIGTERM or SIGHUP (its name is the reason): start nothing new. */
  signal: AbortSignal;
  /** Aborted by a later SIGINT or SIGTERM: kill the running jobs now. */
  killSignal: AbortSignal;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Wires the process's signals to the two stages, like GNU parallel's SIGHUP then SIGTERM:
 * the first signal lets running jobs finish, a second SIGINT or SIGTERM kills them. A second
 * SIGHUP changes nothing (a closed terminal may send several).
 */
export function processSignals(proc: NodeJS.Process = process): StopSignals {
  const stop = new AbortController();
  const kill = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!stop.signal.aborted) stop.abort(sig);
    else if (sig !== 'SIGHUP' && !kill.signal.aborted) kill.abort(sig);
  };
  const names: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const n of names) proc.on(n, onSignal);
  return {
    signal: stop.signal,
    killSignal: kill.signal,
    dispose: () => names.forEach((n) => proc.off(n, onSignal)),
  };
}

/**
 * Prints GNU parallel's notice when a first signal stops a run (GNU prints it for SIGHUP):
 * `SIGTERM received. No new jobs will be started.`, then the jobs it waits for.
 */
export function stopNotices(stderr: Writable): EventListener {
  return (e) => {
    if (e.type !== 'run_stopping' || e.kill) return;
    const lines = [`weft: ${e.reason} received. No new jobs will be started.`];
    if (e.running.length) {
      lines.push(
        `weft: Waiting for these ${e.running.length} jobs to finish. Send SIGTERM to stop now.`,
        ...e.running.map((j) => `weft: ${j.command.replaceAll('\n', '\\n')}`),
      );
    }
    stderr.write(lines.join('\n') + '\n');
  };
}
