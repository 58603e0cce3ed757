/**
 * Recognises a command line that is nothing but plain words — bare safe characters and
 * single-quoted strings, as weft's own quoting produces — and returns its argv. Such a
 * line means the same to bash whether bash parses it or weft does, so the slot shell can
 * run it without starting another shell. Anything else (variables, globs, redirections,
 * pipes, keywords, assignments) returns undefined and goes through `$SHELL -c`.
 */
const SAFE = /[A-Za-z0-9_\-.,:+/@%=]/;
const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  'function',
  'select',
  'time',
  'coproc',
  'in',
]);

/** The argv of a plain command line, or undefined when it needs a real shell parse. */
export function simpleArgv(line: string): string[] | undefined {
  const words: string[] = [];
  let cur: string | undefined;
  for (let i = 0; i < line.length;) {
    const c = line[i];
    if (c === ' ') {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
      i++;
    } else if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) return undefined;
      cur = (cur ?? '') + line.slice(i + 1, j);
      i = j + 1;
    } else if (line.startsWith(`"'"`, i)) {
      cur = (cur ?? '') + "'";
      i += 3;
    } else if (SAFE.test(c)) {
      cur = (cur ?? '') + c;
      i++;
    } else return undefined;
  }
  if (cur !== undefined) words.push(cur);
  if (words.length === 0 || words[0].includes('=') || KEYWORDS.has(words[0])) return undefined;
  return words;
}
