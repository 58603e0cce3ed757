import { afterAll, describe, expect, it } from 'vitest';
import {
  contentHash,
  fromBase64,
  signed,
  type JobPayload,
  type ResultPayload,
} from '../../../src/queue/codec.js';
import { deliver } from '../../../src/queue/outcome.js';
import { ExecutorPool, SlotPool } from '../../../src/queue/pools.js';
import { processJob, type Refused, type WorkerContext } from '../../../src/queue/process-job.js';
import { checkSignature } from '../../../src/queue/sign.js';

const SECRET = 'process-job-secret';
// The worker's environment holds the secret; its jobs must not see it.
const executors = new ExecutorPool({ ...process.env, WEFT_SECRET: SECRET });
afterAll(() => executors.close());

const ctx = (over: Partial<WorkerContext> = {}): WorkerContext => ({
  secret: SECRET,
  allow: [],
  name: 'test:1',
  slots: new SlotPool(2),
  executors,
  ...over,
});

function job(command: string, over: Partial<JobPayload> = {}, stdin?: string) {
  const data = signed<JobPayload>(SECRET, 'job', {
    v: 1,
    queue: 'run-t',
    id: '1-1',
    seq: 1,
    slot: 1,
    command,
    shell: '/bin/sh',
    env: { GREETING: 'hi' },
    stdin: stdin === undefined ? undefined : Buffer.from(stdin).toString('base64'),
    max: 1024,
    hash: contentHash(command, stdin === undefined ? undefined : Buffer.from(stdin)),
    ...over,
  });
  return { id: '1-1', queueName: 'run-t', data };
}

describe('processJob', () => {
  it('runs a signed job with its env and stdin, and signs the result', async () => {
    const res = (await processJob(
      ctx(),
      job('echo $GREETING; wc -l; echo err >&2; exit 3', {}, 'a\nb\n'),
    )) as ResultPayload;
    expect(checkSignature(SECRET, 'result', res)).toBeUndefined();
    expect(res).toMatchObject({ id: '1-1', exitCode: 3, signal: 0, worker: 'test:1' });
    expect(fromBase64(res.stdout).toString()).toBe('hi\n2\n');
    expect(fromBase64(res.stderr).toString()).toBe('err\n');
  });

  it("keeps the worker's WEFT_SECRET out of the job's environment", async () => {
    const res = (await processJob(ctx(), job('echo "[${WEFT_SECRET-unset}]"'))) as ResultPayload;
    expect(fromBase64(res.stdout).toString()).toBe('[unset]\n');
  });

  it('refuses, without running it, a job changed after it was signed', async () => {
    const j = job('echo ok');
    (j.data as JobPayload).command = 'echo pwned';
    const res = (await processJob(ctx(), j)) as Refused;
    expect(res.refused).toMatch(/^refused by worker test:1: the job's signature does not match/);
  });

  it('refuses an unsigned job, and a signed job moved to another queue or id', async () => {
    const { sig: _sig, ...unsigned } = job('echo ok').data;
    expect(
      ((await processJob(ctx(), { id: '1-1', queueName: 'run-t', data: unsigned })) as Refused).reason,
    ).toBe('the job is unsigned');
    expect(
      ((await processJob(ctx(), { ...job('echo ok'), queueName: 'run-other' })) as Refused).reason,
    ).toMatch(/signed as run-t\/1-1 but found as run-other\/1-1/);
    expect(((await processJob(ctx(), { ...job('echo ok'), id: '2-1' })) as Refused).reason).toMatch(
      /found as run-t\/2-1/,
    );
  });

  it('refuses commands --allow does not allow', async () => {
    const strict = ctx({ allow: [['echo']] });
    expect(await processJob(strict, job('echo ok'))).toMatchObject({ exitCode: 0 });
    expect(((await processJob(strict, job('printf ok'))) as Refused).reason).toMatch(
      /allowed prefix \(echo\)/,
    );
  });

  it('stops a job whose output outgrows the run --max-payload instead of sending it', async () => {
    const res = (await processJob(ctx(), job('seq 100000'))) as Refused;
    expect(res.refused).toMatch(
      /^stopped by worker test:1: the job's output passed the run's --max-payload \(1\.0 KiB\)/,
    );
  });
});

describe('deliver', () => {
  const req = () => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      req: {
        seq: 4,
        slot: 1,
        command: 'x',
        stdin: { kind: 'none' as const },
        onStdout: (b: Buffer) => out.push(b.toString()),
        onStderr: (b: Buffer) => err.push(b.toString()),
      },
    };
  };
  const result = (over: Partial<ResultPayload> = {}) =>
    signed<ResultPayload>(SECRET, 'result', {
      v: 1,
      id: '4-1',
      exitCode: 0,
      signal: 0,
      start: 10,
      end: 30,
      stdout: Buffer.from('out\n').toString('base64'),
      stderr: '',
      worker: 'w:1',
      ...over,
    });

  it('hands a good result to the scheduler like a local job', () => {
    const r = req();
    expect(deliver(SECRET, '4-1', r.req, { ok: true, value: result() })).toMatchObject({
      exitCode: 0,
      start: 10,
      end: 30,
    });
    expect(r.out).toEqual(['out\n']);
  });

  it('does not believe a forged result, nor one for another job', () => {
    const r = req();
    const forged = { ...result(), stdout: Buffer.from('forged\n').toString('base64') };
    expect(deliver(SECRET, '4-1', r.req, { ok: true, value: forged })).toMatchObject({ exitCode: 255 });
    expect(deliver(SECRET, '4-2', r.req, { ok: true, value: result() })).toMatchObject({ exitCode: 255 });
    expect(r.out).toEqual([]);
    expect(r.err[0]).toMatch(/^weft: job 4: the result's signature does not match/);
    expect(r.err[1]).toBe('weft: job 4: the result is for job 4-1, not 4-2\n');
  });

  it('counts a job its worker stopped (the run ended there) as failed, not as never run', () => {
    const r = req();
    expect(
      deliver(SECRET, '4-1', r.req, { ok: true, value: result({ killed: 'interrupt', signal: 15 }) }),
    ).toMatchObject({
      exitCode: 255,
    });
    expect(r.err).toEqual(['weft: job 4: worker w:1 stopped the job before it finished\n']);
  });

  it('reports a refused job as failed, with the worker reason on its stderr', () => {
    const r = req();
    expect(deliver(SECRET, '4-1', r.req, { ok: false, reason: 'refused by worker w:1: nope' })).toMatchObject(
      {
        exitCode: 255,
      },
    );
    expect(r.err).toEqual(['weft: job 4: refused by worker w:1: nope\n']);
  });
});
