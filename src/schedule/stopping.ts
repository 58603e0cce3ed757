import { setMaxListeners } from 'node:events';

/**
 * The two ways a run ends early, as aborts every running job listens to: `stop` (no new job
 * or retry starts: a first signal, --halt now, an error) and `kill` (running jobs are killed:
 * a second signal, --halt now, an error). Wires the caller's two AbortSignals to them.
 */
export class Stopping {
  private readonly stopper = new AbortController();
  private readonly killer = new AbortController();
  /** Resolves (to undefined) once nothing new may start; for races with waits. */
  readonly stopped: Promise<undefined>;
  /** Set once a caller's signal arrived. */
  interrupted = false;
  private readonly unlisten: () => void;

  /**
   * `signal` stops starting, `killSignal` kills too; `onSignal(reason, kill)` hears each once.
   */
  constructor(
    signal: AbortSignal | undefined,
    killSignal: AbortSignal | undefined,
    onSignal: (reason: string, kill: boolean) => void,
  ) {
    // Every running job listens for these: as many listeners as slots is expected.
    setMaxListeners(0, this.stopper.signal, this.killer.signal);
    this.stopped = new Promise((resolve) =>
      this.stopper.signal.addEventListener('abort', () => resolve(undefined)),
    );
    const onStop = () => {
      if (this.interrupted) return;
      this.interrupted = true;
      this.stopStarting();
      onSignal(String(signal?.reason), false);
    };
    const onKill = () => {
      if (this.killer.signal.reason === 'interrupt') return;
      this.interrupted = true;
      this.stopStarting();
      onSignal(String(killSignal?.reason), true);
      this.kill('interrupt');
    };
    signal?.addEventListener('abort', onStop, { once: true });
    killSignal?.addEventListener('abort', onKill, { once: true });
    if (signal?.aborted) onStop();
    if (killSignal?.aborted) onKill();
    this.unlisten = () => {
      signal?.removeEventListener('abort', onStop);
      killSignal?.removeEventListener('abort', onKill);
    };
  }

  /** Aborted when nothing new may start. */
  get stop(): AbortSignal {
    return this.stopper.signal;
  }

  /** Aborted (reason 'halt' or 'interrupt') when running jobs are to be killed. */
  get killing(): AbortSignal {
    return this.killer.signal;
  }

  stopStarting(): void {
    this.stopper.abort();
  }

  kill(reason: 'halt' | 'interrupt'): void {
    this.stopper.abort();
    this.killer.abort(reason);
  }

  /** Stops listening to the caller's signals. */
  dispose(): void {
    this.unlisten();
  }
}
