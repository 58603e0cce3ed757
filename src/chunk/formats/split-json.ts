import { WeftError } from '../../errors.js';
import { JsonArrayScanner, isBlank } from './json-scan.js';
import type { JsonVerifier } from './json-verify.js';
import type { RecordSink, Splitter } from './record.js';

/** Names the first byte of a non-array top-level value for the error message. */
function describe(c: number): string {
  if (c === 0x7b) return 'an object';
  if (c === 0x22) return 'a string';
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return 'a number';
  if (c === 0x74 || c === 0x66) return 'a boolean';
  if (c === 0x6e) return 'null';
  return `'${String.fromCharCode(c)}'`;
}

/**
 * Bytes the verifier must have been fed past a record's end before the record is passed on: it
 * may hold back up to 16 characters (a literal waiting for its boundary) before complaining.
 */
const SETTLED = 128;

/** A record waiting for the verifier to get past it. */
interface Held {
  buf: Buffer;
  s: number;
  e: number;
  index: number;
  offset: number;
  line: number;
  end: number;
}

/**
 * Elements of a top-level JSON array, streamed: each piece is first checked by the stream-json
 * verifier, then cut at depth-1 commas by the byte scanner. A record is the exact bytes between
 * '[' / ',' and ',' / ']' (surrounding whitespace included), so chunks reassemble exactly. A record
 * is passed on only once the verifier has checked past it, so no chunk ever holds invalid JSON.
 */
export class JsonSplitter implements Splitter {
  private readonly scanner = new JsonArrayScanner();
  private parts: Buffer[] = [];
  private index = 0;
  private recOffset = 0;
  private recLine = 1;
  private held: Held[] = [];

  constructor(
    private readonly sink: RecordSink,
    private readonly verifier: JsonVerifier,
    private readonly name: string,
    private offset = 0,
  ) {}

  async push(piece: Buffer): Promise<void> {
    await this.verifier.feed(piece);
    const sc = this.scanner;
    let s = 0;
    for (let p = sc.next(piece, 0); p !== -1; p = sc.next(piece, s)) {
      if (p === -2) throw this.notArray();
      if (sc.mark !== 'open' && (sc.mark === 'sep' || this.index > 0 || !this.blank(piece, s, p))) {
        this.emit(piece, s, p);
      }
      this.parts = [];
      s = p + 1;
      this.recOffset = this.offset + s;
      this.recLine = sc.lines + 1;
    }
    if (sc.inside && s < piece.length) this.parts.push(piece.subarray(s));
    this.offset += piece.length;
    this.release(false);
  }

  async end(): Promise<void> {
    if (this.scanner.before) return; // empty or blank input: no records, no error
    await this.verifier.end();
    this.release(true);
    if (this.scanner.inside) {
      // The verifier normally reports this first, with a position.
      throw new WeftError('E_JSON', 'invalid JSON: unexpected end of input (the array is not closed)', {
        location: { file: this.name, offset: this.offset },
      });
    }
  }

  private emit(piece: Buffer, s: number, e: number): void {
    let buf = piece;
    if (this.parts.length) {
      this.parts.push(piece.subarray(s, e));
      buf = Buffer.concat(this.parts);
      s = 0;
      e = buf.length;
    }
    const end = this.recOffset + (e - s);
    this.held.push({ buf, s, e, index: this.index++, offset: this.recOffset, line: this.recLine, end });
  }

  /** Passes on the held records the verifier has got past (all of them once input has ended). */
  private release(all: boolean): void {
    let k = 0;
    for (; k < this.held.length; k++) {
      const r = this.held[k];
      if (!all && r.end + SETTLED > this.offset) break;
      this.sink.record(r.buf, r.s, r.e, r.index, r.offset, r.line);
    }
    if (k > 0) this.held.splice(0, k);
  }

  private blank(piece: Buffer, s: number, e: number): boolean {
    return this.parts.every((b) => isBlank(b, 0, b.length)) && isBlank(piece, s, e);
  }

  private notArray(): WeftError {
    const what = describe(this.scanner.found);
    return new WeftError(
      'E_JSON',
      `--format json needs a top-level array, but the input is ${what}; use --format ndjson for one JSON value per line`,
      {
        location: {
          file: this.name,
          line: this.scanner.lines + 1,
          offset: this.offset + this.scanner.foundAt,
        },
      },
    );
  }
}
