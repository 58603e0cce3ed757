/** What the last `next()` stopped at: the array's '[', a ',' between elements, or the closing ']'. */
export type JsonMark = 'open' | 'sep' | 'close';

const BEFORE = 0;
const INSIDE = 1;
const AFTER = 2;

/**
 * Finds the element boundaries of a top-level JSON array in raw bytes: tracks string/escape state
 * and bracket depth only, so it costs one pass and no allocation. It assumes valid JSON (the
 * stream-json verifier checks the same bytes first) and stops caring after the closing ']'.
 */
export class JsonArrayScanner {
  private state = BEFORE;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Newlines seen so far (outside strings: JSON strings cannot hold raw newlines). */
  lines = 0;
  /** Kind of the position the last `next()` returned. */
  mark: JsonMark = 'open';
  /**
   * The first non-blank byte and its position, when the input is not an array (`next()`
   * returned -2); or where a raw control character sits inside a string (-3).
   */
  found = 0;
  foundAt = 0;
  /** Where the last newline of the current piece is, or -1 (see `newPiece`). */
  newline = -1;

  /** A new piece begins: positions are counted from its start. */
  newPiece(): void {
    this.newline = -1;
  }

  /** True between the opening '[' and the closing ']'. */
  get inside(): boolean {
    return this.state === INSIDE;
  }

  /** True before the opening '['. */
  get before(): boolean {
    return this.state === BEFORE;
  }

  /** True after the closing ']'. */
  get after(): boolean {
    return this.state === AFTER;
  }

  /**
   * Position of the next '[', element-separating ',' or closing ']' at or after `from`; -1 if
   * none, -2 if not an array, -3 at a raw control character inside a string (invalid JSON).
   */
  next(b: Uint8Array, from: number): number {
    const n = b.length;
    let i = from;
    if (this.state === BEFORE) {
      for (; i < n; i++) {
        const c = b[i];
        if (c === 0x0a) {
          this.lines++;
          this.newline = i;
        } else if (c === 0x5b) {
          this.state = INSIDE;
          this.depth = 1;
          this.mark = 'open';
          return i;
        } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) {
          this.found = c;
          this.foundAt = i;
          return -2;
        }
      }
      return -1;
    }
    if (this.state === AFTER) return -1;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let found = -1;
    for (; i < n; i++) {
      if (inString) {
        for (; i < n; i++) {
          const d = b[i];
          if (d < 0x20) {
            // JSON strings cannot hold these: stop here rather than read on to the end.
            this.foundAt = i;
            found = -3;
            break;
          }
          if (escaped) escaped = false;
          else if (d === 0x5c) escaped = true;
          else if (d === 0x22) {
            inString = false;
            break;
          }
        }
        if (found === -3) break;
        continue;
      }
      const c = b[i];
      if (c === 0x22) inString = true;
      else if (c === 0x5b || c === 0x7b) depth++;
      else if (c === 0x5d || c === 0x7d) {
        if (--depth === 0) {
          this.state = AFTER;
          this.mark = 'close';
          found = i;
          break;
        }
      } else if (c === 0x2c) {
        if (depth === 1) {
          this.mark = 'sep';
          found = i;
          break;
        }
      } else if (c === 0x0a) {
        this.lines++;
        this.newline = i;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return found;
  }
}

/** True if b[s, e) holds only JSON whitespace. */
export function isBlank(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}
