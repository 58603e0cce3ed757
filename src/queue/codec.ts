import { crypto } from '../builtins.js';
import { open } from 'node:fs/promises';
import { WeftError } from '../errors.js';
import type { ExecResult, JobStdin } from '../exec/types.js';
import { sign, type SignedKind } from './sign.js';

/** A job as it travels through Redis: everything a worker needs, signed by the producer. */
export interface JobPayload {
  v: 1;
  /** The run's queue and the job's id: the signature binds the job to both, so it cannot be replayed elsewhere. */
  queue: string;
  id: string;
  seq: number;
  /** The producer's job slot ({%} is already expanded in the command). */
  slot: number;
  command: string;
  shell: string;
  /** The spec's `env` (not the producer's whole environment). */
  env: Record<string, string>;
  timeoutMs?: number;
  /** The job's stdin (a pipe-mode chunk), base64; absent when the job reads nothing. */
  stdin?: string;
  /** The run's --max-payload: a worker sends back no more output than this. */
  max: number;
  /** sha256 of the command and stdin: a resumed producer recognises its own job by it. */
  hash: string;
  sig: string;
}

/** How a job ended on a worker, with its whole output: the BullMQ job's return value. */
export interface ResultPayload {
  v: 1;
  id: string;
  exitCode: number;
  signal: number;
  killed?: ExecResult['killed'];
  start: number;
  end: number;
  /** base64 */
  stdout: string;
  stderr: string;
  /** host:pid of the worker that ran it. */
  worker: string;
  sig: string;
}

/** Bytes as people read them: 512 B, 20.0 KiB, 16.0 MiB. */
export function showBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A job's stdin as bytes: a range of a file (--pipepart) is read here, since workers cannot see the file. */
export async function stdinBytes(stdin: JobStdin): Promise<Buffer | undefined> {
  if (stdin.kind === 'none') return undefined;
  if (stdin.kind === 'buffer') return stdin.data;
  if (stdin.kind === 'stream') throw new WeftError('E_USAGE', '--round-robin cannot run on a queue');
  if (stdin.kind === 'live') throw new WeftError('E_INTERNAL', 'a relayed chunk cannot go on a queue');
  const { path, start, end, prefix } = stdin.range;
  const body = Buffer.alloc(Math.max(0, end - start));
  const fh = await open(path, 'r');
  try {
    let at = 0;
    while (at < body.length) {
      const { bytesRead } = await fh.read(body, at, body.length - at, start + at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return prefix?.length ? Buffer.concat([prefix, body]) : body;
}

/** The job's identity across producers: its command and its stdin. */
export function contentHash(command: string, stdin: Buffer | undefined): string {
  const h = crypto().createHash('sha256').update(command).update('\0');
  if (stdin) h.update(stdin);
  return h.digest('hex');
}

/** Refuses a job bigger than --max-payload, before it reaches Redis. */
export function checkPayload(seq: number, command: string, stdin: Buffer | undefined, max: number): void {
  const size = Buffer.byteLength(command) + (stdin?.length ?? 0);
  if (size <= max) return;
  const what = stdin ? 'its chunk' : 'its command line';
  throw new WeftError(
    'E_PAYLOAD',
    `job ${seq}: ${what} is ${showBytes(size)}, above --max-payload ${showBytes(max)}; ` +
      (stdin ? 'cut smaller chunks (--block, --records) or raise --max-payload' : 'raise --max-payload'),
  );
}

/** Adds the signature to a job or a result. */
export function signed<T extends { sig: string }>(secret: string, kind: SignedKind, body: Omit<T, 'sig'>): T {
  return { ...body, sig: sign(secret, kind, body) } as T;
}

/** Decodes base64 output (a missing field is no output). */
export const fromBase64 = (s: unknown): Buffer =>
  typeof s === 'string' && s !== '' ? Buffer.from(s, 'base64') : Buffer.alloc(0);
