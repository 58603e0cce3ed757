#!/usr/bin/env node
// The weft command. `npm run build` bundles the CLI into dist/weft.mjs: one file loads
// in about half the time of ~30 separate modules (see docs/benchmarks.md, start-up).
import { cli } from '../dist/weft.mjs';

await cli();
