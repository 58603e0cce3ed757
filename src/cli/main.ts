import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { CommanderError } from 'commander';
import { WeftError } from '../errors.js';
import { run } from '../run.js';
import { ABORTED, unlessAborted } from '../source/abortable.js';
import { rawArgv } from './argv.js';
import { cliObservers, type CliObservers } from './observers.js';
import { processSignals, stopNotices } from './signals.js';
import { buildProgram } from './program.js';
import { statusCommand } from './status.js';
import { toSpec, type CliOptions } from './to-spec.js';
import { checkWorkerFlags, workerCommand } from './worker.js';
import type { JobSpec } from '../spec/types.js';

/** The streams and process hooks the CLI uses; tests pass their own. */
export interface CliIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** A first SIGINT/SIGTERM/SIGHUP (the real CLI, src/cli/signals.ts): start no new job. */
  signal?: AbortSignal;
  /** A second SIGINT/SIGTERM: kill the running jobs. */
  killSignal?: AbortSignal;
}

/** Signal numbers by name: an interrupted run exits 128 + the signal's number. */
const SIGNALS = constants.signals as Record<string, number>;

/** weft's version from the nearest package.json above this module (dist/ or the bundle). */
function version(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (pkg.name === 'weft') return pkg.version;
    } catch {
      // try the next one
    }
  }
  return 'unknown';
}

/** Prints a one-line error (a stack trace only with --debug) and returns weft's error status. */
function fail(io: CliIO, err: unknown, debug: boolean): number {
  const text =
    err instanceof WeftError ? err.describe() : `internal error: ${(err as Error)?.message ?? String(err)}`;
  // A spec with several problems describes them one per line; each gets the prefix.
  for (const line of text.split('\n')) io.stderr.write(`weft: ${line}\n`);
  if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  return 255;
}

/** Parses argv, runs the job and returns the exit status. Never exits the process. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const program = buildProgram()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: () => {},
      outputError: () => {},
    });
  const debug = argv.includes('--debug');
  let opts: CliOptions;
  try {
    program.parse(argv, { from: 'user' });
    opts = program.opts<CliOptions>();
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0; // --help, --version
      return fail(
        io,
        new WeftError(
          'E_USAGE',
          err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ') + " (see 'weft --help')",
        ),
        debug,
      );
    }
    return fail(io, err, debug);
  }
  if (opts.version) {
    io.stdout.write(`weft ${version()}\n`);
    return 0;
  }
  if (opts.status !== undefined) return statusCommand(opts.status, io);
  let observers: CliObservers | undefined;
  try {
    if (opts.worker !== undefined) return await workerCommand(opts, program.args, io);
    checkWorkerFlags(opts);
    let spec: JobSpec;
    if (opts.spec !== undefined || opts.validate !== undefined || opts.printSpec) {
      // yaml and zod load only here, so ordinary runs start fast (docs/benchmarks.md).
      const { specCommand } = await import('../spec/cli.js');
      // Reading the spec may wait (a FIFO): an interrupt ends that wait.
      const fromSpec = await unlessAborted(specCommand(opts, program.args, io), io.signal);
      if (fromSpec === ABORTED) return 128 + (SIGNALS[String(io.signal?.reason)] ?? SIGNALS.SIGINT);
      if (typeof fromSpec === 'number') return fromSpec;
      ({ spec, opts } = fromSpec);
    } else spec = toSpec(opts, program.args);
    observers = await cliObservers(opts, spec, io);
    const notices = stopNotices(observers.stderr);
    const onEvent = observers.onEvent;
    const summary = await run(spec, {
      stdin: io.stdin,
      stdout: observers.stdout,
      stderr: observers.stderr,
      signal: io.signal,
      killSignal: io.killSignal,
      onEvent: onEvent
        ? (e) => {
            onEvent(e);
            notices(e);
          }
        : notices,
      countTotal: observers.countTotal,
    });
    return summary.exitCode;
  } catch (err) {
    observers?.close(); // the display leaves the line before the error is printed
    return fail(io, err, debug);
  } finally {
    observers?.close();
  }
}

/** The `weft` executable: real streams, signals wired to two aborts, and the one process.exit. */
export async function cli(): Promise<void> {
  const signals = processSignals();
  // A closed stdout (e.g. `weft ... | head`) is not an error of weft's.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const code = await main(rawArgv(process.argv.slice(2)), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: signals.signal,
    killSignal: signals.killSignal,
  });
  // Exit only once everything written has reached the pipe or file.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
