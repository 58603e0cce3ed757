import { SeqOrder } from './seq-order.js';

/** The streaming aggregator interface every `--aggregate` kind implements. */
export interface Aggregator {
  /** Adds chunk `seq`'s whole stdout; chunks may arrive in any order. */
  push(seq: number, output: Buffer): void;
  /** Ends the input and returns the output not already handed to `write`. */
  finish(): Buffer;
}

/**
 * `concat`: the chunk outputs byte for byte in chunk (seq) order, i.e. exactly what `-k` prints.
 * With `write`, each output is written through as soon as all earlier ones have been, so only
 * early arrivals are held; without it everything is held until finish().
 */
export function createConcat(
  options: { write?: (chunk: Buffer) => void; firstSeq?: number } = {},
): Aggregator {
  const order = new SeqOrder<Buffer>(options.firstSeq ?? 1);
  const kept: Buffer[] = [];
  const emit = (parts: Buffer[]): void => {
    for (const p of parts) {
      if (p.length === 0) continue;
      if (options.write) options.write(p);
      else kept.push(p);
    }
  };
  return {
    push(seq, output) {
      emit(order.push(seq, output));
    },
    finish() {
      const rest = order.drain();
      if (options.write) return Buffer.concat(rest);
      emit(rest);
      return Buffer.concat(kept);
    },
  };
}
