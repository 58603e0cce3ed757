import { WeftError } from '../errors.js';
import { decodeRaw } from '../raw-text.js';
import type { InputSource } from '../spec/types.js';

/**
 * Splits the words after the options into the command and its input sources:
 * `::: a b` values, `:::: f g` one source per file, and their `+` (linked) forms.
 */
export function splitCommand(
  words: string[],
  argSep = ':::',
  fileSep = '::::',
): { command: string[]; sources: InputSource[] } {
  const kinds = new Map<string, { file: boolean; link: boolean }>([
    [argSep, { file: false, link: false }],
    [argSep + '+', { file: false, link: true }],
    [fileSep, { file: true, link: false }],
    [fileSep + '+', { file: true, link: true }],
  ]);
  const first = words.findIndex((w) => kinds.has(w));
  if (first < 0) return { command: words, sources: [] };
  const sources: InputSource[] = [];
  let current: { file: boolean; link: boolean } | undefined;
  let values: string[] = [];
  const close = () => {
    if (current && !current.file) sources.push({ kind: 'values', values, link: current.link });
  };
  for (const w of words.slice(first)) {
    const k = kinds.get(w);
    if (k) {
      close();
      current = k;
      values = [];
      continue;
    }
    if (current!.file) {
      // Each file is its own source; after `::::+` every file is linked to the one before.
      sources.push(
        w === '-' ? { kind: 'stdin', link: current!.link } : { kind: 'file', path: w, link: current!.link },
      );
    } else values.push(w);
  }
  close();
  if (words.slice(first).every((w) => kinds.has(w)) && sources.length === 0) {
    throw new WeftError('E_USAGE', `${words[first]} must be followed by arguments or files`);
  }
  return { command: words.slice(0, first), sources };
}

/**
 * Understands the escapes GNU parallel allows in -d: \n \t \r \0 \\, and \xHH for the byte HH
 * (80 to FF as the escape src/raw-text.ts gives such a byte, so it matches input bytes).
 */
export function unescapeDelimiter(d: string): string {
  return d.replace(/\\(x[0-9a-fA-F]{2}|[ntr0\\])/g, (_, e: string) =>
    e[0] === 'x'
      ? decodeRaw(Buffer.from([parseInt(e.slice(1), 16)]))
      : ({ n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\' }[e] ?? e),
  );
}
