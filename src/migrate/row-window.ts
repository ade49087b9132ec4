/**
 * The runner's window of rows: at most `concurrency` in flight, results handed back in input
 * order. A slow row holds back the writing of later ones, never their work, up to a bounded
 * backlog (8 × concurrency), so memory stays flat whatever the input's size.
 */
interface Slot<T> {
  readonly promise: Promise<T>;
  done: boolean;
  failed: boolean;
}

export class RowWindow<T> {
  private readonly slots: Slot<T>[] = [];
  private inFlight = 0;
  private freed: (() => void) | undefined;
  private readonly backlog: number;

  constructor(private readonly concurrency: number) {
    this.backlog = concurrency * 8;
  }

  /** Adds a row's work (`busy`: it uses a slot) and returns the results now due, in order. */
  async push(work: Promise<T>, busy: boolean): Promise<T[]> {
    const slot: Slot<T> = { promise: work, done: false, failed: false };
    if (busy) this.inFlight++;
    // Settled either way; a rejection surfaces when the slot is taken, in order.
    work.then(
      () => this.finish(slot, busy),
      () => {
        slot.failed = true;
        this.finish(slot, busy);
      },
    );
    this.slots.push(slot);
    while (this.inFlight >= this.concurrency) await new Promise<void>((r) => (this.freed = r));
    return this.take((head) => head.done || this.slots.length > this.backlog);
  }

  /** Every remaining result, in order. */
  async drain(): Promise<T[]> {
    return this.take(() => true);
  }

  /**
   * Takes results from the head while `due`. A failed row is thrown only once the results before
   * it have been handed back, so nothing already done is missing from the result file.
   */
  private async take(due: (head: Slot<T>) => boolean): Promise<T[]> {
    const out: T[] = [];
    while (this.slots.length > 0 && due(this.slots[0]!)) {
      const head = this.slots[0]!;
      if (!head.done) await head.promise.catch(() => undefined);
      if (head.failed && out.length > 0) return out;
      this.slots.shift();
      out.push(await head.promise);
    }
    return out;
  }

  /** Waits for work still running (after a failure), without its results. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.slots.splice(0).map((s) => s.promise));
  }

  private finish(slot: Slot<T>, busy: boolean): void {
    slot.done = true;
    if (!busy) return;
    this.inFlight--;
    const f = this.freed;
    this.freed = undefined;
    f?.();
  }
}
