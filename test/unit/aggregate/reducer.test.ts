import { describe, expect, it } from 'vitest';
import { createReducer } from '../../../src/aggregate/index.js';
import { alive, ENV, SHELL, shuffled, sink } from './helpers.js';

function reducer(cmd: string, signal?: AbortSignal) {
  const out = sink();
  const err = sink();
  const r = createReducer({ shell: SHELL, cmd, env: ENV, stdout: out.stream, stderr: err.stream, signal });
  return { r, out, err };
}

describe('createReducer (--reduce CMD alone)', () => {
  it('pipes every chunk output, in chunk order, through one process', async () => {
    const { r, out } = reducer('cat');
    const outputs = Array.from({ length: 20 }, (_, i) => `chunk ${i + 1}\n`);
    for (const seq of shuffled(
      outputs.map((_, i) => i + 1),
      7,
    )) {
      void r.push(seq, Buffer.from(outputs[seq - 1]));
    }
    expect(await r.finish()).toEqual({ exitCode: 0, signal: 0 });
    expect(out.text()).toBe(outputs.join(''));
  });

  it('runs a sort | uniq -c style reduce over out-of-order chunks', async () => {
    const { r, out } = reducer(`sort | uniq -c | awk '{print $2 "\\t" $1}'`);
    await r.push(2, Buffer.from('pear\napple\n'));
    await r.push(3, Buffer.from('apple\nfig\napple\n'));
    await r.push(1, Buffer.from('fig\npear\npear\n'));
    expect((await r.finish()).exitCode).toBe(0);
    expect(out.text()).toBe('apple\t3\nfig\t2\npear\t3\n');
  });

  it('streams large input with backpressure', async () => {
    const { r, out } = reducer('wc -c');
    const block = Buffer.alloc(256 * 1024, 'x');
    for (let seq = 1; seq <= 40; seq++) await r.push(seq, block);
    await r.finish();
    expect(out.text().trim()).toBe(String(40 * block.length));
  });

  it('sends held chunks at finish even when one never came', async () => {
    const { r, out } = reducer('cat');
    await r.push(1, Buffer.from('a\n'));
    await r.push(3, Buffer.from('c\n'));
    await r.finish();
    expect(out.text()).toBe('a\nc\n');
  });

  it("reports the reducer's exit status and passes its stderr through", async () => {
    const { r, err } = reducer('cat >/dev/null; echo oops >&2; exit 3');
    await r.push(1, Buffer.from('x\n'));
    expect(await r.finish()).toEqual({ exitCode: 3, signal: 0 });
    expect(err.text()).toBe('oops\n');
  });

  it('copes with a reducer that does not read its input', async () => {
    const { r, out } = reducer('echo done');
    const block = Buffer.alloc(1024 * 1024, 'y');
    for (let seq = 1; seq <= 4; seq++) await r.push(seq, block);
    expect((await r.finish()).exitCode).toBe(0);
    expect(out.text()).toBe('done\n');
  });

  it('abort kills the whole process group', async () => {
    const ac = new AbortController();
    const { r, out } = reducer('sleep 30 & echo $!; wait', ac.signal);
    await r.push(1, Buffer.from('x\n'));
    for (let i = 0; i < 100 && !out.text().includes('\n'); i++) await new Promise((ok) => setTimeout(ok, 20));
    const sleeper = Number(out.text().trim());
    expect(alive(sleeper)).toBe(true);
    const t0 = Date.now();
    ac.abort();
    const exit = await r.finish();
    expect(exit.killed).toBe('interrupt');
    expect(exit.signal).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    for (let i = 0; i < 50 && alive(sleeper); i++) await new Promise((ok) => setTimeout(ok, 20));
    expect(alive(sleeper)).toBe(false);
  });

  it('reports a shell that cannot start as exit code 127', async () => {
    const err = sink();
    const r = createReducer({
      shell: '/nonexistent/sh',
      cmd: 'cat',
      env: ENV,
      stdout: sink().stream,
      stderr: err.stream,
    });
    await r.push(1, Buffer.from('x\n'));
    expect((await r.finish()).exitCode).toBe(127);
    expect(err.text()).toContain('weft: cannot start /nonexistent/sh');
  });

  it('rejects a chunk pushed twice', async () => {
    const { r } = reducer('cat >/dev/null');
    await r.push(1, Buffer.from('a\n'));
    expect(() => r.push(1, Buffer.from('a\n'))).toThrow(/pushed twice/);
    await r.finish();
  });
});
