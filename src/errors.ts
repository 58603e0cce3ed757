/** Where a problem is: a file with optional line/column, a record number or a byte offset. */
export interface Location {
  file?: string;
  line?: number;
  column?: number;
  record?: number;
  offset?: number;
}

/** Stable error codes; the CLI maps every WeftError to exit status 255. */
export type WeftErrorCode =
  | 'E_USAGE'
  | 'E_OPTION'
  | 'E_NO_FILE'
  | 'E_READ'
  | 'E_CSV'
  | 'E_JSON'
  | 'E_RECORD'
  | 'E_INPUT'
  | 'E_TEMPLATE'
  | 'E_JOBLOG'
  | 'E_JOURNAL'
  | 'E_RESULTS'
  | 'E_AGGREGATE'
  | 'E_SHUFFLE'
  | 'E_SPILL'
  | 'E_EVENTS'
  | 'E_SPEC'
  | 'E_JS'
  | 'E_CACHE'
  | 'E_QUEUE'
  | 'E_PAYLOAD'
  | 'E_INTERNAL';

/** The one error type weft throws for problems a user can act on. */
export class WeftError extends Error {
  readonly code: WeftErrorCode;
  readonly exitCode = 255;
  readonly location?: Location;

  constructor(code: WeftErrorCode, message: string, options: { location?: Location; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeftError';
    this.code = code;
    this.location = options.location;
  }

  /** `file:line:col: message`, or just the message when there is no location. */
  describe(): string {
    const l = this.location;
    if (!l?.file) return this.message;
    let where = l.file;
    if (l.line !== undefined) where += `:${l.line}`;
    if (l.line !== undefined && l.column !== undefined) where += `:${l.column}`;
    if (l.line === undefined && l.record !== undefined) where += `: record ${l.record}`;
    return `${where}: ${this.message}`;
  }
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
};

/** What a Node fs error means, in a few words: "no such file", "i/o error (EIO)". */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const message = (err as Error)?.message ?? String(err);
  if (code && FILE_PROBLEMS[code]) return FILE_PROBLEMS[code];
  // Node's "EIO: i/o error, read" reads better as "i/o error (EIO)".
  return code ? `${message.replace(/^[A-Z0-9]+: /, '').replace(/, \w+( '.*')?$/, '')} (${code})` : message;
}

/** Turns a Node fs error on `file` into a WeftError a user can read. */
export function fileError(file: string, err: unknown): WeftError {
  const code = (err as NodeJS.ErrnoException)?.code;
  return new WeftError(code === 'ENOENT' ? 'E_NO_FILE' : 'E_READ', fsReason(err), {
    location: { file },
    cause: err,
  });
}
