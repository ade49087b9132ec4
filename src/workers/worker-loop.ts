/**
 * The one loop every background worker runs on (kickback dispatcher, webhook processor,
 * reconciler): passes never overlap (tick() queues behind the running one), start() polls,
 * wake() brings the next pass forward, coalescing wakes that arrive together, and stop() waits for
 * the pass in flight. A pass that handled a full batch runs again at once: more may be due.
 */
import type { Logger } from "../logging/logger";

export interface WorkerLoop {
  /** One pass now (after the one in flight, if any); resolves to how many items it handled. */
  tick(): Promise<number>;
  start(pollMs: number): void;
  /** Runs a pass soon instead of at the next poll; a no-op unless started. */
  wake(): void;
  /** Whether start() was called (and stop() not since). */
  isStarted(): boolean;
  stop(): Promise<void>;
}

export interface WorkerLoopOptions {
  /** One pass; resolves to how many items it handled. */
  readonly pass: () => Promise<number>;
  readonly logger: Logger;
  /** A pass that handled this many runs again at once (omit: only polls and wakes run passes). */
  readonly batchSize?: number;
  /** How long wake() waits so that wakes arriving together share one pass (default 5 ms). */
  readonly wakeDelayMs?: number;
}

export const WAKE_DELAY_MS = 5;

export function createWorkerLoop(opts: WorkerLoopOptions): WorkerLoop {
  const wakeDelayMs = opts.wakeDelayMs ?? WAKE_DELAY_MS;
  let chain: Promise<unknown> = Promise.resolve();
  function tick(): Promise<number> {
    const p = chain.then(opts.pass, opts.pass);
    chain = p.catch(() => undefined);
    return p;
  }

  let pollMs = 1000;
  let started = false;
  let looping = false;
  let wakeRequested = false;
  let timer: NodeJS.Timeout | null = null;
  let timerDueAt = 0;

  function schedule(ms: number): void {
    if (!started) return;
    timerDueAt = Date.now() + ms;
    timer = setTimeout(() => void loop(), ms);
    timer.unref();
  }

  async function loop(): Promise<void> {
    timer = null;
    looping = true;
    wakeRequested = false;
    let made = 0;
    try {
      made = await tick();
    } catch (err) {
      opts.logger.warn({ err }, "worker pass failed");
    }
    looping = false;
    schedule((opts.batchSize !== undefined && made >= opts.batchSize) || wakeRequested ? 0 : pollMs);
  }

  return {
    tick,
    start(ms) {
      if (started) return;
      started = true;
      pollMs = ms;
      schedule(0);
    },
    wake() {
      if (!started) return;
      if (looping) {
        wakeRequested = true;
        return;
      }
      if (timer && timerDueAt <= Date.now() + wakeDelayMs) return;
      if (timer) clearTimeout(timer);
      schedule(wakeDelayMs);
    },
    isStarted: () => started,
    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await chain;
    },
  };
}
