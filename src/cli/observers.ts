import type { Writable } from 'node:stream';
import { WeftError } from '../errors.js';
import { ndjsonWriter, type NdjsonWriter } from '../events/ndjson.js';
import type { EventListener } from '../events/types.js';
import type { JobSpec } from '../spec/types.js';
import type { DisplayKind, ProgressDisplay } from './progress.js';

/** The options this module reads (see CliOptions). */
export interface ObserverOptions {
  events?: string;
  bar?: boolean;
  progress?: boolean;
  eta?: boolean;
}

/** What the CLI hands to `run()` for `--events`, `--bar`, `--progress` and `--eta`. */
export interface CliObservers {
  onEvent?: EventListener;
  /** The streams to give `run()`: guarded when a display shares their terminal. */
  stdout: Writable;
  stderr: Writable;
  /** Ask the planner for the total (finite inputs only). */
  countTotal: boolean;
  /** Ends the display and closes the events file; safe to call more than once. */
  close(): void;
}

type Tty = Writable & { isTTY?: boolean; columns?: number };

/** Which display to show: an explicit `--bar`, else `--eta`, else `--progress`, else a bar on a terminal. */
function displayKind(
  o: ObserverOptions,
  spec: JobSpec,
  stderrTty: boolean,
): { kind: DisplayKind; auto: boolean } | undefined {
  if (spec.dryRun) return undefined;
  if (o.bar === true) return { kind: 'bar', auto: false };
  if (o.eta) return { kind: 'eta', auto: false };
  if (o.progress) return { kind: 'progress', auto: false };
  if (o.bar === undefined && stderrTty && o.events !== '-') return { kind: 'bar', auto: true };
  return undefined;
}

/**
 * Sets up the events file and the progress display for one CLI run. The display (chalk,
 * cli-progress and the terminal modules they need) is loaded only when one is shown.
 */
export async function cliObservers(
  o: ObserverOptions,
  spec: JobSpec,
  io: { stdout: Writable; stderr: Writable },
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliObservers> {
  const stderr = io.stderr as Tty;
  const stdout = io.stdout as Tty;
  const tty = stderr.isTTY === true;
  const display = displayKind(o, spec, tty);
  if (o.events === '-' && display && !display.auto) {
    throw new WeftError(
      'E_USAGE',
      '--events - writes to stderr, where --bar/--progress/--eta draw; give --events a file',
    );
  }

  let events: NdjsonWriter | undefined;
  if (o.events !== undefined && !spec.dryRun) {
    // A resumed run appends, as the joblog does; --status reads the last run of the file.
    events =
      o.events === '-' ? ndjsonWriter(io.stderr) : ndjsonWriter(o.events, { append: spec.resume !== 'none' });
  }

  let progress: ProgressDisplay | undefined;
  if (display) {
    const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
    const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
    const { createProgress, stderrColorLevel } = await import('./progress.js');
    progress = createProgress({
      kind: display.kind,
      out: stderr,
      inPlace: tty,
      colorLevel: tty && !noColor ? stderrColorLevel() : 0,
      auto: display.auto ? { delayMs: 1000 } : undefined,
      unicode: /utf-?8/i.test(locale),
    });
  }

  const listeners = [events?.listener, progress?.listener].filter((l): l is EventListener => l !== undefined);
  const guard = (s: Tty) => (progress && s.isTTY ? progress.guard(s) : s);
  return {
    onEvent: listeners.length === 0 ? undefined : (e) => listeners.forEach((l) => l(e)),
    stdout: guard(stdout),
    stderr: progress && tty ? progress.guard(stderr) : stderr,
    countTotal: display !== undefined || events !== undefined,
    close() {
      progress?.close();
      events?.close();
    },
  };
}
