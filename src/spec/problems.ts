import { WeftError, type Location } from '../errors.js';

/** Every problem of a spec at once: `describe()` gives one `file:line:col: message` line each. */
export class SpecProblems extends WeftError {
  readonly problems: readonly WeftError[];

  constructor(problems: WeftError[]) {
    super('E_SPEC', problems.map((p) => p.describe()).join('\n'));
    this.name = 'SpecProblems';
    this.problems = problems;
  }
}

/** One spec problem at a place. */
export const problem = (message: string, location?: Location): WeftError =>
  new WeftError('E_SPEC', message, { location });

/** Orders problems by file position (problems without one, e.g. from flags, first). */
export function byPosition(a: WeftError, b: WeftError): number {
  const la = a.location ?? {};
  const lb = b.location ?? {};
  return (la.line ?? 0) - (lb.line ?? 0) || (la.column ?? 0) - (lb.column ?? 0);
}

/** A value as an error message shows it after "got". */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Edit distance where swapping two neighbours counts once (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** The candidate closest to `word`, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}
