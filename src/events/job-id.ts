import { crypto } from '../builtins.js';
import { open } from 'node:fs/promises';
import type { PlannedJob } from '../schedule/scheduler.js';
import type { JobSpec } from '../spec/types.js';

// A job's stable id for the journal is its seq, its offset and contentHash; jobFingerprint
// says which job (command and options) the ids belong to.

/**
 * What must stay the same for a stored output to stand for a job's output: the command and
 * everything that turns a job's input into its command line and environment. Tags, order,
 * aggregation, retries and timeouts may change between a run and its resume.
 */
export function jobFingerprint(spec: JobSpec): string {
  const { command, replace, quoteCommand, grouping, plus, shell, env, cwd } = spec;
  const what = { command, replace, quoteCommand, grouping, plus, shell, env, cwd };
  return crypto()
    .createHash('sha256')
    .update(JSON.stringify({ ...what, header: spec.input.header, pipe: spec.pipe !== undefined }))
    .digest('hex');
}

/**
 * The id of a job's input: sha256 over its arguments and its stdin chunk (for a `--pipepart`
 * range, the bytes of the file it covers). undefined when the input cannot be read again.
 */
export async function contentHash(job: PlannedJob): Promise<string | undefined> {
  const h = crypto().createHash('sha256');
  for (const a of job.args) h.update(`${Buffer.byteLength(a)}:`).update(a);
  h.update('|');
  const stdin = job.stdin;
  if (stdin.kind === 'buffer') h.update(stdin.data);
  else if (stdin.kind === 'range') {
    const { path, start, end, prefix } = stdin.range;
    if (prefix) h.update(prefix);
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(Math.min(1 << 20, Math.max(1, end - start)));
      for (let pos = start; pos < end;) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
        if (bytesRead === 0) return undefined; // the file shrank
        h.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
    } finally {
      await fh.close();
    }
  } else if (stdin.kind !== 'none') return undefined;
  return h.digest('hex');
}
