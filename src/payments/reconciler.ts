/**
 * Reconciliation: UnivaPay's webhooks are best-effort (and a webhook can be disabled), so a
 * transition answered rst=0 must not wait for one for ever. Open transitions that have not moved
 * for a while are re-fetched through their kind and settled through the same settleTransition as
 * the request path and the webhook processor. It never decides a failure on its own: a
 * transition it cannot resolve is only sent to the back of the line.
 */
import type { Logger } from "../logging/logger";
import type { SubscriptionRow, TransitionRow } from "../store/store-types";
import { SYNC_RETRY_MS, syncSubscription } from "../recurring/sync-subscription";
import { applyResource } from "../transitions/apply-resource";
import { createWorkerLoop, type WorkerLoop } from "../workers/worker-loop";
import type { PaymentDeps } from "../transitions/payment-deps";

export interface ReconcilerOptions {
  readonly deps: PaymentDeps;
  readonly logger: Logger;
  /** Rows untouched for this long are reconciled (longer than a request's poll deadline). */
  readonly staleAfterMs: number;
  readonly batchSize?: number;
}

/** tick(): one pass over the stale transitions, resolving to how many were looked at. */
export type Reconciler = WorkerLoop;

export function createReconciler(opts: ReconcilerOptions): Reconciler {
  const { deps } = opts;
  const log = opts.logger.child({ module: "payments.reconciler" });
  const batch = opts.batchSize ?? 50;

  async function reconcile(t: TransitionRow): Promise<void> {
    const merchant = deps.merchants.get(t.sid);
    const kind = deps.kinds.get(t.kind);
    const payment = await deps.store.findPaymentByPid(t.pid);
    if (!merchant || !kind || !payment) return deps.store.touchTransition(t.id);
    const subject = { payment, transition: t };
    // A link-method payment is waiting for its shopper: the return and the webhook settle it
    // meanwhile, so the reconciler spends no UnivaPay request on it before its window is over.
    const windowEnds = kind.openForMs && t.state !== "reversing" ? t.createdAt.getTime() + kind.openForMs(deps) : 0;
    if (deps.now().getTime() < windowEnds) return deps.store.touchTransition(t.id);
    // Without an id, only a kind that can find its resource again (by our metadata) can look;
    // the others wait for their webhook (adopted by metadata) or the merchant's resend.
    const resource = t.univapayId ? await kind.fetch(deps, merchant, subject) : await kind.recover?.(deps, merchant, subject);
    const settled = await applyResource(deps, merchant, kind, subject, resource);
    const after = settled.transition.state;
    if (after === "pending" || after === "requested" || after === "reversing") {
      // Nothing found for an open one: nothing moved, nothing to notify; a resend resumes it with
      // the same idempotency key (or, past its deadline, it is abandoned and proven not created).
      if (resource === undefined && after !== "reversing")
        log.warn({ pid: t.pid, sid: t.sid, transition: t.id, kind: t.kind, state: t.state }, "open transition without a resource at UnivaPay");
      return deps.store.touchTransition(t.id);
    }
    log.info({ pid: t.pid, transition: t.id, kind: t.kind, state: after }, "transition finished by reconciliation");
  }

  /** An auto-billing whose due date has come without its result (no webhook): synced now. */
  async function sync(row: SubscriptionRow): Promise<void> {
    const merchant = deps.merchants.get(row.sid);
    if (!merchant) return void (await deps.store.updateSubscription(row.acid, { syncAfter: null }));
    const r = await syncSubscription(deps, merchant, row);
    if (r.made > 0) log.info({ sid: row.sid, acid: row.acid, made: r.made }, "automatic charges found by reconciliation");
  }

  async function pass(): Promise<number> {
    const before = new Date(deps.now().getTime() - opts.staleAfterMs);
    const rows = await deps.store.listStaleTransitions(before, batch);
    for (const t of rows) {
      await reconcile(t).catch(async (err: unknown) => {
        log.warn({ err, pid: t.pid, transition: t.id }, "reconciliation failed, will retry");
        // To the back of the line: one row that keeps failing must not fill every pass.
        await deps.store.touchTransition(t.id).catch(() => undefined);
      });
    }
    const due = await deps.store.listSubscriptionsToSync(deps.now(), batch);
    for (const row of due) {
      await sync(row).catch(async (err: unknown) => {
        log.warn({ err, sid: row.sid, acid: row.acid }, "auto-billing sync failed, will retry");
        // To the back of the line: a sync that keeps failing must not starve the others.
        await deps.store.updateSubscription(row.acid, { syncAfter: new Date(deps.now().getTime() + SYNC_RETRY_MS) }).catch(() => undefined);
      });
    }
    return rows.length + due.length;
  }

  // Interval only, never "again at once on a full batch": a transition whose reconciliation fails
  // (UnivaPay down) is not touched, and would otherwise be retried in a tight loop.
  return createWorkerLoop({ pass, logger: log });
}
