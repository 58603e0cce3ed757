import { WeftError } from '../errors.js';

/** Every `--aggregate KIND`, in the order `--help` should list them. */
export const AGGREGATE_KINDS = [
  'concat',
  'sum',
  'count',
  'min',
  'max',
  'mean',
  'uniq',
  'count-distinct',
] as const;

/** One `--aggregate` kind. */
export type AggregateKind = (typeof AGGREGATE_KINDS)[number];

/** The kinds that read each line as a value (all but concat, which passes bytes through). */
export type LineAggregateKind = Exclude<AggregateKind, 'concat'>;

/** Checks an `--aggregate` argument; an unknown kind is an E_OPTION error naming the valid ones. */
export function parseAggregateKind(text: string): AggregateKind {
  if ((AGGREGATE_KINDS as readonly string[]).includes(text)) return text as AggregateKind;
  throw new WeftError('E_OPTION', `--aggregate: '${text}' is not one of ${AGGREGATE_KINDS.join(', ')}`);
}
