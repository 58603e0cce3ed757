import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The shared checker when this checkout sits beside it; else the copy kept in test/compat.
const shared = fileURLToPath(new URL('../../../shared/compat/run.mjs', import.meta.url));
const checker = existsSync(shared) ? shared : fileURLToPath(new URL('./run.mjs', import.meta.url));

// Both dispatch paths must behave the same: the slot-shell fast path and one spawn per job.
describe.each(['auto', 'spawn'])('GNU parallel compatibility, dispatch=%s', (dispatch) => {
  it('passes every recorded case (GNU parallel 20221122)', () => {
    const r = spawnSync(process.execPath, [checker, '--', process.execPath, 'bin/weft.js'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, WEFT_DISPATCH: dispatch },
    });
    const last = r.stdout.trim().split('\n').pop();
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(last).toMatch(/^compat: \d+ passed, 0 failed$/);
    expect(Number(/compat: (\d+)/.exec(last ?? '')?.[1])).toBeGreaterThanOrEqual(45);
    expect(r.status).toBe(0);
  });
});
