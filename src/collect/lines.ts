/** Prefixes every line of `data` with `prefix` (for --tag); `atLineStart` says whether data begins a line. */
export function prefixLines(data: Buffer, prefix: Buffer, atLineStart: boolean): Buffer {
  if (prefix.length === 0 || data.length === 0) return data;
  const parts: Buffer[] = [];
  let start = 0;
  if (atLineStart) parts.push(prefix);
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, start)) {
    parts.push(data.subarray(start, i + 1));
    start = i + 1;
    if (start < data.length) parts.push(prefix);
  }
  if (start < data.length) parts.push(data.subarray(start));
  return Buffer.concat(parts);
}
