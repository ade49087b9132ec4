/**
 * The kickback outbox dispatcher: claims due kickbacks only as send slots free up (at most
 * `concurrency` in flight), GETs each, records every try as an attempt row and applies delivered
 * / retry / dead. A claimed kickback is being sent at once, so its claim need only outlast one
 * send (timeoutMs), and a merchant slow to answer holds one slot, never the others' kickbacks.
 * Delivery is at least once: a worker that dies keeps its claims only until lockMs, then another
 * delivers; while a claim holds, nobody else sends that kickback (never two deliveries at once).
 * It never renders kickbacks (the query is pre-rendered) and never decides what to enqueue.
 */
import { AppError } from "../errors/app-error";
import { maskPans, type Logger } from "../logging/logger";
import type { KickbackRow, NewKickbackAttempt, Store } from "../store/store-types";
import { createCompletionBatcher } from "./completion-batcher";
import { createKickbackAgents, kickbackRequestUrl, sendKickback, type KickbackAgents, type SendResult } from "./kickback-sender";
import { nextAttemptAt, type RetryPolicy } from "./retry-policy";
import { checkKickbackUrl, type ResolveAll } from "./url-guard";
import { createWorkerLoop } from "../workers/worker-loop";

export type KickbackOutcomeKind = "delivered" | "retry" | "dead";

export interface KickbackDispatcherOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** Unique per process (e.g. host-pid-port): a restarted worker must not pass for its old self. */
  readonly workerId: string;
  readonly policy: RetryPolicy;
  readonly timeoutMs: number;
  readonly batchSize?: number;
  readonly concurrency?: number;
  /** How long a claim holds; must outlast one send (timeoutMs) and its recording. */
  readonly lockMs?: number;
  readonly now?: () => Date;
  readonly random?: () => number;
  readonly observe?: (e: { outcome: KickbackOutcomeKind; durationMs: number; statusCode: number | null }) => void;
  /** How long wake() waits so that enqueues arriving together share one claim (default WAKE_DELAY_MS). */
  readonly wakeDelayMs?: number;
  /** Default false: private/loopback targets are refused, both as IP literals and as DNS answers
   *  at connect time; such a kickback can never succeed and goes dead at once. true only when the
   *  operator asked for it (KICKBACK_ALLOW_PRIVATE_NETWORKS). */
  readonly allowPrivateNetworks?: boolean;
  /** Exact kickback URLs that bypass the guard: the built-in demo receiver, allowed by name,
   *  never a range. */
  readonly trustedUrls?: readonly string[];
  /** DNS seam for tests of the guard at connect time; default the system resolver. */
  readonly resolveAll?: ResolveAll;
}

export interface KickbackDispatcher {
  /** Claims what the free slots allow and resolves once those sends are recorded, to how many it
   *  claimed. Ticks never overlap. */
  tick(): Promise<number>;
  start(pollMs: number): void;
  /** Runs a tick soon (e.g. right after an enqueue) instead of at the next poll. */
  wake(): void;
  /** Stops polling and waits for in-flight sends to be recorded. */
  stop(): Promise<void>;
}

const DEFAULT_BATCH = 100;
const DEFAULT_CONCURRENCY = 16;
/** A claim is one UPDATE … RETURNING whatever its size; at a few hundred payments/s a 20 ms
 *  window claims ~10 kickbacks at once instead of ~3 (5 ms), for a delay no merchant notices. */
const WAKE_DELAY_MS = 20;

/** Margin of a claim over one send: recording its outcome, and the clocks of two workers. */
export const LOCK_MARGIN_MS = 2_000;

/** Whether a kickback reports a failure (rst=2). */
export function isFailureNotice(query: string): boolean {
  return new URLSearchParams(query).get("rst") === "2";
}

/**
 * Decides the fate of one attempt. Any 2xx is delivered (the legacy success criterion is unknown:
 * LEG answers "OK!!", others JSON). A failure notice (rst=2) that the merchant answers with a 4xx
 * other than 408/429 has been read and refused — the EC-CUBE plugin answers 404 to every rst≠1
 * kickback — so it counts as delivered instead of being retried for a day; a success notice is
 * retried on any 4xx (a shop answers 404 while it deploys). A manual attempt never reschedules
 * itself (svix rule).
 */
export function decideOutcome(
  result: Pick<SendResult, "statusCode">,
  attemptNo: number,
  trigger: "auto" | "manual",
  policy: RetryPolicy,
  now: Date,
  random: () => number,
  failureNotice = false,
): { kind: "delivered" } | { kind: "retry"; nextAttemptAt: Date } | { kind: "dead" } {
  const status = result.statusCode;
  if (status !== null && status >= 200 && status < 300) return { kind: "delivered" };
  if (failureNotice && status !== null && status >= 400 && status < 500 && status !== 408 && status !== 429) return { kind: "delivered" };
  if (trigger === "manual") return { kind: "dead" };
  const next = nextAttemptAt(attemptNo, policy, now, random);
  return next ? { kind: "retry", nextAttemptAt: next } : { kind: "dead" };
}

export function createKickbackDispatcher(opts: KickbackDispatcherOptions): KickbackDispatcher {
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const batchSize = Math.min(opts.batchSize ?? DEFAULT_BATCH, concurrency);
  const lockMs = opts.lockMs ?? opts.timeoutMs + LOCK_MARGIN_MS;
  if (lockMs < opts.timeoutMs + LOCK_MARGIN_MS) {
    throw new AppError("config_invalid", `kickback lockMs (${lockMs}) must be at least timeoutMs (${opts.timeoutMs}) + ${LOCK_MARGIN_MS}`);
  }
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const allowPrivate = opts.allowPrivateNetworks ?? false;
  const trusted = new Set(opts.trustedUrls ?? []);
  const maxSockets = Math.max(concurrency, 16);
  const agents: KickbackAgents = createKickbackAgents({
    allowPrivateNetworks: allowPrivate,
    maxSockets,
    ...(opts.resolveAll ? { resolveAll: opts.resolveAll } : {}),
  });
  const trustedAgents: KickbackAgents = trusted.size > 0 ? createKickbackAgents({ allowPrivateNetworks: true, maxSockets }) : agents;
  const log = opts.logger.child({ workerId: opts.workerId });
  const completions = createCompletionBatcher(opts.store, opts.workerId);

  /** A URL the guard rejects can never succeed (the URL is part of the row): dead at once. The
   *  guard is checked again here, not only at start, because rows outlive configuration. */
  function rejection(row: KickbackRow): string | null {
    const check = checkKickbackUrl(row.url, { allowPrivateNetworks: allowPrivate || trusted.has(row.url) });
    return check.ok ? null : `url rejected: ${check.reason}`;
  }

  /** Claimed more often than the policy allows tries, without one completing (each claim counts):
   *  its worker died every time, so it is not tried again automatically. */
  function exhausted(row: KickbackRow): string | null {
    return (row.nextTrigger ?? "auto") === "auto" && row.attempts > opts.policy.maxAttempts
      ? `claimed ${row.attempts} times without a completed attempt: given up`
      : null;
  }

  async function deliver(row: KickbackRow): Promise<void> {
    // Counted when claimed: a delivery that kills its worker every time still runs out of tries.
    const attemptNo = row.attempts;
    const trigger = row.nextTrigger ?? "auto";
    const at = now();
    const rejected = exhausted(row) ?? rejection(row);
    const result: SendResult = rejected
      ? { statusCode: null, durationMs: 0, bodyHead: "", error: rejected, blocked: true }
      : await sendKickback(row.url, row.query, { timeoutMs: opts.timeoutMs, ...(trusted.has(row.url) ? trustedAgents : agents) });
    // A host name that resolves into a blocked range is refused at connect time: like a rejected
    // URL, retrying cannot help and would only probe the network again.
    const outcome = result.blocked
      ? { kind: "dead" as const }
      : decideOutcome(result, attemptNo, trigger, opts.policy, now(), random, isFailureNotice(row.query));
    const attempt: NewKickbackAttempt = {
      kickbackId: row.id,
      attemptNo,
      url: maskPans(kickbackRequestUrl(row.url, row.query)),
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      bodyHead: result.bodyHead,
      error: result.error,
      trigger,
      at,
    };
    const fields = {
      kickbackId: row.id,
      sid: row.sid,
      pid: row.pid,
      transition: row.transition,
      attempt: attemptNo,
      trigger,
      statusCode: result.statusCode,
      durationMs: result.durationMs,
    };
    if (!(await completions.complete(attempt, outcome))) {
      log.warn(fields, "kickback lock lost before completion, outcome discarded");
      return;
    }
    opts.observe?.({ outcome: outcome.kind, durationMs: result.durationMs, statusCode: result.statusCode });
    if (outcome.kind === "delivered")
      log.info(
        fields,
        result.statusCode !== null && result.statusCode >= 400 ? "failure kickback refused by the merchant (read, not retried)" : "kickback delivered",
      );
    else if (outcome.kind === "retry") log.warn({ ...fields, error: result.error, nextAttemptAt: outcome.nextAttemptAt }, "kickback failed, retry scheduled");
    else if (result.blocked)
      log.error(
        { ...fields, error: result.error },
        exhausted(row) ? "kickback given up: its deliveries never completed" : "kickback URL refused by the SSRF guard, given up",
      );
    else log.error({ ...fields, error: result.error }, trigger === "manual" ? "manual kickback attempt failed" : "kickback retries exhausted");
  }

  async function deliverSafely(row: KickbackRow): Promise<void> {
    try {
      await deliver(row);
    } catch (err) {
      // The store failed to record: the claim expires after lockMs and the kickback is retried.
      log.warn({ err, kickbackId: row.id, pid: row.pid }, "kickback completion failed, will retry after lock expiry");
    }
  }

  const sending = new Set<Promise<void>>();
  const refillAt = Math.max(1, Math.floor(concurrency / 2));
  let backlog = false;
  let refilling = false;
  let stopped = false;

  /** Claims as many as there are free slots and starts sending them; a finished send frees its
   *  slot and brings the next claim forward. */
  async function pass(): Promise<number> {
    const free = Math.min(batchSize, concurrency - sending.size);
    if (free <= 0) return 0;
    const claimed = await opts.store.claimDueKickbacks(opts.workerId, now(), free, lockMs);
    // A full claim: more are probably due, so freed slots are refilled at once, not after the
    // wake delay (which only exists to let enqueues arriving together share a claim).
    backlog = claimed.length === free;
    for (const row of claimed) {
      const p: Promise<void> = deliverSafely(row).finally(() => {
        sending.delete(p);
        // Claim again once half the slots are free: one claim for many sends under load.
        if (stopped || !loop.isStarted() || concurrency - sending.size < refillAt) return;
        if (!backlog) return loop.wake();
        if (refilling) return;
        refilling = true;
        void loop
          .tick()
          .catch((err: unknown) => log.warn({ err }, "kickback claim failed"))
          .finally(() => (refilling = false));
      });
      sending.add(p);
    }
    return claimed.length;
  }

  const loop = createWorkerLoop({ pass, logger: log, batchSize, wakeDelayMs: opts.wakeDelayMs ?? WAKE_DELAY_MS });
  return {
    async tick() {
      const n = await loop.tick();
      await Promise.all([...sending]);
      return n;
    },
    start: loop.start,
    // Coalesced: enqueues arriving together are claimed in one batch a few ms later, instead of
    // one claim-and-commit per enqueue competing with the requests that caused them.
    wake: loop.wake,
    async stop(): Promise<void> {
      stopped = true;
      await loop.stop();
      await Promise.all([...sending]);
      for (const a of new Set([agents, trustedAgents])) {
        a.agent.destroy();
        a.httpsAgent.destroy();
      }
    },
  };
}
