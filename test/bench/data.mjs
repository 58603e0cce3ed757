// Generated inputs for the pipe-mode benchmarks: an application log (one ~100-byte line per
// request) and a CSV with quoted fields (commas, doubled quotes, newlines inside quotes).
// A few MB of distinct records are generated once and repeated up to the size asked for, so
// generating is much faster than anything measured with it.
//
//   node test/bench/data.mjs log BYTES    writes BYTES of log lines to stdout (a stream of
//                                         any size for the peak-RSS benchmark)
import { closeSync, openSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LEVELS = ['INFO', 'WARN', 'DEBUG', 'ERROR'];

/** About `bytes` of log lines, ending at a line end. */
function logBlock(bytes) {
  const lines = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const t = `${String(((i / 60000) % 60) | 0).padStart(2, '0')}:${String(((i / 1000) % 60) | 0).padStart(2, '0')}`;
    const line =
      `2026-11-23T10:${t}.${String(i % 1000).padStart(3, '0')}Z ${LEVELS[i % 4]} [worker-${i % 17}] ` +
      `request id=${((i * 2654435761) >>> 0).toString(16)} path=/api/v1/items/${i % 99991} ` +
      `status=${i % 13 ? 200 : 500} ms=${i % 250}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(''));
}

const CSV_HEADER = 'id,name,comment,amount,created\n';

/** About `bytes` of CSV rows (no header), ending at a row end; every 7th comment spans lines. */
function csvBlock(bytes) {
  const rows = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const comment =
      i % 7 === 0
        ? `"line one of ${i}\nline two, with a comma"`
        : i % 5 === 0
          ? `"said ""hello"", then left"`
          : `plain comment ${i % 1000}`;
    const row = `${i},"Name ${i % 4099}, Jr.",${comment},${(i * 37) % 100000}.${i % 100},2026-11-${String((i % 28) + 1).padStart(2, '0')}\n`;
    rows.push(row);
    size += row.length;
  }
  return Buffer.from(rows.join(''));
}

/** writeSync that waits out EAGAIN (a non-blocking pipe that is full). */
function write(fd, buf, off) {
  for (;;) {
    try {
      return writeSync(fd, buf, off);
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

const newlines = (buf) => {
  let n = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
  return n;
};

/**
 * Writes `block` repeatedly to `fd` until `bytes` are written, the last copy cut at a line
 * end; returns the number of lines (newlines) written.
 */
function repeat(fd, block, bytes, rowStart = () => true) {
  let left = bytes;
  let lines = 0;
  const perBlock = newlines(block);
  while (left > 0) {
    let piece = block;
    if (piece.length > left) {
      // The last line end at or before `left` that ends a record.
      let end = piece.lastIndexOf(10, left - 1);
      while (end >= 0 && !rowStart(piece, end + 1)) end = piece.lastIndexOf(10, end - 1);
      piece = piece.subarray(0, end + 1);
      if (piece.length === 0) break;
    }
    for (let off = 0; off < piece.length;) off += write(fd, piece, off);
    lines += piece === block ? perBlock : newlines(piece);
    left -= piece.length;
  }
  return lines;
}

/** Writes a log file of about `bytes`; returns its number of lines. */
export function writeLog(file, bytes) {
  const fd = openSync(file, 'w');
  try {
    return repeat(fd, logBlock(Math.min(bytes, 4 << 20)), bytes);
  } finally {
    closeSync(fd);
  }
}

/** About `bytes` of JSON array elements (objects, one per line, each followed by a comma). */
function jsonBlock(bytes) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const e =
      JSON.stringify({
        id: i,
        user: `user ${i % 4099}`,
        email: `u${i}@example.com`,
        tags: ['a', 'b', i % 7 ? 'c' : 'd'],
        score: i * 1.5,
        active: i % 2 === 0,
        address: { city: i % 3 ? 'Zürich' : 'Genève', zip: String(8000 + (i % 100)) },
        note: i % 5 ? null : 'said "hi", left',
      }) + ',\n';
    parts.push(e);
    size += Buffer.byteLength(e);
  }
  return Buffer.from(parts.join(''));
}

/** Writes a JSON array file of about `bytes`: one object per line. */
export function writeJson(file, bytes) {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, '[\n');
    // Every repeated block ends with ",\n"; the array closes with one last element.
    repeat(fd, jsonBlock(Math.min(bytes, 4 << 20)), bytes - 16);
    writeSync(fd, '{"id":-1}\n]\n');
  } finally {
    closeSync(fd);
  }
}

/** Writes a CSV file of about `bytes`, with a header row. */
export function writeCsv(file, bytes) {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, CSV_HEADER);
    // A row starts with its id: a newline followed by a letter is inside a quoted field.
    const digit = (buf, i) => i >= buf.length || (buf[i] >= 48 && buf[i] <= 57);
    repeat(fd, csvBlock(Math.min(bytes, 4 << 20)), bytes - CSV_HEADER.length, digit);
  } finally {
    closeSync(fd);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind, bytes] = process.argv.slice(2);
  if (kind !== 'log' || !(Number(bytes) > 0)) {
    console.error('usage: node test/bench/data.mjs log BYTES');
    process.exit(2);
  }
  repeat(1, logBlock(4 << 20), Number(bytes));
}
