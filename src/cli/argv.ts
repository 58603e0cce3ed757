import { readFileSync } from 'node:fs';
import { decodeRaw } from '../raw-text.js';

/**
 * The command-line words with bytes that are not UTF-8 kept (as decodeRaw escapes). Node
 * decodes argv as UTF-8 and turns such bytes into U+FFFD; when a word has one, the words are
 * read again from /proc/self/cmdline (Linux), whose last entries are the same words as bytes.
 * If that file is missing or does not match word for word, `words` are used as they are.
 */
export function rawArgv(words: string[], cmdline = '/proc/self/cmdline'): string[] {
  if (!words.some((w) => w.includes('\uFFFD'))) return words;
  try {
    const raw = readFileSync(cmdline);
    const entries: Buffer[] = [];
    for (let s = 0, e = raw.indexOf(0); e >= 0; s = e + 1, e = raw.indexOf(0, s)) {
      entries.push(raw.subarray(s, e));
    }
    const tail = entries.slice(entries.length - words.length);
    if (tail.length !== words.length || tail.some((b, i) => b.toString('utf8') !== words[i])) return words;
    return tail.map(decodeRaw);
  } catch {
    return words;
  }
}
