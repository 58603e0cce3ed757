import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { fileError, WeftError } from '../errors.js';
import type { EventListener } from './types.js';

/** GNU parallel's joblog header: 9 tab-separated columns. */
export const JOBLOG_HEADER = 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n';

/** The header of a joblog with a row per attempt (`--joblog-attempts`): GNU's, then Attempt. */
export const JOBLOG_ATTEMPTS_HEADER = JOBLOG_HEADER.replace('\n', '\tAttempt\n');

/** One joblog row in GNU's format (`Host` is `:` for the local machine). */
export function joblogRow(r: {
  seq: number;
  start: number;
  durationMs: number;
  exitCode: number;
  signal: number;
  command: string;
  stdoutBytes?: number;
}): string {
  const start = (r.start / 1000).toFixed(3);
  const runtime = (r.durationMs / 1000).toFixed(3).padStart(10);
  // A newline in a command would break the one-row-per-job format.
  const cmd = r.command.replaceAll('\n', '\\n');
  return `${r.seq}\t:\t${start}\t${runtime}\t0\t${r.stdoutBytes ?? 0}\t${r.exitCode}\t${r.signal}\t${cmd}\n`;
}

/** A row of an attempts joblog: GNU's columns, then the attempt number, `+` when another follows. */
export function joblogAttemptRow(
  r: Parameters<typeof joblogRow>[0] & { attempt: number; final: boolean },
): string {
  return joblogRow(r).replace(/\n$/, `\t${r.attempt}${r.final ? '' : '+'}\n`);
}

/** Whether the joblog at `path` exists and has the Attempt column (read from its header). */
function hasAttemptColumn(path: string): boolean | undefined {
  if (!existsSync(path) || statSync(path).size === 0) return undefined;
  const head = readFileSync(path, 'utf8').split('\n', 1)[0];
  return head.startsWith('Seq\t') ? head.endsWith('\tAttempt') : false;
}

/**
 * A joblog subscriber: writes the header, then one row per finished job (its last
 * attempt), each with a single write so a killed run leaves whole rows behind. With
 * `attempts` (or when appending to a joblog that has the Attempt column), a row per attempt.
 */
export function joblogWriter(
  path: string,
  append: boolean,
  options: { attempts?: boolean } = {},
): { listener: EventListener; close(): void } {
  let fd: number;
  let attempts = options.attempts === true;
  try {
    const existing = append ? hasAttemptColumn(path) : undefined;
    if (existing === false && attempts) {
      throw new WeftError(
        'E_USAGE',
        `${path}: this joblog has no Attempt column; --joblog-attempts cannot append to it`,
      );
    }
    attempts ||= existing === true;
    fd = openSync(path, existing === undefined ? 'w' : 'a');
    if (existing === undefined) writeSync(fd, attempts ? JOBLOG_ATTEMPTS_HEADER : JOBLOG_HEADER);
  } catch (err) {
    throw err instanceof WeftError ? err : fileError(path, err);
  }
  return {
    listener: (e) => {
      // A job weft killed for --halt or a signal is not done: no row, so --resume reruns it.
      if (e.type !== 'job_finished' || e.killed === 'halt' || e.killed === 'interrupt') return;
      if (attempts) writeSync(fd, joblogAttemptRow(e));
      else if (e.final) writeSync(fd, joblogRow(e));
    },
    close: () => closeSync(fd),
  };
}

/** Which sequence numbers a joblog records, split by success. */
export interface JoblogState {
  succeeded: Set<number>;
  failed: Set<number>;
}

/** Reads a joblog for `--resume`/`--resume-failed`; a missing file means nothing done yet. */
export function readJoblog(path: string): JoblogState {
  if (!existsSync(path)) return { succeeded: new Set(), failed: new Set() };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fileError(path, err);
  }
  return parseJoblog(path, text.split('\n'));
}

/**
 * Parses joblog rows: which jobs succeeded and which failed. A later row for the same
 * job (--resume-failed, --retries) replaces an earlier one; a bad row is a located error.
 * In a joblog with the Attempt column, a row of an attempt that was to be retried (`2+`)
 * says nothing about the job's outcome: if no later row follows, the job did not finish.
 */
export function parseJoblog(path: string, lines: readonly string[]): JoblogState {
  const state: JoblogState = { succeeded: new Set(), failed: new Set() };
  let attempts = false;
  lines.forEach((line, i) => {
    if (line === '') return;
    if (i === 0 && line.startsWith('Seq\t')) {
      attempts = line.endsWith('\tAttempt');
      return;
    }
    const cols = line.split('\t');
    const seq = Number(cols[0]);
    if (cols.length < (attempts ? 10 : 9) || !Number.isInteger(seq)) {
      throw new WeftError(
        'E_JOBLOG',
        `not a joblog row (expected ${attempts ? 10 : 9} tab-separated columns)`,
        { location: { file: path, line: i + 1 } },
      );
    }
    if (attempts && cols[cols.length - 1].endsWith('+')) return;
    if (cols[6] === '0' && cols[7] === '0') {
      state.succeeded.add(seq);
      state.failed.delete(seq);
    } else if (!state.succeeded.has(seq)) state.failed.add(seq);
  });
  return state;
}
