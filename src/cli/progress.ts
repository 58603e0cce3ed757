import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { Chalk, chalkStderr, type ChalkInstance } from 'chalk';
import cliProgress from 'cli-progress';
import type { EventListener } from '../events/types.js';
import { formatDuration, RunTally } from '../events/tally.js';

/** The stream a display draws on (stderr): a TTY has `isTTY` and `columns`. */
export interface TermStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * What the CLI shows while a run goes: `bar` (a bar drawn with cli-progress), or GNU
 * parallel's `--progress` and `--eta` status lines.
 */
export type DisplayKind = 'bar' | 'progress' | 'eta';

/** The colours stderr's terminal supports, as chalk detects them (0 = none). */
export const stderrColorLevel = (): DisplayOptions['colorLevel'] => chalkStderr.level;

export interface DisplayOptions {
  kind: DisplayKind;
  /** Where to draw (stderr). */
  out: TermStream;
  /** Redraw in place (stderr is a terminal); otherwise whole lines, now and then. */
  inPlace: boolean;
  /** Colour level for chalk (0 = none). */
  colorLevel: 0 | 1 | 2 | 3;
  /**
   * The bar appeared on its own (stderr is a terminal, no `--bar`): it waits this long
   * before showing, so short runs look as without it, and it is cleared at the end.
   */
  auto?: { delayMs: number };
  /** Unicode bar glyphs (a UTF-8 locale). */
  unicode?: boolean;
}

/** An events subscriber that draws; `guard` wraps streams that share its terminal. */
export interface ProgressDisplay {
  listener: EventListener;
  /** A stream writing to `target` that first takes the display off the line (TTY only). */
  guard(target: Writable): Writable;
  /** Draws the last state and leaves the line; safe to call more than once. */
  close(): void;
}

/** At most this many redraws a second. */
const FPS = 10;

/**
 * Keeps job output and the display apart on one terminal: before output, the display
 * line is cleared; while output has left the cursor mid-line, the display stays away.
 */
class Screen {
  /** Something of ours is on the current line. */
  shown = false;
  /** Job output ended without a newline: drawing now would overwrite it. */
  partial = false;

  constructor(
    readonly out: TermStream,
    readonly inPlace: boolean,
  ) {}

  beforeOutput(): void {
    if (this.inPlace && this.shown) {
      this.out.write('\r\x1b[K');
      this.shown = false;
    }
  }

  afterOutput(chunk: Buffer | string): void {
    if (chunk.length === 0) return;
    const last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
    this.partial = last !== 0x0a;
  }

  /** Writes display text; false when it had to stay away. */
  draw(s: string): boolean {
    if (this.inPlace && this.partial) return false;
    this.out.write(s);
    this.shown = this.inPlace && !s.endsWith('\n');
    return true;
  }

  /** Ends a partial output line so the final display gets a line of its own. */
  settle(): void {
    if (this.inPlace && this.partial) {
      this.out.write('\n');
      this.partial = false;
    }
  }

  guard(target: Writable): Writable {
    return new Writable({
      decodeStrings: false,
      write: (chunk: Buffer | string, _enc, cb) => {
        this.beforeOutput();
        const ok = target.write(chunk);
        this.afterOutput(chunk);
        if (ok) cb();
        else target.once('drain', () => cb());
      },
    });
  }
}

/** What one frame shows. */
export interface Snapshot {
  done: number;
  total?: number;
  percent?: number;
  running: number;
  /** With `-j auto`: how many may run now. */
  limit?: number;
  failed: number;
  /** Jobs per second. */
  rate: number;
  etaSeconds?: number;
  elapsedMs: number;
}

export function snapshot(tally: RunTally, elapsedMs: number): Snapshot {
  return {
    done: tally.done,
    total: tally.total,
    percent: tally.percent(),
    running: tally.running,
    limit: tally.adaptive ? tally.slots : undefined,
    failed: tally.failed,
    rate: tally.rate(elapsedMs),
    etaSeconds: tally.etaSeconds(elapsedMs),
    elapsedMs,
  };
}

/**
 * The bar line, fitted to `width` columns:
 * `[████░░░░] 45% 9/20 | ETA 2s | 4.1 jobs/s | running 2 | failed 0`, or without a
 * total: `9 done | 4.1 jobs/s | running 2 | failed 0 | 3s`.
 */
export function barLine(s: Snapshot, width: number, c: ChalkInstance, unicode = false): string {
  const rate = `${s.rate.toFixed(1)} jobs/s`;
  const running = `running ${s.running}${s.limit === undefined ? '' : ` of ${s.limit}`}`;
  const failedText = `failed ${s.failed}`;
  const failed = s.failed > 0 ? c.red(failedText) : failedText;
  const max = Math.max(10, width - 1);
  if (s.total === undefined && s.percent === undefined) {
    const elapsed = formatDuration(s.elapsedMs / 1000);
    const plain = `${s.done} done | ${rate} | ${running} | ${failedText} | ${elapsed}`;
    if (plain.length > max) return plain.slice(0, max);
    return `${c.bold(`${s.done} done`)} | ${rate} | ${running} | ${failed} | ${elapsed}`;
  }
  const pct = `${s.percent ?? 0}%`;
  // Pipe mode over a file: the percentage is of its bytes, the count has no total.
  const count = s.total === undefined ? `${s.done} done` : `${s.done}/${s.total}`;
  const eta = `ETA ${formatDuration(s.etaSeconds)}`;
  const text = `${pct} ${count} | ${eta} | ${rate} | ${running} | ${failedText}`;
  if (text.length > max) return text.slice(0, max);
  const barSize = Math.min(30, max - text.length - 3);
  const coloured = `${c.bold(pct)} ${count} | ${c.cyan(eta)} | ${rate} | ${running} | ${failed}`;
  if (barSize < 5) return coloured;
  const fill = Math.round(((s.percent ?? 0) / 100) * barSize);
  const [full, empty] = unicode ? ['\u2588', '\u2591'] : ['#', '-'];
  return `[${c.green(full.repeat(fill))}${c.dim(empty.repeat(barSize - fill))}] ${coloured}`;
}

/** GNU parallel's `--progress` header. */
export function progressHeader(slots: number): string {
  return (
    `\nComputers / CPU cores / Max jobs to run\n1:local / ${availableParallelism()} / ${slots}\n\n` +
    'Computer:jobs running/jobs completed/%of started jobs/Average seconds to complete\n'
  );
}

/**
 * GNU parallel's `--progress` line (`local:2/5/100%/1.3s`), with `--eta` prefixed by
 * `ETA: 4s Left: 3 AVG: 1.33s  `.
 */
export function gnuStatusLine(kind: 'progress' | 'eta', tally: RunTally, elapsedMs: number): string {
  const avg = tally.finished > 0 ? elapsedMs / 1000 / tally.finished : 0;
  const local = `local:${tally.running}/${tally.finished}/100%/${avg.toFixed(1)}s`;
  if (kind === 'progress') return local;
  const eta = tally.etaSeconds(elapsedMs);
  const etaText = eta === undefined ? (tally.total === undefined ? '?' : '0') : String(Math.round(eta));
  return `ETA: ${etaText}s Left: ${tally.left ?? '?'} AVG: ${avg.toFixed(2)}s  ${local}`;
}

/** Creates the display for `--bar`, `--progress` or `--eta` (or the automatic bar). */
export function createProgress(o: DisplayOptions): ProgressDisplay {
  const screen = new Screen(o.out, o.inPlace);
  const tally = new RunTally();
  let t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  const painter =
    o.kind === 'bar' ? barPainter(o, screen, tally, elapsed) : linePainter(o, screen, tally, elapsed);
  let closed = false;
  return {
    listener: (e) => {
      if (closed) return;
      if (e.type === 'run_started') t0 = performance.now() - e.t;
      tally.apply(e);
      if (e.type === 'run_started') painter.start();
      else if (e.type === 'run_finished') painter.stop();
      else painter.update();
    },
    guard: (target) => (o.inPlace ? screen.guard(target) : target),
    close: () => {
      if (closed) return;
      closed = true;
      painter.stop();
    },
  };
}

interface Painter {
  start(): void;
  update(): void;
  stop(): void;
}

/** The bar, drawn by cli-progress (its timer redraws at most FPS times a second). */
function barPainter(o: DisplayOptions, screen: Screen, tally: RunTally, elapsed: () => number): Painter {
  const c = new Chalk({ level: o.colorLevel });
  // cli-progress draws on this: cursor save/restore dropped (output scrolls the screen
  // between them), and nothing while job output is mid-line.
  const stream = {
    isTTY: o.inPlace,
    get columns() {
      return o.out.columns;
    },
    write(s: string): boolean {
      if (s === '\x1b7' || s === '\x1b8') return true;
      screen.draw(s);
      return true;
    },
  };
  const bar = new cliProgress.SingleBar({
    format: (_opts, params) => barLine(snapshot(tally, elapsed()), params.maxWidth, c, o.unicode),
    stream: stream as unknown as NodeJS.WritableStream,
    fps: FPS,
    noTTYOutput: !o.inPlace,
    notTTYSchedule: 1000,
    linewrap: null,
    hideCursor: false,
    // Job output clears the line between frames: redraw even when the text is the same.
    forceRedraw: o.inPlace,
    // Off a terminal each frame is a line of its own already: no blank line at the end.
    clearOnComplete: o.auto !== undefined || !o.inPlace,
    gracefulExit: false,
  });
  let started = false;
  let stopped = false;
  let delay: NodeJS.Timeout | undefined;
  const begin = () => {
    if (started || stopped) return;
    started = true;
    bar.start(tally.total ?? 0, tally.done);
  };
  return {
    start() {
      if (o.auto) {
        delay = setTimeout(begin, o.auto.delayMs);
        delay.unref();
      } else begin();
    },
    update() {
      if (started) bar.update(tally.done);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(delay);
      if (!started) return;
      screen.settle();
      bar.update(tally.done);
      bar.stop();
    },
  };
}

/** GNU's `--progress`/`--eta`: a status line redrawn with `\r`, at most FPS times a second. */
function linePainter(o: DisplayOptions, screen: Screen, tally: RunTally, elapsed: () => number): Painter {
  const kind = o.kind === 'eta' ? 'eta' : 'progress';
  let last = 0;
  let width = 0;
  let pending: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let active = false;
  const paint = () => {
    pending = undefined;
    last = performance.now();
    const line = gnuStatusLine(kind, tally, elapsed());
    // Pad over a longer previous line (works on terminals and in files alike, as GNU's).
    if (screen.draw('\r' + line.padEnd(width) + ' ')) width = line.length;
  };
  const soon = () => {
    if (!active || pending) return;
    const wait = last + 1000 / FPS - performance.now();
    if (wait <= 0) paint();
    else pending = setTimeout(paint, wait);
  };
  return {
    start() {
      active = true;
      o.out.write(progressHeader(tally.slots ?? 1));
      paint();
      if (o.inPlace) {
        heartbeat = setInterval(soon, 1000);
        heartbeat.unref();
      }
    },
    update: soon,
    stop() {
      if (!active) return;
      active = false;
      clearTimeout(pending);
      clearInterval(heartbeat);
      screen.settle();
      paint();
      o.out.write('\n');
      screen.shown = false;
    },
  };
}
