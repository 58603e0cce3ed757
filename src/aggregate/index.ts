// weft's aggregation stage: --aggregate KIND, --reduce CMD, and --map CMD --reduce CMD (local MapReduce).
export { AGGREGATE_KINDS, parseAggregateKind, type AggregateKind } from './kinds.js';
export { createAggregator, type Aggregator, type AggregatorOptions } from './aggregator.js';
export { createReducer, type Reducer, type ReducerOptions } from './reducer.js';
export type { ReduceExit } from './process.js';
export {
  createShuffle,
  DEFAULT_SPILL_BYTES,
  DEFAULT_FAN_IN,
  type Shuffle,
  type ShuffleOptions,
  type ShuffleStats,
  type RunReducersOptions,
  type RunReducersResult,
} from './shuffle.js';
export type { PartitionResult } from './partition-reducers.js';
export { partitionOf } from './hash.js';
export { formatDecimal, parseDecimal, type Decimal } from './decimal.js';
