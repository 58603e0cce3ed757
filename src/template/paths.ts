/** Path transforms behind `{.}`, `{/}`, `{//}`, `{/.}` and the `--plus` forms. */

/** Removes the last extension: `a/b.tar.gz` → `a/b.tar`. */
export const noExt = (s: string): string => s.replace(/\.[^/.]*$/, '');
/** The last path component: `a/b.tar.gz` → `b.tar.gz`. */
export const base = (s: string): string => s.replace(/^.*\//, '');
/** POSIX dirname (GNU uses Perl's File::Basename): `/x` → `/`, `a/b/` → `a`, `a` → `.`. */
export function dir(s: string): string {
  const t = s.replace(/\/+$/, '');
  if (t === '') return s.startsWith('/') ? '/' : '.';
  const i = t.lastIndexOf('/');
  if (i < 0) return '.';
  return t.slice(0, i).replace(/\/+$/, '') || '/';
}

const extRe = (n: number) => new RegExp(`(?:\\.[^/.]+){${n}}$`);

/** Removes exactly `n` extensions, or nothing when there are fewer (GNU's `{..}`). */
export function stripExts(s: string, n: number): string {
  return s.replace(extRe(n), '');
}

/** The last `n` extensions without the leading dot, or '' when there are fewer: `x.tar.gz`, 2 → `tar.gz`. */
export function exts(s: string, n: number): string {
  const m = extRe(n).exec(s);
  return m ? m[0].slice(1) : '';
}
