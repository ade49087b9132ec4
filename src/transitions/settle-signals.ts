/**
 * Wakes a legacy request waiting for its transition's outcome when the webhook processor (here,
 * or on another instance through a relay such as PostgreSQL's LISTEN/NOTIFY) has settled or
 * changed it, so the request reads the store instead of polling UnivaPay. A signal only says
 * "look again": the store stays the one source of truth, and a spurious one costs a read.
 *
 * Also remembers which merchants' webhooks are arriving: only for those is it worth waiting for
 * one rather than polling at once (a merchant whose webhook is not registered would wait in vain).
 */

/** Webhooks count as arriving for a merchant while the last one is at most this old. */
export const WEBHOOK_FLOW_WINDOW_MS = 5 * 60_000;

export interface SettleSubscription {
  /** Resolves true at the next signal (or at once if one came since the last call), false at
   *  `until` (epoch ms) without one. */
  next(until: number): Promise<boolean>;
  close(): void;
}

export interface SettleSignals {
  /** Subscribe before sending the request whose outcome is awaited: a signal that comes before
   *  the wait starts is kept. */
  subscribe(transitionId: string): SettleSubscription;
  /** The store shows a change to this transition: wakes its waiters here, or, if none is here,
   *  tells the other instances (the relay). */
  changed(transitionId: string): void;
  /** A change reported by another instance; true if a waiter here took it. */
  deliver(transitionId: string): boolean;
  /** Sets where changes with no waiter here are published (undefined: this instance is alone). */
  relayTo(publish: ((transitionId: string) => void) | undefined): void;
  /** A webhook from this merchant was received. */
  noteWebhook(sid: string): void;
  webhooksFlowing(sid: string): boolean;
}

interface Waiter {
  latched: boolean;
  wake: (() => void) | undefined;
}

export function createSettleSignals(now: () => number = Date.now): SettleSignals {
  const waiters = new Map<string, Set<Waiter>>();
  const lastWebhook = new Map<string, number>();
  let publish: ((transitionId: string) => void) | undefined;

  const wakeHere = (id: string): boolean => {
    const set = waiters.get(id);
    if (!set || set.size === 0) return false;
    for (const w of set) {
      w.latched = true;
      w.wake?.();
    }
    return true;
  };

  return {
    subscribe(id) {
      const w: Waiter = { latched: false, wake: undefined };
      let set = waiters.get(id);
      if (!set) waiters.set(id, (set = new Set()));
      set.add(w);
      return {
        next(until) {
          if (w.latched) {
            w.latched = false;
            return Promise.resolve(true);
          }
          const ms = until - now();
          if (ms <= 0) return Promise.resolve(false);
          return new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => {
              w.wake = undefined;
              resolve(false);
            }, ms);
            w.wake = () => {
              clearTimeout(timer);
              w.wake = undefined;
              w.latched = false;
              resolve(true);
            };
          });
        },
        close() {
          w.wake?.();
          const s = waiters.get(id);
          s?.delete(w);
          if (s && s.size === 0) waiters.delete(id);
        },
      };
    },
    changed(id) {
      if (!wakeHere(id)) publish?.(id);
    },
    deliver: wakeHere,
    relayTo(p) {
      publish = p;
    },
    noteWebhook(sid) {
      lastWebhook.set(sid, now());
    },
    webhooksFlowing(sid) {
      const at = lastWebhook.get(sid);
      return at !== undefined && now() - at <= WEBHOOK_FLOW_WINDOW_MS;
    },
  };
}
