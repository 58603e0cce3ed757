// Byte-level JSON validation without building values: much faster than JSON.parse for the
// one question the JSON splitter asks ("is this valid?"), and it says where it is not.

const ARRAY = 1;
const OBJECT = 2;

/** JSON whitespace: space, tab, LF, CR. */
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** The end of the string that starts with the quote at `i`, just past its closing quote; or -(error position) - 1. */
function string(b: Uint8Array, i: number, e: number): number {
  for (i++; i < e; i++) {
    const c = b[i];
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const d = b[++i];
      if (d === 0x75) {
        if (i + 4 >= e || !isHex(b[i + 1]) || !isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4]))
          return -i - 1;
        i += 4;
      } else if (
        d !== 0x22 &&
        d !== 0x5c &&
        d !== 0x2f &&
        d !== 0x62 &&
        d !== 0x66 &&
        d !== 0x6e &&
        d !== 0x72 &&
        d !== 0x74
      ) {
        return -i - 1;
      }
    } else if (c < 0x20) return -i - 1;
  }
  return -e - 1;
}

/** The end of the number that starts at `i`; or -(error position) - 1. */
function number(b: Uint8Array, i: number, e: number): number {
  if (b[i] === 0x2d) i++;
  if (i >= e || !isDigit(b[i])) return -i - 1;
  if (b[i] === 0x30) i++;
  else while (i < e && isDigit(b[i])) i++;
  if (i < e && b[i] === 0x2e) {
    i++;
    if (i >= e || !isDigit(b[i])) return -i - 1;
    while (i < e && isDigit(b[i])) i++;
  }
  if (i < e && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    if (i >= e || !isDigit(b[i])) return -i - 1;
    while (i < e && isDigit(b[i])) i++;
  }
  return i;
}

/** The end of the literal `word` (true, false, null) at `i`; or -(error position) - 1. */
function literal(b: Uint8Array, i: number, e: number, word: readonly number[]): number {
  for (let k = 0; k < word.length; k++, i++) if (i >= e || b[i] !== word[k]) return -i - 1;
  return i;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/**
 * Checks that b[s, e) is one or more JSON values separated by commas (the inside of an array:
 * `v1, v2, …`), with any whitespace around them. Returns -1 when it is, else the position of
 * the first byte where it stops being valid (`e` when it ends too soon).
 */
export function checkJsonValues(b: Uint8Array, s: number, e: number): number {
  const stack: number[] = [];
  let i = s;
  // Expecting a value (true), or what may follow one (false).
  let value = true;
  for (;;) {
    while (i < e && isSpace(b[i])) i++;
    if (i >= e) return value || stack.length ? e : -1;
    const c = b[i];
    if (value) {
      let end: number;
      if (c === 0x22) end = string(b, i, e);
      else if (c === 0x2d || isDigit(c)) end = number(b, i, e);
      else if (c === 0x7b || c === 0x5b) {
        stack.push(c === 0x7b ? OBJECT : ARRAY);
        i++;
        while (i < e && isSpace(b[i])) i++;
        // An empty container closes at once; an object's first member starts with its key.
        if (i < e && b[i] === (c === 0x7b ? 0x7d : 0x5d)) {
          stack.pop();
          i++;
          value = false;
        } else if (c === 0x7b) {
          if (i >= e || b[i] !== 0x22) return i;
          end = string(b, i, e);
          if (end < 0) return -end - 1;
          i = end;
          while (i < e && isSpace(b[i])) i++;
          if (i >= e || b[i] !== 0x3a) return i;
          i++;
        }
        continue;
      } else if (c === 0x74) end = literal(b, i, e, TRUE);
      else if (c === 0x66) end = literal(b, i, e, FALSE);
      else if (c === 0x6e) end = literal(b, i, e, NULL);
      else return i;
      if (end < 0) return -end - 1;
      i = end;
      value = false;
      continue;
    }
    const top = stack.length ? stack[stack.length - 1] : 0;
    if (c === 0x2c) {
      i++;
      value = true;
      if (top === OBJECT) {
        while (i < e && isSpace(b[i])) i++;
        if (i >= e || b[i] !== 0x22) return i;
        const end = string(b, i, e);
        if (end < 0) return -end - 1;
        i = end;
        while (i < e && isSpace(b[i])) i++;
        if (i >= e || b[i] !== 0x3a) return i;
        i++;
      }
    } else if ((c === 0x5d && top === ARRAY) || (c === 0x7d && top === OBJECT)) {
      stack.pop();
      i++;
    } else return i;
  }
}
