/** Which stream a piece of output went to. */
export type Stream = 1 | 2;

/** A job's final result as weft keeps it for reuse: enough to replay the job exactly. */
export interface StoredResult {
  exitCode: number;
  signal: number;
  /** The output in the order it arrived, stdout (1) and stderr (2) interleaved. */
  parts: [Stream, Buffer][];
  durationMs: number;
  /** Epoch milliseconds the job ended. */
  createdAt: number;
  command: string;
}

interface Header {
  format: 'weft-cache';
  version: 1;
  exitCode: number;
  signal: number;
  durationMs: number;
  createdAt: number;
  command: string;
  /** Stream and byte length of each part; the bytes follow the header line. */
  parts: [Stream, number][];
}

/** Joins neighbouring pieces of the same stream (fewer, larger parts; same bytes, same order). */
export function mergeParts(parts: readonly [Stream, Buffer][]): [Stream, Buffer][] {
  const out: [Stream, Buffer[]][] = [];
  for (const [s, b] of parts) {
    if (b.length === 0) continue;
    const last = out.at(-1);
    if (last && last[0] === s) last[1].push(b);
    else out.push([s, [b]]);
  }
  return out.map(([s, bs]) => [s, bs.length === 1 ? bs[0] : Buffer.concat(bs)]);
}

/** One cache file: a JSON header line, then the output bytes. */
export function encodeEntry(r: StoredResult): Buffer {
  const parts = mergeParts(r.parts);
  const header: Header = {
    format: 'weft-cache',
    version: 1,
    exitCode: r.exitCode,
    signal: r.signal,
    durationMs: r.durationMs,
    createdAt: r.createdAt,
    command: r.command,
    parts: parts.map(([s, b]) => [s, b.length]),
  };
  return Buffer.concat([Buffer.from(JSON.stringify(header) + '\n'), ...parts.map(([, b]) => b)]);
}

/** Reads a cache file back; undefined when it is not one (cut short, another format). */
export function decodeEntry(data: Buffer): StoredResult | undefined {
  const nl = data.indexOf(10);
  if (nl < 0) return undefined;
  let h: Header;
  try {
    h = JSON.parse(data.subarray(0, nl).toString('utf8')) as Header;
  } catch {
    return undefined;
  }
  if (h?.format !== 'weft-cache' || h.version !== 1 || !Array.isArray(h.parts)) return undefined;
  const parts: [Stream, Buffer][] = [];
  let pos = nl + 1;
  for (const [s, len] of h.parts) {
    if ((s !== 1 && s !== 2) || !Number.isInteger(len) || len < 0 || pos + len > data.length)
      return undefined;
    parts.push([s, data.subarray(pos, pos + len)]);
    pos += len;
  }
  if (pos !== data.length) return undefined;
  return {
    exitCode: h.exitCode,
    signal: h.signal,
    parts,
    durationMs: h.durationMs,
    createdAt: h.createdAt,
    command: h.command,
  };
}
