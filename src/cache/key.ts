import type { Hash } from 'node:crypto';
import { crypto } from '../builtins.js';
import { open } from 'node:fs/promises';
import type { JobStdin } from '../exec/types.js';

/** Bumped when what goes into a key changes, so old cache entries are never misread. */
const VERSION = 'weft-job-v1';

function field(h: Hash, tag: string, data: string | Buffer): void {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  // Tag and length before each part: no two different inputs hash the same bytes.
  h.update(`${tag}:${b.length}:`);
  h.update(b);
}

async function hashRange(h: Hash, path: string, start: number, end: number): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(1, end - start)));
    for (let pos = start; pos < end;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/**
 * The identity of a job's result: sha256 over the expanded command line, the job's stdin (a
 * chunk, or a file range read back) and the values of the named environment variables (an
 * unset variable differs from an empty one). Hex.
 */
export async function jobKey(
  command: string,
  stdin: JobStdin,
  env: readonly (readonly [string, string | undefined])[],
): Promise<string> {
  const h = crypto().createHash('sha256');
  h.update(VERSION);
  field(h, 'cmd', command);
  if (stdin.kind === 'buffer') field(h, 'stdin', stdin.data);
  else if (stdin.kind === 'range') {
    const { path, start, end, prefix } = stdin.range;
    const p = prefix ?? Buffer.alloc(0);
    h.update(`range:${p.length + end - start}:`);
    h.update(p);
    await hashRange(h, path, start, end);
  } else h.update('nostdin');
  for (const [name, value] of env) {
    if (value === undefined) field(h, 'unset', name);
    else {
      field(h, 'env', name);
      field(h, 'val', value);
    }
  }
  return h.digest('hex');
}
