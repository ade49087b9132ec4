/**
 * Reconciliation: UnivaPay's webhooks are best-effort (and a webhook can be disabled), so a
 * payment answered rst=0, or a SALES/CANCEL still open, must not wait for one for ever. Open rows
 * that have not moved for a while are re-fetched from the API and settled through the same
 * idempotent functions as the request path and the webhook processor. It never decides a failure
 * on its own: a row it cannot resolve is only sent to the back of the line.
 */
import type { Logger } from "../logging/logger";
import { ecFor } from "../mapping";
import type { OperationRow, PaymentRow } from "../store/store-types";
import type { PaymentDeps } from "./payment-deps";
import { settleOperation } from "./settle-operation";
import { settlePaymentCreation } from "./settle-payment";

export interface ReconcilerOptions {
  readonly deps: PaymentDeps;
  readonly logger: Logger;
  /** Rows untouched for this long are reconciled (longer than a request's poll deadline). */
  readonly staleAfterMs: number;
  readonly batchSize?: number;
}

export interface Reconciler {
  /** One pass over the stale rows; returns how many were looked at. */
  tick(): Promise<number>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export function createReconciler(opts: ReconcilerOptions): Reconciler {
  const { deps } = opts;
  const log = opts.logger.child({ module: "payments.reconciler" });
  const batch = opts.batchSize ?? 50;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function reconcilePayment(p: PaymentRow): Promise<void> {
    const merchant = deps.merchants.get(p.sid);
    if (!merchant) return deps.store.touchPayment(p.pid);
    const creds = merchant.credentials;
    const charge = p.chargeId
      ? await deps.client.getCharge(creds, p.chargeId)
      : (await deps.client.findChargesByMetadata(creds, "legacy-pid", p.pid)).find((c) => c.metadata?.["legacy-pid"] === p.pid);
    if (!charge) {
      // No charge was ever created for it (or not yet visible): nothing was charged, nothing to
      // notify. The merchant's resend of the same request resumes it with the same idempotency key.
      log.warn({ pid: p.pid, sid: p.sid, state: p.state }, "open payment without a charge at UnivaPay");
      return deps.store.touchPayment(p.pid);
    }
    const { payment } = await settlePaymentCreation(deps, merchant, p, charge, ecFor(deps.table, "result_pending"));
    if (payment.state === "pending" || payment.state === "requested") await deps.store.touchPayment(p.pid);
    else log.info({ pid: p.pid, state: payment.state }, "payment settled by reconciliation");
  }

  async function reconcileOperation(op: OperationRow): Promise<void> {
    const merchant = deps.merchants.get(op.sid);
    const payment = await deps.store.findPaymentByPid(op.pid);
    if (!merchant || !payment?.chargeId || (op.kind !== "capture" && !op.univapayId)) {
      // A cancel/refund whose create answer was lost has no id to look up; cancel_finished
      // (linked through metadata) or the merchant's resend settles it.
      return deps.store.touchOperation(op.id);
    }
    const creds = merchant.credentials;
    const pending = ecFor(deps.table, "result_pending");
    const result =
      op.kind === "capture"
        ? await settleOperation(deps, merchant, op.id, { kind: "capture", charge: await deps.client.getCharge(creds, payment.chargeId) }, pending)
        : op.kind === "cancel"
          ? await settleOperation(deps, merchant, op.id, { kind: "cancel", cancel: await deps.client.getCancel(creds, payment.chargeId, op.univapayId!) }, pending)
          : await settleOperation(deps, merchant, op.id, { kind: "refund", refund: await deps.client.getRefund(creds, payment.chargeId, op.univapayId!) }, pending);
    if (result.operation.state === "pending" || result.operation.state === "requested") await deps.store.touchOperation(op.id);
    else log.info({ pid: op.pid, operationId: op.id, state: result.operation.state }, "operation settled by reconciliation");
  }

  async function pass(): Promise<number> {
    const before = new Date(deps.now().getTime() - opts.staleAfterMs);
    const [payments, operations] = await Promise.all([
      deps.store.listStalePayments(before, batch),
      deps.store.listStaleOperations(before, batch),
    ]);
    const guard = (what: string, id: string, f: () => Promise<void>) =>
      f().catch((err: unknown) => log.warn({ err, what, id }, "reconciliation failed, will retry"));
    for (const p of payments) await guard("payment", p.pid, () => reconcilePayment(p));
    for (const o of operations) await guard("operation", o.id, () => reconcileOperation(o));
    return payments.length + operations.length;
  }

  function tick(): Promise<number> {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    tick,
    start(intervalMs) {
      timer = setInterval(() => void tick().catch((err: unknown) => log.error({ err }, "reconciliation pass failed")), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => 0);
    },
  };
}
