import { crypto } from '../builtins.js';
import { WeftError } from '../errors.js';
import type { JobSpec } from '../spec/types.js';
import { canonical } from './sign.js';
import type { QueueLocation } from './url.js';

const RUN_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks a `--run-id`: it names Redis keys, so letters, digits, `_`, `.` and `-` only. */
export function checkRunId(id: string): string {
  if (!RUN_ID.test(id)) {
    throw new WeftError('E_OPTION', `--run-id: '${id}' must be 1-64 letters, digits, '_', '.' or '-'`);
  }
  return id;
}

/**
 * The id of a run on a queue: the same command line, in the same directory, against the same
 * Redis database, gets the same id — which is how `--resume` finds the run a killed producer
 * left behind. Whatever decides the jobs' content is hashed; a change in the input itself
 * (another stdin) is caught job by job when resuming (JobPayload.hash).
 */
export function deriveRunId(spec: JobSpec, loc: QueueLocation, cwd: string): string {
  if (spec.queue?.runId) return checkRunId(spec.queue.runId);
  const identity = {
    redis: `${loc.host}:${loc.port}/${loc.db}`,
    cwd: spec.cwd ?? cwd,
    command: spec.command,
    replace: spec.replace,
    quoteCommand: spec.quoteCommand,
    plus: spec.plus,
    grouping: spec.grouping,
    input: spec.input,
    pipe: spec.pipe,
    shell: spec.shell,
    env: spec.env,
  };
  return crypto().createHash('sha256').update(canonical(identity)).digest('hex').slice(0, 16);
}
