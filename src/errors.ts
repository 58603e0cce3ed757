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

/** Turns a Node fs error on `file` into a WeftError a user can read. */
export function fileError(file: string, err: unknown): WeftError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : ((err as Error)?.message ?? String(err));
  return new WeftError(code === 'ENOENT' ? 'E_NO_FILE' : 'E_READ', why, { location: { file }, cause: err });
}
