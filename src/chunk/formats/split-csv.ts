import { WeftError } from '../../errors.js';
import type { BadRecords } from './bad-records.js';
import { CsvScanner } from './csv-scan.js';
import type { RecordSink, Splitter } from './record.js';

/**
 * CSV/TSV records, cut by the quote-aware scanner. The first record is the header: it is handed
 * to `onHeader` (which puts it in front of every chunk) instead of the sink. A record still inside
 * quotes at the end of input is a bad record (unclosed quote), reported where it started.
 */
export class CsvSplitter implements Splitter {
  private readonly scanner = new CsvScanner();
  private parts: Buffer[] = [];
  private index = 0;
  private line = 1;
  private header = false;

  constructor(
    private readonly sink: RecordSink,
    private readonly onHeader: (header: Buffer) => void,
    private readonly bad: BadRecords,
    private readonly name: string,
    private offset = 0,
  ) {}

  push(piece: Buffer): void {
    let s = 0;
    for (let e = this.scanner.next(piece, 0); e >= 0; e = this.scanner.next(piece, s)) {
      this.emit(piece, s, e);
      s = e;
    }
    if (s < piece.length) this.parts.push(piece.subarray(s));
  }

  end(): void {
    if (this.parts.length === 0) return;
    const rest = Buffer.concat(this.parts);
    this.parts = [];
    if (!this.scanner.inQuote) {
      this.emit(rest, 0, rest.length);
      return;
    }
    const reason = `unclosed quote: this record has no closing '"' before the end of input`;
    if (!this.header) {
      throw new WeftError('E_CSV', `unclosed quote in the header row`, {
        location: { file: this.name, line: this.line, offset: this.offset },
      });
    }
    this.bad.handle(rest, reason, { line: this.line, index: this.index++, offset: this.offset });
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
    const line = this.line;
    this.line = this.scanner.lines + 1;
    if (!this.header) {
      this.header = true;
      this.onHeader(Buffer.from(buf.subarray(s, e)));
    } else {
      this.sink.record(buf, s, e, this.index++, this.offset, line);
    }
    this.offset += e - s;
  }
}
