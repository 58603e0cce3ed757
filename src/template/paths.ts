/** Path transforms behind `{.}`, `{/}`, `{//}`, `{/.}` and the `--plus` forms. */

/** Removes the last extension: `a/b.tar.gz` → `a/b.tar`. */
export const noExt = (s: string): string => s.replace(/\.[^/.]*$/, '');
/** The last path component: `a/b.tar.gz` → `b.tar.gz`. */
export const base = (s: string): string => s.replace(/^.*\//, '');
/** Everything before the last `/`, or `.` when there is none. */
export const dir = (s: string): string => (s.includes('/') ? s.replace(/\/[^/]*$/, '') : '.');

/** Removes `n` extensions. */
export function stripExts(s: string, n: number): string {
  for (let i = 0; i < n; i++) s = noExt(s);
  return s;
}

/** The last `n` extensions without the leading dot: `x.tar.gz`, 2 → `tar.gz`. */
export function exts(s: string, n: number): string {
  const b = base(s);
  const kept = stripExts(b, n);
  return b.length > kept.length ? b.slice(kept.length + 1) : '';
}
