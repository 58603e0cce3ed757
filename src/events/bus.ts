import type { EventListener, WeftEvent } from './types.js';

type Payload = WeftEvent extends infer E ? (E extends WeftEvent ? Omit<E, 'runId' | 't'> : never) : never;

/** Milliseconds on a monotonic clock (process.hrtime: node:perf_hooks costs start-up time). */
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** A typed event bus: stages emit, subscribers (joblog, progress, reports) listen. */
export class EventBus {
  /** Unique enough to tell runs apart in a shared events file; no crypto needed at start-up. */
  readonly runId = `${process.pid.toString(36)}-${Date.now().toString(36)}`;
  private readonly t0 = nowMs();
  private readonly listeners: EventListener[] = [];

  on(listener: EventListener): void {
    this.listeners.push(listener);
  }

  get active(): boolean {
    return this.listeners.length > 0;
  }

  emit(e: Payload): void {
    if (this.listeners.length === 0) return;
    const event = {
      ...e,
      runId: this.runId,
      t: Math.round((nowMs() - this.t0) * 1000) / 1000,
    } as WeftEvent;
    for (const l of this.listeners) l(event);
  }
}
