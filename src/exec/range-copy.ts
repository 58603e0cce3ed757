import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { FileRange } from '../chunk/pipepart.js';
import { shellQuote } from '../template/quote.js';

const BASH = ['/bin/bash', '/usr/bin/bash'].find((p) => existsSync(p));
let dd: boolean | undefined;

/**
 * Whether a job can read its file range through GNU dd (bash and coreutils dd present;
 * checked once). Then the bytes go from the file to the job without passing through weft:
 * the copy runs beside the job, as GNU's --pipepart does with a perl helper, instead of in
 * weft's one thread.
 */
export function canCopyRanges(): boolean {
  if (dd === undefined) {
    try {
      const v = execFileSync('dd', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      dd = BASH !== undefined && /coreutils/.test(v);
    } catch {
      dd = false;
    }
  }
  return dd;
}

/**
 * How to start `shell -c command` with stdin from `range`: bash runs dd in a process
 * substitution and execs the job with it as stdin, so the job is still the process weft
 * started (its exit status and signal are its own) and dd is in its process group. A header
 * (`prefix`) is read first from the script's own stdin, which weft writes it to. A range of
 * weft's own stdin (`range.fd`) is passed to the job as fd `fdIndex`.
 */
export function rangeSpawn(
  shell: string,
  command: string,
  range: FileRange,
  fdIndex = 3,
): { file: string; args: string[]; fd?: number } {
  const input = range.fd === undefined ? shellQuote(range.path) : `/dev/fd/${fdIndex}`;
  const copy =
    `dd if=${input} bs=1M iflag=skip_bytes,count_bytes status=none ` +
    `skip=${range.start} count=${range.end - range.start}`;
  const from = range.prefix?.length ? `<(cat; ${copy})` : `<(${copy})`;
  const script = `exec "$0" -c "$1" < ${from}${range.fd === undefined ? '' : ` ${fdIndex}<&-`}`;
  return { file: BASH!, args: ['-c', script, shell, command], fd: range.fd };
}
