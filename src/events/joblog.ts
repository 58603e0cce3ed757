import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { fileError, WeftError } from '../errors.js';
import type { EventListener } from './types.js';

/** GNU parallel's joblog header: 9 tab-separated columns. */
export const JOBLOG_HEADER = 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n';

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

/**
 * A joblog subscriber: writes the header, then one row per finished job (its last
 * attempt), each with a single write so a killed run leaves whole rows behind.
 */
export function joblogWriter(path: string, append: boolean): { listener: EventListener; close(): void } {
  let fd: number;
  try {
    const fresh = !append || !existsSync(path) || statSync(path).size === 0;
    fd = openSync(path, fresh ? 'w' : 'a');
    if (fresh) writeSync(fd, JOBLOG_HEADER);
  } catch (err) {
    throw fileError(path, err);
  }
  return {
    listener: (e) => {
      // A job weft killed for --halt or a signal is not done: no row, so --resume reruns it.
      if (e.type === 'job_finished' && e.final && e.killed !== 'halt' && e.killed !== 'interrupt') {
        writeSync(fd, joblogRow(e));
      }
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
 */
export function parseJoblog(path: string, lines: readonly string[]): JoblogState {
  const state: JoblogState = { succeeded: new Set(), failed: new Set() };
  lines.forEach((line, i) => {
    if (line === '' || (i === 0 && line.startsWith('Seq\t'))) return;
    const cols = line.split('\t');
    const seq = Number(cols[0]);
    if (cols.length < 9 || !Number.isInteger(seq)) {
      throw new WeftError('E_JOBLOG', 'not a joblog row (expected 9 tab-separated columns)', {
        location: { file: path, line: i + 1 },
      });
    }
    if (cols[6] === '0' && cols[7] === '0') {
      state.succeeded.add(seq);
      state.failed.delete(seq);
    } else if (!state.succeeded.has(seq)) state.failed.add(seq);
  });
  return state;
}
