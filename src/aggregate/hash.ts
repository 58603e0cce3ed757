/**
 * The partition of a key: 32-bit FNV-1a of its bytes modulo the partition count. Stable across
 * runs, machines and Node versions, so the same key always meets the same reducer.
 */
export function partitionOf(key: Uint8Array, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** partitionOf for a key held as latin1 text (one code unit per byte); same result. */
export function partitionOfText(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
