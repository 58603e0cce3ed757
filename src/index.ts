/** weft's library API: `run(spec)` and the types around it. The CLI is a thin layer over this. */
export { run, type RunOptions } from './run.js';
export { WeftError, type WeftErrorCode, type Location } from './errors.js';
export type {
  JobSpec,
  InputSource,
  InputSpec,
  OutputSpec,
  PipeSpec,
  HaltPolicy,
  ColumnMode,
} from './spec/types.js';
export type { WeftEvent, RunSummary, EventListener } from './events/types.js';
export { ndjsonWriter, eventLine, type NdjsonWriter } from './events/ndjson.js';
export type { Executor, ExecRequest, ExecResult } from './exec/types.js';
export type { Task, TaskContext } from './exec/js/task.js';
export { defaultSpec, defaultJobs } from './spec/defaults.js';
export { shellQuote } from './template/quote.js';
