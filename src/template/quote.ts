/**
 * Shell quoting as GNU parallel does it for Bourne shells: words made only of safe
 * characters stay bare, anything else is single-quoted with `'` written as `'"'"'`.
 * Inside single quotes nothing is special to the shell, so no value can run as code.
 */
const SAFE = /^[-_.+a-zA-Z0-9/]+$/;

/** Quotes one value so the shell reads it back as exactly that one word. */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (SAFE.test(value)) return value;
  let q = "'" + value.replaceAll("'", `'"'"'`) + "'";
  // A value starting or ending with `'` leaves a useless '' at the ends.
  if (q.startsWith("''")) q = q.slice(2);
  if (q.endsWith("''") && q.length > 2) q = q.slice(0, -2);
  return q;
}
