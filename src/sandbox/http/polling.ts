/**
 * `?polling=true` (§1.4): holds a GET until the resource is final or its status changes from what
 * it was when the request arrived, for at most 3 s — of real time or of sandbox time, whichever
 * comes first, so both a waiting client and a test that advances the clock are released.
 */
import type { EventEmitter } from "node:events";
import type { SandboxClock } from "../clock";
import type { SandboxState } from "../state/sandbox-state";

export const POLL_HOLD_MS = 3000;

export interface PollTarget {
  readonly id: string;
  readonly status: () => string;
  readonly isFinal: (status: string) => boolean;
}

export interface PollDeps {
  readonly state: SandboxState;
  readonly clock: SandboxClock;
  readonly shutdown: AbortSignal;
  /** Told when a request starts being held (tests await this instead of sleeping). */
  readonly pollEvents: EventEmitter;
}

export async function holdWhilePending(deps: PollDeps, target: PollTarget): Promise<void> {
  const initial = target.status();
  if (target.isFinal(initial)) return;
  const stop = new AbortController();
  const realTimer = setTimeout(() => stop.abort(), POLL_HOLD_MS);
  const cancelClock = deps.clock.schedule(deps.clock.now() + POLL_HOLD_MS, () => stop.abort());
  const onShutdown = (): void => stop.abort();
  deps.shutdown.addEventListener("abort", onShutdown);
  deps.pollEvents.emit("held", target.id);
  try {
    while (!stop.signal.aborted && !deps.shutdown.aborted) {
      await deps.state.nextChange(target.id, stop.signal);
      const now = target.status();
      if (now !== initial || target.isFinal(now)) return;
    }
  } finally {
    clearTimeout(realTimer);
    cancelClock();
    deps.shutdown.removeEventListener("abort", onShutdown);
  }
}
