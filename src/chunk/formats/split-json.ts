import { WeftError } from '../../errors.js';
import { jsonErrorAt } from './json-check.js';
import { JsonArrayScanner, isBlank } from './json-scan.js';
import { JsonVerifier } from './json-verify.js';
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

/** A complete element, not yet checked. */
interface Held {
  buf: Buffer;
  s: number;
  e: number;
  index: number;
  offset: number;
  line: number;
  /** Byte offset in the input where the element's first line starts (for columns). */
  lineStart: number;
  /** What ends it: ',' or ']'. */
  sep: number;
}

/**
 * Elements of a top-level JSON array, streamed: the byte scanner cuts the input at depth-1
 * commas (tracking strings, escapes and depth only), and the elements of each piece are
 * checked by a byte-level validator (json-check.ts) before any is passed on, so no chunk ever
 * holds invalid JSON. A record is the exact bytes between '[' / ',' and ',' / ']' (surrounding whitespace
 * included), so chunks reassemble exactly. Only when a check fails is the bad element run
 * through stream-json's verifier, which says where: line, column (in bytes) and byte offset.
 */
export class JsonSplitter implements Splitter {
  private readonly scanner = new JsonArrayScanner();
  private parts: Buffer[] = [];
  private index = 0;
  private recOffset = 0;
  private recLine = 1;
  private recLineStart = 0;
  /** Where the current line starts (byte offset in the input). */
  private lineStart = 0;
  private held: Held[] = [];
  /** After the closing ']': the first byte that is not whitespace, if any. */
  private garbage?: { offset: number; line: number; lineStart: number };

  constructor(
    private readonly sink: RecordSink,
    private readonly name: string,
    private offset = 0,
  ) {
    this.recOffset = offset;
    this.lineStart = offset;
    this.recLineStart = offset;
  }

  async push(piece: Buffer): Promise<void> {
    const sc = this.scanner;
    sc.newPiece();
    let s = 0;
    for (let p = sc.next(piece, 0); p !== -1; p = sc.next(piece, s)) {
      if (p === -2) throw this.notArray();
      if (p === -3) {
        await this.check();
        await this.badString(piece, s);
      }
      if (sc.newline >= 0) this.lineStart = this.offset + sc.newline + 1;
      if (sc.mark !== 'open' && (sc.mark === 'sep' || this.index > 0 || !this.blank(piece, s, p))) {
        this.hold(piece, s, p);
      }
      this.parts = [];
      s = p + 1;
      this.recOffset = this.offset + s;
      this.recLine = sc.lines + 1;
      this.recLineStart = this.lineStart;
      if (sc.mark === 'close') this.trailing(piece, s);
    }
    if (sc.newline >= 0) this.lineStart = this.offset + sc.newline + 1;
    if (sc.inside && s < piece.length) this.parts.push(piece.subarray(s));
    else if (sc.after && s === 0) this.trailing(piece, 0);
    this.offset += piece.length;
    await this.check();
    if (this.garbage) throw this.afterArray();
  }

  async end(): Promise<void> {
    if (this.scanner.before) return; // empty or blank input: no records, no error
    await this.check();
    if (this.scanner.inside) {
      const text = Buffer.concat(this.parts);
      await this.locate(text, this.recOffset, this.recLine, this.recLineStart);
      throw new WeftError('E_JSON', 'invalid JSON: unexpected end of input (the array is not closed)', {
        location: { file: this.name, offset: this.offset },
      });
    }
  }

  private hold(piece: Buffer, s: number, e: number): void {
    let buf = piece;
    if (this.parts.length) {
      this.parts.push(piece.subarray(s, e));
      buf = Buffer.concat(this.parts);
      s = 0;
      e = buf.length;
    }
    this.held.push({
      buf,
      s,
      e,
      index: this.index++,
      offset: this.recOffset,
      line: this.recLine,
      lineStart: this.recLineStart,
      sep: this.scanner.mark === 'close' ? 0x5d : 0x2c,
    });
  }

  /** Checks the held elements (a byte-level check, no values built), then passes them on. */
  private async check(): Promise<void> {
    if (this.held.length === 0) return;
    if (this.held.some((h) => jsonErrorAt(h.buf, h.s, h.e) >= 0)) await this.findBad();
    for (const r of this.held) this.sink.record(r.buf, r.s, r.e, r.index, r.offset, r.line);
    this.held = [];
  }

  /** One held element is not valid JSON: throws a located error for the first such. */
  private async findBad(): Promise<void> {
    for (const h of this.held) {
      if (jsonErrorAt(h.buf, h.s, h.e) < 0) continue;
      if (isBlank(h.buf, h.s, h.e)) throw this.missing(h);
      const text = Buffer.concat([h.buf.subarray(h.s, h.e), Buffer.from([h.sep])]);
      await this.locate(text, h.offset, h.line, h.lineStart);
      throw new WeftError('E_JSON', 'invalid JSON', {
        location: { file: this.name, line: h.line, offset: h.offset },
      });
    }
  }

  /**
   * Runs `text` (an element and what ends it) through the verifier as '[' + text, and throws
   * what it finds, placed in the input: `offset`, `line` and `lineStart` are the element's.
   */
  private async locate(text: Buffer, offset: number, line: number, lineStart: number): Promise<void> {
    const verifier = await JsonVerifier.create(this.name, offset - 1);
    try {
      await verifier.feed(Buffer.concat([Buffer.from('['), text]));
      await verifier.end();
    } catch (err) {
      if (!(err instanceof WeftError)) throw err;
      const at = err.location ?? {};
      const where = at.offset ?? offset;
      // The verifier counts lines from the element's '['; columns are counted in bytes here.
      const errLine = line + (at.line ?? 1) - 1;
      const nl = where > offset ? text.lastIndexOf(10, where - offset - 1) : -1;
      const start = nl >= 0 ? offset + nl + 1 : lineStart;
      throw new WeftError('E_JSON', err.message, {
        location: { file: this.name, line: errLine, column: where - start + 1, offset: where },
        cause: err,
      });
    }
  }

  /** An element that is only whitespace (`[1,,2]`, `[1,]`): the error is at what ends it. */
  private missing(h: Held): WeftError {
    const nl = h.buf.subarray(h.s, h.e).lastIndexOf(10);
    const lines = h.buf.subarray(h.s, h.e).filter((c) => c === 10).length;
    const at = h.offset + (h.e - h.s);
    const lineStart = nl >= 0 ? h.offset + nl + 1 : h.lineStart;
    const sep = String.fromCharCode(h.sep);
    return new WeftError('E_JSON', `invalid JSON: expected a value before '${sep}'`, {
      location: { file: this.name, line: h.line + lines, column: at - lineStart + 1, offset: at },
    });
  }

  /** Notes the first non-blank byte after the closing ']'. */
  private trailing(piece: Buffer, from: number): void {
    if (this.garbage) return;
    let lines = this.scanner.lines;
    let lineStart = this.lineStart;
    for (let i = from; i < piece.length; i++) {
      const c = piece[i];
      if (c === 0x0a) {
        lines++;
        lineStart = this.offset + i + 1;
      } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) {
        this.garbage = { offset: this.offset + i, line: lines + 1, lineStart };
        return;
      }
    }
    this.scanner.lines = lines;
    this.lineStart = lineStart;
  }

  /** A raw control character inside a string (an unterminated string, usually). */
  private async badString(piece: Buffer, s: number): Promise<never> {
    const at = this.scanner.foundAt;
    const text = Buffer.concat([...this.parts, piece.subarray(s, at + 1)]);
    await this.locate(text, this.recOffset, this.recLine, this.recLineStart);
    throw new WeftError('E_JSON', 'invalid JSON: a control character inside a string', {
      location: { file: this.name, offset: this.offset + at },
    });
  }

  private blank(piece: Buffer, s: number, e: number): boolean {
    return this.parts.every((b) => isBlank(b, 0, b.length)) && isBlank(piece, s, e);
  }

  private afterArray(): WeftError {
    const g = this.garbage!;
    return new WeftError('E_JSON', 'invalid JSON: unexpected data after the array', {
      location: { file: this.name, line: g.line, column: g.offset - g.lineStart + 1, offset: g.offset },
    });
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
