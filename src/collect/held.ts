import type { SpillFile, SpillStore } from './spill.js';

/** A run of held output in memory, or in a spill file. */
type Segment = { kind: 'mem'; parts: Buffer[]; bytes: number } | { kind: 'file'; file: SpillFile };

/** Receives held output in order; a returned promise means "wait before the next piece". */
export type PieceWriter = (piece: Buffer) => Promise<void> | void;

const hasNewline = (s: Segment): boolean =>
  s.kind === 'mem' ? s.parts.some((p) => p.includes(10)) : s.file.lineEnd > s.file.readPos;

/**
 * One stream (stdout or stderr) of one job's output that may not be printed yet. Chunks
 * stay in memory while the store's budget allows, and go to a spill file past it; the
 * segments keep arrival order, so what comes back out is exactly what went in.
 */
export class Held {
  private segments: Segment[] = [];

  constructor(private readonly store: SpillStore) {}

  /** True when nothing is held. */
  get empty(): boolean {
    return this.segments.length === 0;
  }

  /** Holds one chunk. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const last = this.segments.at(-1);
    if (last?.kind === 'file' && this.store.spilling) {
      try {
        last.file.append(chunk);
        return;
      } catch (err) {
        this.store.fail(err);
      }
    }
    if (last?.kind !== 'file' && !this.store.fits(chunk.length)) {
      try {
        const file = this.store.file();
        this.segments.push({ kind: 'file', file });
        file.append(chunk);
        return;
      } catch (err) {
        this.store.fail(err);
      }
    }
    this.store.used += chunk.length;
    if (last?.kind === 'mem') {
      last.parts.push(chunk);
      last.bytes += chunk.length;
    } else this.segments.push({ kind: 'mem', parts: [chunk], bytes: chunk.length });
  }

  /**
   * Hands the held output to `write`, oldest first: all of it, or with `lines` only up to the
   * last newline (the partial line stays held). Spill files are read back piece by piece,
   * waiting whenever `write` asks to. Resolves to whether anything was written.
   */
  async drain(write: PieceWriter, lines: boolean): Promise<boolean> {
    let count = this.segments.length;
    if (lines) {
      while (count > 0 && !hasNewline(this.segments[count - 1])) count--;
      if (count === 0) return false;
    }
    let wrote = false;
    for (let k = 0; k < count; k++) {
      const seg = this.segments[0];
      if (!seg) break; // cleared meanwhile (the job was discarded)
      const cut = lines && k === count - 1;
      if (seg.kind === 'mem') {
        let data = seg.parts.length === 1 ? seg.parts[0] : Buffer.concat(seg.parts);
        // A copy of the partial line, so it does not pin the whole of `data`.
        const rest = cut ? Buffer.from(data.subarray(data.lastIndexOf(10) + 1)) : undefined;
        if (rest) data = data.subarray(0, data.length - rest.length);
        // Settle the segment before writing: chunks that arrive meanwhile go after it.
        this.store.used -= seg.bytes - (rest?.length ?? 0);
        if (rest?.length) {
          seg.parts = [rest];
          seg.bytes = rest.length;
        } else this.segments.shift();
        wrote = true;
        await write(data);
        continue;
      }
      const file = seg.file;
      const limit = () => (cut ? file.lineEnd : file.size);
      const next = () =>
        this.segments[0] === seg && file.readPos < limit() ? file.read(limit()) : undefined;
      for (let reading = next(); reading;) {
        const piece = await reading;
        if (this.segments[0] !== seg || piece.length === 0) break;
        // The next piece is read while this one is written.
        reading = next();
        wrote = true;
        await write(piece);
      }
      if (this.segments[0] === seg && file.pending === 0) {
        this.segments.shift();
        this.store.release(file);
      }
    }
    return wrote;
  }

  /** Drops everything held (a failed attempt, a killed job). */
  clear(): void {
    for (const s of this.segments) {
      if (s.kind === 'mem') this.store.used -= s.bytes;
      else this.store.release(s.file);
    }
    this.segments = [];
  }
}
