/**
 * The sandbox's controllable clock: every time-dependent behaviour (settlement, capture_at, token
 * expiry, idempotency TTL, rate-limit refill, webhook retries) reads `now()` and schedules work here,
 * so a test can jump hours ahead with `advance(ms)` instead of waiting. It never sleeps for real
 * except through the single timer that fires tasks which are due in real time.
 */
export interface SandboxClock {
  /** Current sandbox time, epoch milliseconds. */
  now(): number;
  /**
   * Moves time forward by `ms`, running every task that falls due on the way in time order (time
   * stops at each task's due instant) and awaiting their async work (e.g. a webhook POST).
   */
  advance(ms: number): Promise<void>;
  /** Runs `task` once sandbox time reaches `at`. Returns a cancel function. */
  schedule(at: number, task: () => unknown): () => void;
  /** Resolves once every task that is already due has run and finished. */
  settle(): Promise<void>;
  /** Drops pending tasks and the timer; used by Sandbox.close(). */
  stop(): void;
}

interface Task {
  readonly at: number;
  readonly seq: number;
  readonly run: () => unknown;
}

type ErrorSink = (err: unknown) => void;
const MAX_TIMER_MS = 2 ** 31 - 1;

abstract class ScheduledClock implements SandboxClock {
  private tasks: Task[] = [];
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly inflight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly onError: ErrorSink) {}

  abstract now(): number;
  /** Moves sandbox time to `t` (never backwards). */
  protected abstract moveTo(t: number): void;
  /** Real milliseconds until sandbox time reaches `t` on its own, or null if it never does. */
  protected abstract realDelayUntil(t: number): number | null;

  schedule(at: number, run: () => unknown): () => void {
    const task: Task = { at, seq: this.seq++, run };
    // Same order as sorting by (at, seq): seq only grows, so the task goes after every task due at
    // or before `at`. A binary search keeps re-arming thousands of loaded records (a state file)
    // from sorting the whole queue each time.
    let lo = 0;
    let hi = this.tasks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.tasks[mid]?.at ?? Infinity) <= at) lo = mid + 1;
      else hi = mid;
    }
    this.tasks.splice(lo, 0, task);
    this.arm();
    return () => {
      this.tasks = this.tasks.filter((t) => t !== task);
    };
  }

  advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new RangeError("advance(ms) needs ms >= 0"));
    const target = this.now() + ms;
    return this.enqueue(target);
  }

  settle(): Promise<void> {
    return this.enqueue(this.now());
  }

  stop(): void {
    this.stopped = true;
    this.tasks = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private enqueue(target: number | null): Promise<void> {
    const run = this.chain.then(() => this.drain(target));
    this.chain = run.catch(this.onError);
    return run;
  }

  /** With a target (advance/settle) it waits for in-flight work before time moves on, so retries
   *  scheduled by that work land at their exact instant; the timer path (null) never blocks. */
  private async drain(target: number | null): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const horizon = target ?? this.now();
      const next = this.tasks[0];
      if (next && next.at <= horizon) {
        if (next.at > this.now()) {
          if (this.inflight.size > 0) {
            await this.quiesce();
            continue;
          }
          this.moveTo(next.at);
        }
        this.tasks.shift();
        this.start(next);
        continue;
      }
      if (target !== null && this.inflight.size > 0) {
        await this.quiesce();
        continue;
      }
      break;
    }
    if (target !== null && target > this.now()) this.moveTo(target);
    this.arm();
  }

  private start(task: Task): void {
    const p: Promise<void> = Promise.resolve()
      .then(task.run)
      .then(
        () => undefined,
        (err: unknown) => this.onError(err),
      )
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async quiesce(): Promise<void> {
    await Promise.all([...this.inflight]);
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.tasks[0];
    if (!next || this.stopped) return;
    const delay = this.realDelayUntil(next.at);
    if (delay === null) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.enqueue(null);
      },
      Math.min(Math.max(0, delay), MAX_TIMER_MS),
    );
    this.timer.unref();
  }
}

/** Real time plus an offset that only ever grows: advance() jumps ahead, time then keeps flowing. */
class SystemClock extends ScheduledClock {
  constructor(
    private offset: number,
    onError: ErrorSink,
  ) {
    super(onError);
  }
  now(): number {
    return Date.now() + this.offset;
  }
  protected moveTo(t: number): void {
    const now = this.now();
    if (t > now) this.offset += t - now;
  }
  protected realDelayUntil(t: number): number {
    return t - this.now();
  }
}

/** Frozen time that moves only through advance(): fully deterministic tests. */
class ManualClock extends ScheduledClock {
  constructor(
    private current: number,
    onError: ErrorSink,
  ) {
    super(onError);
  }
  now(): number {
    return this.current;
  }
  protected moveTo(t: number): void {
    if (t > this.current) this.current = t;
  }
  protected realDelayUntil(t: number): number | null {
    return t <= this.current ? 0 : null;
  }
}

/** `offsetMs` (≥ 0) starts the clock ahead of real time: a sandbox restarted from a state file
 *  keeps the time earlier advance() calls had moved it to. */
export function createSystemClock(onError: ErrorSink = () => undefined, offsetMs = 0): SandboxClock {
  return new SystemClock(Math.max(0, offsetMs), onError);
}

export function createManualClock(startMs = Date.UTC(2025, 0, 6, 0, 0, 0), onError: ErrorSink = () => undefined): SandboxClock {
  return new ManualClock(startMs, onError);
}
