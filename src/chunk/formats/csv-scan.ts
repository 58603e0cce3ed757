const NO_WORDS: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/**
 * Quote-aware CSV/TSV record boundary scanner. It never builds fields: a newline ends a record
 * when the record so far holds an even number of double quotes (so quoted delimiters, `""`
 * escapes, quoted newlines and CRLF are all kept inside the record). Newlines are found with the
 * native `indexOf`; quotes between them are counted four bytes at a time (SWAR on a Uint32Array
 * view). A quote is treated as a toggle wherever it appears, which is exact for RFC 4180 input;
 * a stray quote inside an unquoted field (which csv-parse rejects too) can make records merge.
 * Records end at LF (so CRLF is kept whole); a bare CR is not a line end.
 */
export class CsvScanner {
  /** 1 while inside a quoted field (an odd number of quotes since the record began). */
  private q = 0;
  /** Newlines seen so far (quoted ones included), for line numbers. */
  lines = 0;
  private viewOf?: Uint8Array;
  private words = NO_WORDS;
  private align = 0;

  /** True when the scan stopped inside a quoted field. */
  get inQuote(): boolean {
    return this.q === 1;
  }

  /** Position just after the next record end at or after `from` in `buf`, or -1 (state carries to the next buffer). */
  next(buf: Uint8Array, from: number): number {
    let i = from;
    let q = this.q;
    for (;;) {
      const nl = buf.indexOf(10, i);
      if (nl < 0) {
        this.q = q ^ (this.quotes(buf, i, buf.length) & 1);
        return -1;
      }
      q ^= this.quotes(buf, i, nl) & 1;
      this.lines++;
      i = nl + 1;
      if (q === 0) {
        this.q = 0;
        return i;
      }
    }
  }

  /** Number of double quotes in buf[s, e). */
  private quotes(b: Uint8Array, s: number, e: number): number {
    if (this.viewOf !== b) {
      this.viewOf = b;
      this.align = (4 - (b.byteOffset & 3)) & 3;
      const n = Math.max(0, (b.length - this.align) >> 2);
      this.words = n > 0 ? new Uint32Array(b.buffer, b.byteOffset + this.align, n) : NO_WORDS;
    }
    const a0 = this.align;
    let k = 0;
    let i = s;
    const ws = i <= a0 ? 0 : (i - a0 + 3) >> 2;
    const we = e < a0 ? -1 : (e - a0) >> 2;
    if (we <= ws) {
      for (; i < e; i++) k += ((b[i] ^ 34) - 1) >>> 31;
      return k;
    }
    const hs = a0 + ws * 4;
    for (; i < hs; i++) k += ((b[i] ^ 34) - 1) >>> 31;
    const w = this.words;
    for (let j = ws; j < we; j++) {
      const y = w[j] ^ 0x22222222;
      // 0x80 in every byte of y that is zero (i.e. was a quote), exactly; then count those bytes.
      const m = ~(((y & 0x7f7f7f7f) + 0x7f7f7f7f) | y | 0x7f7f7f7f);
      k += Math.imul(m >>> 7, 0x01010101) >>> 24;
    }
    for (i = a0 + we * 4; i < e; i++) k += ((b[i] ^ 34) - 1) >>> 31;
    return k;
  }
}

/** Counts the records of a whole CSV buffer (benchmarks and tests): complete ones, plus a trailing partial one. */
export function countCsvRecords(buf: Uint8Array): number {
  const s = new CsvScanner();
  let n = 0;
  let pos = 0;
  for (let e = s.next(buf, 0); e >= 0; e = s.next(buf, e)) {
    n++;
    pos = e;
  }
  return pos < buf.length ? n + 1 : n;
}
