import type { Writable } from 'node:stream';
import type { OutputSpec } from '../spec/types.js';
import { prefixLines } from './lines.js';

/** One job's output on its way to the sinks. */
class JobOutput {
  readonly out: Buffer[] = [];
  readonly err: Buffer[] = [];
  done = false;
  outAtLineStart = true;
  errAtLineStart = true;
  constructor(
    readonly seq: number,
    readonly tag: Buffer,
  ) {}
}

/** The output channels a job writes to while it runs. */
export interface JobSink {
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

/**
 * Moves job output to stdout/stderr as GNU parallel does: grouped per job (default),
 * line by line (`--line-buffer`) or as it comes (`-u`); in input order with `-k`; with
 * every line prefixed by the tag when `--tag`/`--tagstring` is on. stderr stays stderr.
 */
export class OutputCollector {
  private readonly jobs = new Map<number, JobOutput>();
  /** With -k: the next sequence number allowed to print. */
  private head = 1;
  private readonly finishedEarly = new Set<number>();

  constructor(
    private readonly spec: OutputSpec,
    private readonly stdout: Writable,
    private readonly stderr: Writable,
  ) {}

  private live(j: JobOutput): boolean {
    if (this.spec.mode === 'group') return false;
    return !this.spec.keepOrder || j.seq === this.head;
  }

  private write(j: JobOutput, which: 'out' | 'err', data: Buffer): void {
    if (data.length === 0) return;
    const sink = which === 'out' ? this.stdout : this.stderr;
    if (this.spec.mode === 'ungroup' || j.tag.length === 0) {
      sink.write(data);
      return;
    }
    const key = which === 'out' ? 'outAtLineStart' : 'errAtLineStart';
    sink.write(prefixLines(data, j.tag, j[key]));
    j[key] = data[data.length - 1] === 10;
  }

  /** Writes what a live job may show now: everything (-u), complete lines (--line-buffer). */
  private flushLive(j: JobOutput, which: 'out' | 'err'): void {
    const parts = which === 'out' ? j.out : j.err;
    if (parts.length === 0) return;
    let data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    parts.length = 0;
    if (this.spec.mode === 'line-buffer' && !j.done) {
      const nl = data.lastIndexOf(10);
      if (nl < data.length - 1) {
        parts.push(data.subarray(nl + 1));
        data = data.subarray(0, nl + 1);
      }
    }
    this.write(j, which, data);
  }

  /** Registers a job that is about to run and returns where its output goes. */
  start(seq: number, tag: string): JobSink {
    const j = new JobOutput(seq, this.spec.tag ? Buffer.from(tag + '\t') : Buffer.alloc(0));
    this.jobs.set(seq, j);
    return {
      onStdout: (chunk) => {
        j.out.push(chunk);
        if (this.live(j)) this.flushLive(j, 'out');
      },
      onStderr: (chunk) => {
        j.err.push(chunk);
        if (this.live(j)) this.flushLive(j, 'err');
      },
    };
  }

  /** Forgets the buffered output of a failed attempt that will be retried. */
  retry(seq: number): void {
    const j = this.jobs.get(seq);
    if (j && this.spec.mode === 'group') {
      j.out.length = 0;
      j.err.length = 0;
    }
  }

  /** Marks a job finished (after its last attempt) and prints what may be printed. */
  finish(seq: number): void {
    const j = this.jobs.get(seq);
    if (!j) {
      this.passOver(seq);
      return;
    }
    j.done = true;
    if (!this.spec.keepOrder) {
      this.drain(j);
      return;
    }
    this.finishedEarly.add(seq);
    this.advance();
  }

  /** Forgets a job that was killed by weft (halt, interrupt): its held output is not shown. */
  discard(seq: number): void {
    this.jobs.delete(seq);
    this.passOver(seq);
  }

  /** A job that never runs (resumed, or never started after a halt) still moves -k along. */
  passOver(seq: number): void {
    this.finishedEarly.add(seq);
    if (this.spec.keepOrder) this.advance();
  }

  private drain(j: JobOutput): void {
    this.flushLive(j, 'out');
    this.flushLive(j, 'err');
    this.jobs.delete(j.seq);
  }

  private advance(): void {
    while (this.finishedEarly.has(this.head)) {
      this.finishedEarly.delete(this.head);
      const j = this.jobs.get(this.head);
      if (j) this.drain(j);
      this.head++;
    }
    // The new head may be running: show what it has so far.
    const next = this.jobs.get(this.head);
    if (next && this.live(next)) {
      this.flushLive(next, 'out');
      this.flushLive(next, 'err');
    }
  }

  /** Prints whatever is still held (e.g. after a halt), in order. */
  end(): void {
    const rest = [...this.jobs.values()].filter((j) => j.done).sort((a, b) => a.seq - b.seq);
    for (const j of rest) this.drain(j);
  }
}
