/**
 * Where splitters send records: bytes [start, end) of `buf`, the record's 0-based `index`
 * (header excluded), its byte `offset` in the input and the 1-based `line` it starts on.
 * Splitters never modify a buffer after passing it on, so a sink may keep views into it.
 */
export interface RecordSink {
  record(buf: Buffer, start: number, end: number, index: number, offset: number, line: number): void;
}

/** How a chunk is framed: `prefix` + records joined by `sep` + `suffix`. */
export interface Framing {
  /** CSV header row, '[' for JSON arrays, or empty. Set once the header has been read. */
  prefix: Buffer;
  /** ',' between JSON array elements, or empty (line records carry their own newline). */
  sep: Buffer;
  /** ']' for JSON arrays, or empty. */
  suffix: Buffer;
}

/** Something that cuts a byte stream into records and feeds them to a sink. */
export interface Splitter {
  /** Takes the next piece of input (any size, any split). */
  push(piece: Buffer): void | Promise<void>;
  /** Input ended: emits or rejects the last partial record. */
  end(): void | Promise<void>;
}

/** Empty buffer, shared. */
export const EMPTY = Buffer.alloc(0);
