import { availableParallelism } from 'node:os';
import { parseDuration } from '../chunk/units.js';
import { WeftError } from '../errors.js';
import type { CliIO } from './main.js';
import { parseCount } from './numbers.js';
import type { CliOptions } from './to-spec.js';

/** The options a worker reads; any other means the command line mixed up producer and worker. */
const WORKER_KEYS = new Set<keyof CliOptions>([
  'worker',
  'concurrency',
  'allow',
  'stallTimeout',
  'debug',
  'bar',
]);

/** Default --stall-timeout: a SIGKILLed worker's jobs are back on the queue within about this long. */
const STALL_TIMEOUT_S = 10;

/** The worker-only flags, refused without --worker. */
export function checkWorkerFlags(o: CliOptions): void {
  const given = [
    o.concurrency !== undefined && '--concurrency',
    o.allow !== undefined && '--allow',
    o.stallTimeout !== undefined && '--stall-timeout',
  ].filter(Boolean);
  if (given.length)
    throw new WeftError(
      'E_USAGE',
      `${given.join(', ')} only ${given.length > 1 ? 'apply' : 'applies'} with --worker URL`,
    );
}

/**
 * `weft --worker URL [--concurrency N] [--allow PREFIX]...`: runs jobs from the queue until
 * SIGTERM. bullmq and ioredis load only here. Returns the exit status.
 */
export async function workerCommand(o: CliOptions, words: string[], io: CliIO): Promise<number> {
  if (words.length) {
    throw new WeftError('E_USAGE', `--worker takes no command (the producers send them), got '${words[0]}'`);
  }
  const stray = (Object.keys(o) as (keyof CliOptions)[]).filter(
    (k) => o[k] !== undefined && !WORKER_KEYS.has(k),
  );
  if (stray.length) {
    const flag = stray[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new WeftError(
      'E_USAGE',
      `--worker takes only --concurrency, --allow and --stall-timeout (not --${flag}); job options go to the producer (--queue)`,
    );
  }
  const concurrency =
    o.concurrency === undefined ? availableParallelism() : parseCount(o.concurrency, '--concurrency');
  const stall =
    o.stallTimeout === undefined ? STALL_TIMEOUT_S : parseDuration(o.stallTimeout, '--stall-timeout');
  if (stall < 1) throw new WeftError('E_OPTION', `--stall-timeout: '${o.stallTimeout}' must be at least 1s`);
  const { runWorker } = await import('../queue/worker.js');
  return runWorker({
    url: o.worker!,
    concurrency,
    allow: o.allow ?? [],
    stallTimeoutMs: Math.round(stall * 1000),
    env: process.env,
    stderr: io.stderr,
    signal: io.signal,
  });
}
