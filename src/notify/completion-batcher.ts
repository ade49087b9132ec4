/**
 * Group commit for kickback outcomes: attempts that finish in the same turn of the event loop are
 * recorded in ONE transaction instead of one each. On SQLite the commit (WAL frames for the
 * kickback, its attempt row and their indexes) was the largest part of recording an outcome.
 * The batch is bounded by the dispatcher's send concurrency. Nothing is lost by waiting: until
 * the outcome is committed the kickback stays claimed, and a crash before the commit means it is
 * delivered again after the lock expires (at least once, as before).
 */
import type { KickbackOutcome, NewKickbackAttempt, Store } from "../store/store-types";

interface Pending {
  readonly attempt: NewKickbackAttempt;
  readonly outcome: KickbackOutcome;
  readonly resolve: (applied: boolean) => void;
  readonly reject: (err: unknown) => void;
}

export interface CompletionBatcher {
  /** Resolves as store.completeKickbackAttempt would: true when applied, false when the lock was lost. */
  complete(attempt: NewKickbackAttempt, outcome: KickbackOutcome): Promise<boolean>;
}

export function createCompletionBatcher(store: Pick<Store, "completeKickbackAttempts">, workerId: string): CompletionBatcher {
  let queue: Pending[] = [];

  async function flush(): Promise<void> {
    const batch = queue;
    queue = [];
    try {
      const applied = await store.completeKickbackAttempts(
        workerId,
        batch.map(({ attempt, outcome }) => ({ attempt, outcome })),
      );
      batch.forEach((p, i) => p.resolve(applied[i] === true));
    } catch (err) {
      // One transaction: if it failed, none of the batch was recorded.
      for (const p of batch) p.reject(err);
    }
  }

  return {
    complete(attempt, outcome) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ attempt, outcome, resolve, reject });
        if (queue.length === 1) setImmediate(() => void flush());
      });
    },
  };
}
