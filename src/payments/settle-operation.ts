/**
 * Applies the outcome of a follow-up operation (SALES = capture, CANCEL = void or refund) to the
 * operation row and its payment, and enqueues the kickback, in one transaction. Shared by the
 * synchronous path and the webhook processor; idempotent like settlePaymentCreation.
 */
import type { Merchant } from "../config/merchants";
import {
  cancelOutcome,
  chargeOutcome,
  ecForPaymentError,
  refundOutcome,
  SUCCESS_EC,
  type MappingTable,
} from "../mapping";
import type { OperationRow, PaymentRow, PaymentState } from "../store/store-types";
import type { Cancel, Charge, Refund } from "../univapay/univapay-types";
import { enqueueKickback } from "./kickback-render";
import type { LegacyOutcome, LegacyResult } from "./legacy-result";
import type { PaymentDeps } from "./payment-deps";

export type OperationSubject =
  | { readonly kind: "capture"; readonly charge: Charge }
  | { readonly kind: "cancel"; readonly cancel: Cancel }
  | { readonly kind: "refund"; readonly refund: Refund };

const STATE_AFTER: Record<OperationSubject["kind"], PaymentState> = {
  capture: "captured",
  cancel: "canceled",
  refund: "refunded",
};

/** Pure: the legacy outcome of an operation subject; unknown statuses never become success. */
export function judgeOperation(table: MappingTable, s: OperationSubject): { outcome: LegacyOutcome | "unknown"; ec: string | null } {
  const [outcome, error] =
    s.kind === "capture"
      ? [chargeOutcome(table, "SALES", s.charge.status), s.charge.error]
      : s.kind === "cancel"
        ? [cancelOutcome(table, s.cancel.status), s.cancel.error]
        : [refundOutcome(table, s.refund.status), s.refund.error];
  return { outcome, ec: outcome === "failure" ? ecForPaymentError(table, error?.code) : null };
}

export function resultFromOperation(op: OperationRow, payment: PaymentRow, ecPending: string): LegacyResult {
  const outcome: LegacyOutcome = op.state === "succeeded" ? "success" : op.state === "failed" ? "failure" : "pending";
  return {
    outcome,
    ec: outcome === "success" ? SUCCESS_EC : outcome === "failure" ? op.errorCode ?? ecPending : ecPending,
    pid: payment.pid,
    job: op.job,
    sod: payment.sod,
    total: payment.total,
    mode: payment.mode,
  };
}

export async function settleOperation(
  deps: PaymentDeps,
  merchant: Merchant,
  operationId: string,
  subject: OperationSubject,
  ecPending: string,
): Promise<{ operation: OperationRow; payment: PaymentRow; result: LegacyResult }> {
  const verdict = judgeOperation(deps.table, subject);
  let enqueued = false;
  const out = await deps.store.transaction(async (tx) => {
    const op = await tx.findOperation(operationId);
    if (!op) throw new Error(`operation ${operationId} vanished`);
    const payment = await tx.findPaymentByPid(op.pid);
    if (!payment) throw new Error(`payment ${op.pid} vanished`);
    if (verdict.outcome === "unknown") {
      deps.logger.warn({ pid: op.pid, operationId, subject: subject.kind }, "unknown operation status, treated as pending");
    }
    if (op.state === "succeeded" || op.state === "failed" || verdict.outcome === "pending" || verdict.outcome === "unknown") {
      return { operation: op, payment };
    }
    const operation = await tx.updateOperation(op.id, {
      state: verdict.outcome === "success" ? "succeeded" : "failed",
      errorCode: verdict.ec,
    });
    const updatedPayment =
      verdict.outcome === "success"
        ? await tx.updatePayment(payment.pid, {
            state: STATE_AFTER[subject.kind],
            univapayStatus: subject.kind === "capture" ? subject.charge.status : payment.univapayStatus,
          })
        : payment;
    const result = resultFromOperation(operation, updatedPayment, ecPending);
    const transition = verdict.outcome === "success" ? op.job : `${op.job}:failed:${op.id}`;
    enqueued = await enqueueKickback(tx, deps.table, merchant, updatedPayment, transition, result, deps.now(), op.echo);
    return { operation, payment: updatedPayment };
  });
  if (enqueued) deps.onKickbackEnqueued();
  return { ...out, result: resultFromOperation(out.operation, out.payment, ecPending) };
}
