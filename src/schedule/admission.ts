import { totalmem } from 'node:os';
import type { Writable } from 'node:stream';
import { formatSize } from '../chunk/units.js';
import { WeftError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { JobSpec } from '../spec/types.js';
import { compileTemplate } from '../template/expand.js';
import type { Gate } from './gate.js';
import { MemfreeGate, type MemfreeOptions } from './memfree.js';
import { PerKeyGate } from './per-key.js';
import { RateGate } from './rate.js';
import type { PlannedJob } from './scheduler.js';

/** What the gates need from the run around them. */
export interface AdmissionContext {
  bus: EventBus;
  /** Where the `--memfree` notice goes. */
  stderr: Writable;
  /** Column names of `--header :` input, for `{name}` in a key template. */
  names?: string[];
  /** Overrides the free-memory reading (tests). */
  memory?: MemfreeOptions['free'];
}

/** The job's key for `--max-per-key`: the template's value, or the format chunk's key partition. */
function keyFunction(spec: JobSpec, names: string[] | undefined): (job: PlannedJob) => string {
  const template = spec.perKey?.template;
  if (template === undefined) return (job) => job.key ?? '';
  const t = compileTemplate([template], {
    replace: spec.replace,
    plus: spec.plus,
    names,
    context: false,
    quoteCommand: false,
    appendArgs: false,
    raw: true,
  });
  if (!t.explicit) {
    throw new WeftError(
      'E_USAGE',
      `--key '${template}' names no argument or column${names ? '' : ' (for {name}, give --header :)'}`,
    );
  }
  return (job) => t.expand({ args: job.args, seq: job.seq, slot: 1 });
}

/**
 * The admission gates a spec asks for (docs/scheduling.md), job-independent ones first since
 * the scheduler asks them in order for every waiting job: free memory, rate, per-key cap.
 */
export function admissionGates(spec: JobSpec, ctx: AdmissionContext): Gate[] {
  const gates: Gate[] = [];
  if (spec.memfree !== undefined) {
    const total = totalmem();
    if (spec.memfree > total) {
      throw new WeftError(
        'E_OPTION',
        `--memfree ${formatSize(spec.memfree)} is more than this machine's memory (${formatSize(total)}): no job could start`,
      );
    }
    const limit = spec.memfree;
    let noticed = -Infinity;
    gates.push(
      new MemfreeGate(limit, {
        free: ctx.memory,
        onHold: (free) => {
          ctx.bus.emit({ type: 'jobs_held', reason: 'memfree', freeBytes: free, limitBytes: limit });
          // Memory that hovers around the limit would say it at every turn: once a minute.
          if (Date.now() - noticed < 60_000) return;
          noticed = Date.now();
          ctx.stderr.write(
            `weft: free memory ${formatSize(free)} is below --memfree ${formatSize(limit)}: new jobs wait\n`,
          );
        },
        onRelease: (free, heldMs) =>
          ctx.bus.emit({ type: 'jobs_released', reason: 'memfree', freeBytes: free, heldMs }),
      }),
    );
  }
  if (spec.rate) {
    const rate = new RateGate(spec.rate.perSecond, spec.rate.burst);
    // A retry is timed by its retry policy, not held; it still takes a token, so that with
    // retries the rate of attempts stays within the limit too.
    ctx.bus.on((e) => {
      if (e.type === 'job_started' && e.attempt > 1) rate.take(Date.now());
    });
    gates.push(rate);
  }
  if (spec.perKey) gates.push(new PerKeyGate(keyFunction(spec, ctx.names), spec.perKey.max));
  return gates;
}
