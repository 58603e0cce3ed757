import type { RecordSink, Splitter } from './record.js';

/**
 * Newline-terminated records (lines mode and NDJSON): a record is everything up to and including
 * a '\n' (so CRLF stays intact), plus a final unterminated line. Works on raw bytes: invalid UTF-8
 * passes through untouched. A line longer than one input piece is gathered without re-scanning.
 */
export class LineSplitter implements Splitter {
  private parts: Buffer[] = [];
  private index = 0;

  /** `offset` is where the first byte pushed sits in the input (after a stripped BOM, say). */
  constructor(
    private readonly sink: RecordSink,
    private offset = 0,
  ) {}

  push(piece: Buffer): void {
    let s = 0;
    for (let nl = piece.indexOf(10); nl >= 0; nl = piece.indexOf(10, s)) {
      this.emit(piece, s, nl + 1);
      s = nl + 1;
    }
    if (s < piece.length) this.parts.push(piece.subarray(s));
  }

  end(): void {
    if (this.parts.length) this.emit(Buffer.alloc(0), 0, 0);
  }

  private emit(piece: Buffer, s: number, e: number): void {
    let buf = piece;
    if (this.parts.length) {
      this.parts.push(piece.subarray(s, e));
      buf = Buffer.concat(this.parts);
      this.parts = [];
      s = 0;
      e = buf.length;
    }
    const i = this.index++;
    this.sink.record(buf, s, e, i, this.offset, i + 1);
    this.offset += e - s;
  }
}
