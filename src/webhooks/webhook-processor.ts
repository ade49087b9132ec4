/**
 * Turns stored webhook events into state changes and kickbacks. A webhook is authenticated by its
 * merchant's token (webhook-ingest); its body settles a transition directly when it is a complete
 * resource of that merchant's store that the transition names (or, for a creation whose answer was
 * lost, whose legacy-pid metadata and amount match the payment). Anything else — a partial body,
 * another store, an event of no kind — is re-fetched from UnivaPay, within a budget, before
 * anything is decided. Settling from the body is what lets one merchant run at UnivaPay's charge
 * rate (3,000/min) although its GET budget is 1,200/min. The kinds say which events they listen
 * to and how to read and judge their resources; settling goes through the same settleTransition
 * as the request path, so each transition is notified exactly once, and a request waiting for it
 * is woken (settle-signals).
 */
import { isAppError } from "../errors/app-error";
import type { Merchant } from "../config/merchants";
import type { Logger } from "../logging/logger";
import { nextAttemptAt, type RetryPolicy } from "../notify/retry-policy";
import type { PaymentDeps } from "../transitions/payment-deps";
import { UNFINISHED_TRANSITION_STATES, type TransitionRow, type WebhookEventRow } from "../store/store-types";
import { applyResource } from "../transitions/apply-resource";
import type { TransitionKind } from "../transitions/transition-kind";
import { createTokenBucket, type TokenBucket } from "../univapay/token-bucket";
import { createWorkerLoop, type WorkerLoop } from "../workers/worker-loop";
import { WebhookEnvelopeSchema } from "./webhook-ingest";
import { observeSubscriptionEvent } from "../recurring/subscription-events";

export const DEFAULT_WEBHOOK_RETRY: RetryPolicy = { baseMs: 5_000, factor: 2, maxDelayMs: 300_000, maxAttempts: 50, jitter: 0.2 };

/**
 * API calls the processor may spend because of webhook events, which anyone holding one webhook
 * token can post at will (fresh event ids defeat de-duplication). Per merchant for events that
 * match none of our rows (only a lost create answer could make such a charge ours: the
 * reconciler still finds those by metadata), and per resource for events about a row we know (a
 * replayed charge id of a pending payment). Without a bound they would spend the merchant's
 * UnivaPay request budget, which its payments need.
 */
export const UNMATCHED_FETCH_BUDGET = { capacity: 60, perMinute: 60 } as const;
export const PER_RESOURCE_FETCH_BUDGET = { capacity: 5, perMinute: 5 } as const;
/** Resources whose budget is remembered; the oldest is forgotten first (memory stays bounded). */
const MAX_TRACKED_RESOURCES = 10_000;

export type ProcessOutcome = { kind: "processed" | "ignored"; note: string };

export interface FetchBudget {
  /** May the processor fetch `resourceId` for merchant `sid` now? `matched`: a row of ours names it. */
  take(sid: string, resourceId: string, matched: boolean): boolean;
}

export function createFetchBudget(now: () => number = Date.now): FetchBudget {
  const merchants = new Map<string, TokenBucket>();
  const resources = new Map<string, TokenBucket>();
  return {
    take(sid, resourceId, matched) {
      if (!matched) {
        let b = merchants.get(sid);
        if (!b) merchants.set(sid, (b = createTokenBucket(UNMATCHED_FETCH_BUDGET, now)));
        return b.reserve(0) === 0;
      }
      const key = `${sid}/${resourceId}`;
      let b = resources.get(key);
      if (!b) {
        if (resources.size >= MAX_TRACKED_RESOURCES) resources.delete(resources.keys().next().value ?? "");
        resources.set(key, (b = createTokenBucket(PER_RESOURCE_FETCH_BUDGET, now)));
      }
      return b.reserve(0) === 0;
    },
  };
}

/** A resource UnivaPay says does not exist (or is not this store's): for an event that matched
 *  none of our rows, a definitive answer, not one to retry (a forged event would otherwise cost 50
 *  fetches). For a row we know, a 403/404 may be a revoked token or read-after-write lag: retried. */
function isGone(err: unknown): boolean {
  const status = isAppError(err) && err.code === "univapay_rejected" ? err.opts.upstream?.httpStatus : undefined;
  return status === 404 || status === 403;
}

/** What an unmatched fetch answers when UnivaPay does not know the resource. */
const GONE: unique symbol = Symbol("gone");
const GONE_OUTCOME: ProcessOutcome = { kind: "ignored", note: "resource not found at UnivaPay" };
const SPENT: ProcessOutcome = { kind: "ignored", note: "webhook fetch budget spent" };

/** Processes one event; throws when it should be retried (e.g. UnivaPay unreachable). */
export async function processWebhookEvent(deps: PaymentDeps, row: WebhookEventRow, budget: FetchBudget): Promise<ProcessOutcome> {
  return processEvent(deps, row, budget);
}

/** Runs `f` for an event that matched nothing of ours: a 403/404 there ends the event. */
async function unmatched<T>(f: () => Promise<T>): Promise<T | typeof GONE> {
  try {
    return await f();
  } catch (err) {
    if (isGone(err)) return GONE;
    throw err;
  }
}

async function processEvent(deps: PaymentDeps, row: WebhookEventRow, budget: FetchBudget): Promise<ProcessOutcome> {
  const merchant = deps.merchants.get(row.sid);
  if (!merchant) return { kind: "ignored", note: `merchant ${row.sid} no longer configured` };
  const env = parseEnvelope(row.body);
  // An auto-billing's events sync it first (each automatic charge becomes its payment and
  // kickback); its creation's transition, if still open, is then settled by its kind as usual.
  // Within the per-resource budget: the reconciler syncs it at its due date anyway.
  const synced = env && (await observeSubscriptionEvent(deps, merchant, env.event, env.data, (id) => budget.take(merchant.sid, id, true)));
  const out = await routeEvent(deps, row, budget);
  return synced && out.kind === "ignored" ? { kind: "processed", note: synced } : out;
}

function parseEnvelope(body: string) {
  try {
    const env = WebhookEnvelopeSchema.safeParse(JSON.parse(body));
    return env.success ? env.data : undefined;
  } catch {
    return undefined;
  }
}

async function routeEvent(deps: PaymentDeps, row: WebhookEventRow, budget: FetchBudget): Promise<ProcessOutcome> {
  const merchant = deps.merchants.get(row.sid);
  if (!merchant) return { kind: "ignored", note: `merchant ${row.sid} no longer configured` };
  let json: unknown;
  try {
    json = JSON.parse(row.body);
  } catch {
    return { kind: "ignored", note: "unparseable body" };
  }
  const env = WebhookEnvelopeSchema.safeParse(json);
  if (!env.success) return { kind: "ignored", note: "not a webhook envelope" };
  const { event, data } = env.data;
  const kinds = deps.kinds.forEvent(event);
  if (kinds.length === 0) return { kind: "ignored", note: `event ${event} has no legacy kickback` };

  // Most events report what the request path already settled. Without an open transition
  // nothing can change, so the resource need not be fetched: we re-fetch only before acting.
  const named = (await deps.store.listTransitionsByUnivapayId(data.id)).filter((t) => kinds.some((k) => k.name === t.kind));
  const mine = named.filter((t) => t.sid === merchant.sid);
  if (named.length > 0 && mine.length === 0) return { kind: "ignored", note: "resource of another merchant" };
  if (mine.length > 0) {
    const open = mine.find(isUnfinished);
    if (!open) return { kind: "ignored", note: `already settled (${mine.map((t) => `${t.job} ${t.state}`).join(", ")})` };
    const kind = deps.kinds.get(open.kind);
    if (!kind) return { kind: "ignored", note: `transition ${open.id} of a kind this gateway does not run (${open.kind})` };
    const payment = await deps.store.findPaymentByPid(open.pid);
    if (!payment) return { kind: "ignored", note: `transition ${open.id} without its payment` };
    const subject = { payment, transition: open };
    const reported = reportedResource(kind, merchant, event, data);
    if (reported === undefined && !budget.take(merchant.sid, data.id, true)) return SPENT;
    await applyResource(deps, merchant, kind, subject, reported ?? (await kind.fetch(deps, merchant, subject)));
    deps.signals.changed(open.id);
    return { kind: "processed", note: reported === undefined ? `${kind.name} (fetched)` : kind.name };
  }
  // No transition names it: a create whose answer was lost, or whose request is still waiting
  // for it (the webhook overtook the answer). A kind that can finds its open transition through
  // our metadata: in the body when it is whole, else in the resource fetched within the budget.
  const adopting = kinds.filter((k) => k.adopt);
  if (adopting.length === 0) return { kind: "ignored", note: `${event} for a resource not made through the gateway` };
  const fromBody = adopting.map((kind) => ({ kind, reported: reportedResource(kind, merchant, event, data) }));
  const fetching = fromBody.some((k) => k.reported === undefined);
  if (fetching && !budget.take(merchant.sid, data.id, false)) return SPENT;
  for (const { kind, reported } of fromBody) {
    const found = await unmatched(() => (kind.adopt as NonNullable<TransitionKind["adopt"]>)(deps, merchant, event, data, reported));
    if (found === GONE) return GONE_OUTCOME;
    if (found) {
      const { resource, ...subject } = found;
      await applyResource(deps, merchant, kind, subject, resource);
      deps.signals.changed(subject.transition.id);
      return { kind: "processed", note: `${kind.name} (adopted)` };
    }
  }
  return { kind: "ignored", note: `${event} for a resource not made through the gateway` };
}

/** The resource as the webhook body gives it, if whole and of this merchant's own store. */
function reportedResource(kind: TransitionKind, merchant: Merchant, event: string, data: { store_id?: string | undefined }): unknown {
  if (!kind.fromEvent || data.store_id !== merchant.credentials.storeId) return undefined;
  return kind.fromEvent(event, data);
}

const isUnfinished = (t: TransitionRow) => UNFINISHED_TRANSITION_STATES.includes(t.state);

export type WebhookProcessor = WorkerLoop;

export function createWebhookProcessor(opts: {
  deps: PaymentDeps;
  logger: Logger;
  /** Unique per process, like the dispatcher's: completion applies only while this worker holds the event. */
  workerId: string;
  policy?: RetryPolicy;
  batchSize?: number;
  lockMs?: number;
  random?: () => number;
  /** Delay that lets deliveries arriving together share one claim (default 5 ms). */
  wakeDelayMs?: number;
  budget?: FetchBudget;
}): WebhookProcessor {
  const { deps, workerId } = opts;
  const budget = opts.budget ?? createFetchBudget();
  const log = opts.logger.child({ module: "webhooks.processor" });
  const policy = opts.policy ?? DEFAULT_WEBHOOK_RETRY;
  const random = opts.random ?? Math.random;
  const batchSize = opts.batchSize ?? 32;

  async function handle(row: WebhookEventRow): Promise<void> {
    let out: ProcessOutcome | { kind: "retry"; nextAttemptAt: Date; error: string } | { kind: "dead"; error: string };
    try {
      // Counted when claimed: an event whose processing kills its worker every time runs out too.
      out =
        row.attempts > policy.maxAttempts
          ? { kind: "dead", error: `claimed ${row.attempts} times without completing` }
          : await processWebhookEvent(deps, row, budget);
    } catch (err) {
      const next = nextAttemptAt(row.attempts, policy, deps.now(), random);
      const error = err instanceof Error ? err.message : String(err);
      out = next ? { kind: "retry", nextAttemptAt: next, error } : { kind: "dead", error };
    }
    if (!(await deps.store.completeWebhookEvent(workerId, row.id, out))) {
      log.warn({ eventId: row.id, sid: row.sid, event: row.event }, "webhook event lock lost before completion, outcome discarded");
      return;
    }
    const fields = { eventId: row.id, sid: row.sid, event: row.event, attempt: row.attempts };
    if (out.kind === "retry") log.warn({ ...fields, nextAttemptAt: out.nextAttemptAt, error: out.error }, "webhook event failed, retry scheduled");
    else if (out.kind === "dead") log.error({ ...fields, error: out.error }, "webhook event retries exhausted");
    else log.info({ ...fields, result: out.kind, note: out.note }, "webhook event handled");
  }

  async function pass(): Promise<number> {
    const rows = await deps.store.claimDueWebhookEvents(workerId, deps.now(), batchSize, opts.lockMs ?? 60_000);
    await Promise.all(
      rows.map((row) =>
        handle(row).catch((err: unknown) => log.warn({ err, eventId: row.id }, "webhook event completion failed, retried after its lock expires")),
      ),
    );
    return rows.length;
  }

  return createWorkerLoop({ pass, logger: log, batchSize, ...(opts.wakeDelayMs !== undefined ? { wakeDelayMs: opts.wakeDelayMs } : {}) });
}
