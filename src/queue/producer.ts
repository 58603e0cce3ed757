import type { Writable } from 'node:stream';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { WeftError } from '../errors.js';
import type { ExecRequest, ExecResult, Executor } from '../exec/types.js';
import type { JobSpec } from '../spec/types.js';
import { checkPayload, contentHash, signed, stdinBytes, type JobPayload } from './codec.js';
import { connectControl, loadBullmq, PREFIX, queueName, redisOptions } from './connect.js';
import { aborted, deliver, stoppedResult, type Outcome } from './outcome.js';
import { RunHold } from './registry.js';
import { deriveRunId } from './run-id.js';
import { requireSecret, SECRET_VAR } from './sign.js';
import { parseQueueUrl, type QueueLocation } from './url.js';

/** Jobs waiting longer than this are looked up directly, in case their completion event was missed. */
const SWEEP_MS = 3000;
/** With no worker taking a job for this long, the producer says how to start one. */
const NO_WORKER_MS = 10_000;

/** Where a producer runs and reports. */
export interface ProducerOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** For notes: a run discarded, a run left for --resume. */
  stderr: Writable;
  /** The run's interrupt: an interrupted run stays on the queue for `--resume`. */
  signal?: AbortSignal;
}

interface Pending {
  settle(o: Outcome): void;
  /** When the job reached the queue (Infinity until then). */
  since: number;
}

/**
 * The queue as an executor: each job becomes a signed BullMQ job on the run's queue, and
 * resolves when a worker's result comes back (a QueueEvents stream, with a direct look-up
 * for any event missed). The scheduler cannot tell it from a local executor.
 */
export class QueueExecutor implements Executor {
  private readonly pending = new Map<string, Pending>();
  private readonly attempts = new Map<number, number>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly lonely: NodeJS.Timeout;
  private sweeping = false;
  private served = false;

  constructor(
    private readonly spec: JobSpec,
    private readonly secret: string,
    private readonly loc: QueueLocation,
    private readonly client: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly hold: RunHold,
    /** Resuming a run the queue still holds: look for each job before adding it. */
    private readonly reattach: boolean,
    private readonly opts: ProducerOptions,
  ) {
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, { ok: true, value: returnvalue }));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, { ok: false, reason: failedReason }));
    events.once('active', () => (this.served = true));
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
    this.lonely = setTimeout(() => {
      if (this.served || this.pending.size === 0) return;
      opts.stderr.write(
        `weft: no worker has taken a job of run ${this.runId} yet; start some with: weft --worker ${loc.display} (same ${SECRET_VAR})\n`,
      );
    }, NO_WORKER_MS);
    this.lonely.unref();
  }

  /** The run's id on the queue. */
  get runId(): string {
    return this.hold.runId;
  }

  /** The first outcome of a job wins; a repeated or late one (a recovered worker's) is ignored. */
  private settle(id: string, o: Outcome): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.settle(o);
  }

  async run(req: ExecRequest): Promise<ExecResult> {
    if (req.signal?.aborted) return stoppedResult(req.signal);
    const attempt = (this.attempts.get(req.seq) ?? 0) + 1;
    this.attempts.set(req.seq, attempt);
    // Retries are new jobs, so every attempt has its own result on the queue.
    const id = `${req.seq}-${attempt}`;
    const stdin = await stdinBytes(req.stdin);
    const max = this.spec.queue!.maxPayload;
    checkPayload(req.seq, req.command, stdin, max);
    const hash = contentHash(req.command, stdin);
    const pending: Pending = { settle: () => {}, since: Infinity };
    const outcome = new Promise<Outcome>((resolve) => (pending.settle = resolve));
    // Listen before the job exists, so that no completion can slip past.
    this.pending.set(id, pending);
    try {
      if (!(this.reattach && (await this.attach(id, req.seq, hash)))) {
        const payload = signed<JobPayload>(this.secret, 'job', {
          v: 1,
          queue: this.queue.name,
          id,
          seq: req.seq,
          slot: req.slot,
          command: req.command,
          shell: this.spec.shell,
          env: this.spec.env,
          timeoutMs: req.timeoutMs,
          stdin: stdin?.toString('base64'),
          max,
          hash,
        });
        await this.queue.add('job', payload, { jobId: id });
      }
      pending.since = Date.now();
    } catch (err) {
      this.pending.delete(id);
      throw err;
    }
    const stop = aborted(req.signal);
    const stopped = await Promise.race([outcome, stop.promise]).finally(stop.dispose);
    if (typeof stopped === 'string') {
      this.pending.delete(id);
      // Halted: a job no worker has taken yet is withdrawn. Interrupted: it stays for --resume.
      if (stopped === 'halt') await this.queue.remove(id).catch(() => 0);
      return stoppedResult(req.signal!);
    }
    return deliver(this.secret, id, req, stopped);
  }

  /** Resuming: adopts a job the run already holds (settling it if done); false when there is none. */
  private async attach(id: string, seq: number, hash: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job) return false;
    if ((job.data as Partial<JobPayload>)?.hash !== hash) {
      throw new WeftError(
        'E_QUEUE',
        `--resume: job ${seq} on the queue is not this run's job ${seq} (the input changed since the run started); run without --resume to start over`,
      );
    }
    const state = await job.getState();
    if (state === 'completed') this.settle(id, { ok: true, value: job.returnvalue });
    else if (state === 'failed') this.settle(id, { ok: false, reason: job.failedReason });
    return true;
  }

  /** Looks up jobs that have waited a while: an event can be lost (a trimmed stream, a reconnect). */
  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const old = [...this.pending].filter(([, p]) => Date.now() - p.since > SWEEP_MS);
      for (const [id] of old) {
        const job = await this.queue.getJob(id);
        if (!job) {
          this.settle(id, { ok: false, reason: 'the job vanished from the queue' });
          continue;
        }
        const state = await job.getState();
        if (state === 'completed') this.settle(id, { ok: true, value: job.returnvalue });
        else if (state === 'failed') this.settle(id, { ok: false, reason: job.failedReason });
      }
    } catch {
      // Redis is reconnecting; the next sweep tries again.
    } finally {
      this.sweeping = false;
    }
  }

  /** A finished run leaves nothing in Redis; an interrupted one stays for `--resume`. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    clearTimeout(this.lonely);
    const keep = this.opts.signal?.aborted === true;
    try {
      await this.events.close();
      if (keep) {
        this.opts.stderr.write(
          `weft: run ${this.runId} stays on ${this.loc.display}; the same command with --resume finishes it\n`,
        );
      } else await this.queue.obliterate({ force: true });
      await this.hold.release(!keep);
      await this.queue.close();
    } finally {
      this.client.disconnect();
    }
  }
}

/**
 * Connects to the run's queue: takes the run's lock, then either resumes what the queue holds
 * (`--resume`) or clears what a killed run left there, and lists the run for the workers.
 */
export async function openQueueExecutor(spec: JobSpec, opts: ProducerOptions): Promise<QueueExecutor> {
  const secret = requireSecret(opts.env, '--queue');
  const loc = parseQueueUrl(spec.queue!.url);
  const runId = deriveRunId(spec, loc, opts.cwd);
  const client = await connectControl(loc);
  const note = (line: string) => opts.stderr.write(line + '\n');
  const hold = new RunHold(client, runId, note);
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  try {
    await hold.acquire();
    const { Queue, QueueEvents } = await loadBullmq();
    const connection = redisOptions(loc);
    queue = new Queue(queueName(runId), { connection, prefix: PREFIX });
    queue.on('error', () => {});
    await queue.waitUntilReady();
    const counts = await queue.getJobCounts();
    const held = Object.values(counts).reduce((a, b) => a + b, 0);
    const reattach = held > 0 && spec.resume !== 'none';
    if (held > 0 && !reattach) {
      note(
        `weft: discarding the unfinished run ${runId} on ${loc.display} (--resume would finish it instead)`,
      );
      await queue.obliterate({ force: true });
    }
    // From the stream's start: a fresh run's is empty, a resumed run's old events are harmless.
    events = new QueueEvents(queueName(runId), { connection, prefix: PREFIX, lastEventId: '0' });
    events.on('error', () => {});
    await events.waitUntilReady();
    await hold.register();
    return new QueueExecutor(spec, secret, loc, client, queue, events, hold, reattach, opts);
  } catch (err) {
    await events?.close().catch(() => {});
    await queue?.close().catch(() => {});
    await hold.release(false).catch(() => {});
    client.disconnect();
    throw err;
  }
}
