/**
 * The kickback outbox dispatcher: claim a batch of due kickbacks, GET each with bounded
 * concurrency, record every try as an attempt row and apply delivered / retry / dead. Delivery is
 * at least once: a worker that dies keeps its claim only until lockMs, then another delivers.
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
  /** How long a claim holds; must outlast a whole batch, else a slow batch is delivered twice. */
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
  /** One claim-send-complete round; resolves to the number of attempts made. Ticks never overlap. */
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

/** Decides the fate of one attempt. Any 2xx is delivered (the legacy success criterion is unknown:
 *  LEG answers "OK!!", others JSON). A manual attempt never reschedules itself (svix rule). */
export function decideOutcome(
  result: Pick<SendResult, "statusCode">,
  attemptNo: number,
  trigger: "auto" | "manual",
  policy: RetryPolicy,
  now: Date,
  random: () => number,
): { kind: "delivered" } | { kind: "retry"; nextAttemptAt: Date } | { kind: "dead" } {
  if (result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300) return { kind: "delivered" };
  if (trigger === "manual") return { kind: "dead" };
  const next = nextAttemptAt(attemptNo, policy, now, random);
  return next ? { kind: "retry", nextAttemptAt: next } : { kind: "dead" };
}

export function createKickbackDispatcher(opts: KickbackDispatcherOptions): KickbackDispatcher {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const worstBatchMs = opts.timeoutMs * Math.ceil(batchSize / concurrency);
  const lockMs = opts.lockMs ?? worstBatchMs + 60_000;
  if (lockMs <= opts.timeoutMs) throw new AppError("config_invalid", `kickback lockMs (${lockMs}) must exceed timeoutMs (${opts.timeoutMs})`);
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
  if (lockMs < worstBatchMs) log.warn({ lockMs, worstBatchMs }, "kickback lock shorter than a worst-case batch: slow batches may be delivered twice");

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
    const outcome = result.blocked ? { kind: "dead" as const } : decideOutcome(result, attemptNo, trigger, opts.policy, now(), random);
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
    if (outcome.kind === "delivered") log.info(fields, "kickback delivered");
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

  async function runTick(): Promise<number> {
    const claimed = await opts.store.claimDueKickbacks(opts.workerId, now(), batchSize, lockMs);
    await forEachLimited(claimed, concurrency, deliverSafely);
    return claimed.length;
  }

  const loop = createWorkerLoop({ pass: runTick, logger: log, batchSize, wakeDelayMs: opts.wakeDelayMs ?? WAKE_DELAY_MS });
  return {
    tick: loop.tick,
    start: loop.start,
    // Coalesced: enqueues arriving together are claimed in one batch a few ms later, instead of
    // one claim-and-commit per enqueue competing with the requests that caused them.
    wake: loop.wake,
    async stop(): Promise<void> {
      await loop.stop();
      for (const a of new Set([agents, trustedAgents])) {
        a.agent.destroy();
        a.httpsAgent.destroy();
      }
    },
  };
}

/** Runs fn over items with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
