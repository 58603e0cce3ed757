import { availableParallelism } from 'node:os';
import type { JobSpec } from './types.js';

/** The shells weft knows how to quote for; any other $SHELL falls back to /bin/sh. */
const BOURNE = /\/(bash|sh|dash|zsh|ksh|mksh)$/;

/** The shell jobs run in: $SHELL when it is Bourne-compatible (as GNU parallel), else /bin/sh. */
export function defaultShell(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHELL && BOURNE.test(env.SHELL) ? env.SHELL : '/bin/sh';
}

/** The default number of job slots: one per CPU core, as GNU parallel. */
export const defaultJobs = (): number => availableParallelism();

/** The most slots `-j 0` ("as many as possible") or `-j auto` opens. */
export const MAX_SLOTS = 256;

/**
 * Job slots for planning (how `-X` spreads arguments, `--pipepart` sizes its blocks, how many
 * reducers run): the number given, or, with `-j auto`, one per core.
 */
export const plannedSlots = (spec: Pick<JobSpec, 'jobs'>): number =>
  spec.jobs === 'auto' ? defaultJobs() : spec.jobs;

/** The highest slot number a run can use (`{0%}` pads to its width). */
export const highestSlot = (spec: Pick<JobSpec, 'jobs' | 'maxJobs'>): number =>
  spec.jobs === 'auto' ? (spec.maxJobs ?? MAX_SLOTS) : spec.jobs;

/** Queue mode's default -j: jobs on the queue at once, enough to keep several workers busy. */
export const QUEUE_JOBS = 64;

/** Queue mode's default --max-payload: 16 MiB per job (chunk and command) and per job output. */
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

/** A complete JobSpec from the fields a caller cares about; the rest get GNU parallel's defaults. */
export function defaultSpec(partial: Partial<JobSpec> & Pick<JobSpec, 'command'>): JobSpec {
  return {
    replace: '{}',
    quoteCommand: false,
    grouping: { kind: 'single' },
    plus: false,
    jobs: defaultJobs(),
    dryRun: false,
    halt: { when: 'never', why: 'fail' },
    retries: 1,
    delay: 0,
    resume: 'none',
    shell: defaultShell(),
    dispatch: 'auto',
    env: {},
    ...partial,
    input: {
      sources: [],
      delimiter: '\n',
      trim: 'n',
      columns: { kind: 'none' },
      header: false,
      shuffle: false,
      link: false,
      ...partial.input,
    },
    output: { mode: 'group', keepOrder: false, tag: false, ...partial.output },
  };
}
