import type { ExecRequest, ExecResult } from '../exec/types.js';
import { fromBase64, type ResultPayload } from './codec.js';
import { checkSignature } from './sign.js';

/** How a queued job ended as BullMQ reports it: completed with a return value, or failed with a reason. */
export type Outcome = { ok: true; value: unknown } | { ok: false; reason: string };

/** The status of a job the queue could not run (refused, stalled too often, a bad result): GNU's for a failed ssh. */
export const QUEUE_FAILURE_EXIT = 255;

/**
 * Turns a job's outcome into what the scheduler expects from any executor: its output through
 * the request's callbacks, then its exit. A result that fails its signature check is not
 * believed: the job counts as failed, with the reason on its stderr.
 */
export function deliver(secret: string, id: string, req: ExecRequest, outcome: Outcome): ExecResult {
  let reason = outcome.ok ? checkSignature(secret, 'result', outcome.value) : outcome.reason;
  const res = (outcome.ok ? outcome.value : undefined) as ResultPayload;
  if (!reason && res.id !== id) reason = `the result is for job ${String(res.id)}, not ${id}`;
  // Only this producer stops its jobs (--halt, a signal); a job a worker stopped did not finish.
  if (!reason && (res.killed === 'halt' || res.killed === 'interrupt')) {
    reason = `worker ${res.worker} stopped the job before it finished`;
  }
  if (reason) {
    const now = Date.now();
    req.onStderr(Buffer.from(`weft: job ${req.seq}: ${reason}\n`));
    return { exitCode: QUEUE_FAILURE_EXIT, signal: 0, start: now, end: now };
  }
  const out = fromBase64(res.stdout);
  const err = fromBase64(res.stderr);
  if (out.length) req.onStdout(out);
  if (err.length) req.onStderr(err);
  return {
    exitCode: res.exitCode,
    signal: res.signal,
    killed: res.killed,
    start: res.start,
    end: res.end,
  };
}

/** What a job the producer stopped (--halt, a signal) ends with; the scheduler drops it. */
export function stoppedResult(signal: AbortSignal): ExecResult {
  const now = Date.now();
  return {
    exitCode: 0,
    signal: 15,
    killed: signal.reason === 'halt' ? 'halt' : 'interrupt',
    start: now,
    end: now,
  };
}

/** Resolves with the abort's reason ('halt' or 'interrupt') once the signal fires; dispose stops listening. */
export function aborted(signal?: AbortSignal): { promise: Promise<'halt' | 'interrupt'>; dispose(): void } {
  let fire = () => {};
  const promise = new Promise<'halt' | 'interrupt'>((resolve) => {
    fire = () => resolve(signal?.reason === 'halt' ? 'halt' : 'interrupt');
  });
  if (signal?.aborted) fire();
  else signal?.addEventListener('abort', fire, { once: true });
  return { promise, dispose: () => signal?.removeEventListener('abort', fire) };
}
