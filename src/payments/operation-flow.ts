/**
 * payment.aspx job=SALES|CANCEL with pid: operations on an existing payment. SALES captures an
 * earlier AUTH; CANCEL voids an authorisation or refunds (in full) a captured payment. Like the
 * charge flow it resumes from the stored operation row, so a repeated request is idempotent.
 */
import type { Merchant } from "../config/merchants";
import { ecFor, type LegacyFailure } from "../mapping";
import type { OperationRow, PaymentRow } from "../store/store-types";
import { deriveIdempotencyKey } from "../univapay/idempotency-key";
import { enqueueKickback } from "./kickback-render";
import { failure, type LegacyRequest } from "./legacy-request";
import type { LegacyResult } from "./legacy-result";
import type { PaymentDeps } from "./payment-deps";
import { judgeOperation, resultFromOperation, settleOperation, type OperationSubject } from "./settle-operation";
import { classifyUpstreamError } from "./upstream-outcome";

export type OperationAnswer = { ok: true; result: LegacyResult } | { ok: false; failures: LegacyFailure[]; pid?: string };

type Kind = OperationRow["kind"];

/** Which UnivaPay operation a legacy job means for a payment in its current state, if any. */
export function operationKindFor(action: "capture" | "cancel", state: PaymentRow["state"]): Kind | undefined {
  if (action === "capture") return state === "authorized" ? "capture" : undefined;
  if (state === "authorized") return "cancel";
  if (state === "captured") return "refund";
  return undefined;
}

export async function runOperationFlow(deps: PaymentDeps, req: LegacyRequest): Promise<OperationAnswer> {
  const { table } = deps;
  const { merchant, form, op } = req;
  const action = op.action === "capture" ? "capture" : "cancel";
  const pid = form.get("pid");
  if (!pid) return { ok: false, failures: [failure(table, "pid_missing", "pid is missing", "pid")] };
  const payment = await deps.store.findPayment(merchant.sid, pid);
  if (!payment) return { ok: false, failures: [failure(table, "pid_unknown", `unknown pid ${pid}`, "pid")] };

  const existing = (await deps.store.listOperations(pid)).find((o) => o.requestKey === req.requestKey || (req.priorKey !== undefined && o.requestKey === req.priorKey));
  let operation = existing;
  if (!operation) {
    const kind = operationKindFor(action, payment.state);
    if (!kind || !payment.chargeId) {
      const done = (await deps.store.listOperations(pid)).find((o) => o.job === op.job && o.state === "succeeded");
      // Repeating a SALES/CANCEL that already succeeded answers its success again, as a resend would.
      if (done) return { ok: true, result: resultFromOperation(done, payment, ecFor(table, "result_pending")) };
      return {
        ok: false,
        pid,
        failures: [failure(table, "operation_not_allowed", `${op.job} not allowed for a payment in state ${payment.state}`, "pid")],
      };
    }
    operation = (
      await deps.store.insertOperation({
        pid,
        sid: merchant.sid,
        requestKey: req.requestKey,
        job: op.job,
        kind,
        univapayId: null,
        state: "requested",
        errorCode: null,
        echo: req.echo,
      })
    ).row;
  }
  return { ok: true, result: await advance(deps, merchant, payment, operation) };
}

async function advance(deps: PaymentDeps, merchant: Merchant, payment: PaymentRow, operation: OperationRow): Promise<LegacyResult> {
  const ecPending = ecFor(deps.table, "result_pending");
  if (operation.state === "succeeded" || operation.state === "failed") return resultFromOperation(operation, payment, ecPending);
  if (operation.state === "pending" && operation.kind !== "capture" && !operation.univapayId) {
    throw new Error(`operation ${operation.id} is pending without a UnivaPay id`);
  }
  const creds = merchant.credentials;
  const chargeId = payment.chargeId as string;
  const key = deriveIdempotencyKey(operation.requestKey, operation.kind);
  let op = operation;

  if (op.state === "requested") {
    try {
      if (op.kind === "capture") {
        await deps.client.captureCharge(creds, chargeId, { amount: payment.amount, currency: "JPY" }, key);
        op = await markPending(deps, op.id, null);
      } else if (op.kind === "cancel") {
        const c = await deps.client.createCancel(creds, chargeId, { metadata: { "legacy-pid": payment.pid } }, key);
        op = await markPending(deps, op.id, c.id);
      } else {
        const r = await deps.client.createRefund(
          creds,
          chargeId,
          { amount: payment.amount, currency: "JPY", reason: "customer_request", metadata: { "legacy-pid": payment.pid } },
          key,
        );
        op = await markPending(deps, op.id, r.id);
      }
    } catch (err) {
      const o = classifyUpstreamError(deps.table, err);
      if (o.kind === "rejected") return reject(deps, merchant, payment, op, o.ec);
      deps.logger.warn({ pid: payment.pid, operationId: op.id, outcome: o.kind }, "operation not confirmed by univapay");
      const base = resultFromOperation(op, payment, ecPending);
      return o.kind === "unknown" ? base : { ...base, outcome: "failure", ec: ecFor(deps.table, "upstream_unavailable") };
    }
  }

  if (op.state === "succeeded" || op.state === "failed") {
    // A webhook settled it while we were waiting for UnivaPay's answer.
    return resultFromOperation(op, (await deps.store.findPaymentByPid(payment.pid)) ?? payment, ecPending);
  }
  const deadline = Date.now() + deps.pollDeadlineMs /* a real-time budget: how long the merchant waits */;
  const isFinal = (s: OperationSubject) => {
    const v = judgeOperation(deps.table, s).outcome;
    return v === "success" || v === "failure";
  };
  let subject: OperationSubject;
  try {
    if (op.kind === "capture") {
      const charge = await deps.client.waitForCharge(creds, chargeId, deadline, (charge) => isFinal({ kind: "capture", charge }));
      subject = { kind: "capture", charge };
    } else if (op.kind === "cancel") {
      const cancel = await deps.client.waitForCancel(creds, chargeId, op.univapayId as string, deadline, (c) => isFinal({ kind: "cancel", cancel: c }));
      subject = { kind: "cancel", cancel };
    } else {
      const refund = await deps.client.waitForRefund(creds, chargeId, op.univapayId as string, deadline, (r) => isFinal({ kind: "refund", refund: r }));
      subject = { kind: "refund", refund };
    }
  } catch (err) {
    deps.logger.warn({ err, pid: payment.pid, operationId: op.id }, "operation status unavailable, result will follow by kickback");
    return resultFromOperation(op, payment, ecPending);
  }
  return (await settleOperation(deps, merchant, op.id, subject, ecPending)).result;
}

/** Records the accepted operation unless a webhook already settled it: states never move backwards. */
async function markPending(deps: PaymentDeps, operationId: string, univapayId: string | null): Promise<OperationRow> {
  return deps.store.transaction(async (tx) => {
    const row = await tx.findOperation(operationId);
    if (!row) throw new Error(`operation ${operationId} vanished`);
    const id = univapayId ? { univapayId } : {};
    if (row.state !== "requested") return row.univapayId || !univapayId ? row : tx.updateOperation(operationId, id);
    return tx.updateOperation(operationId, { state: "pending", ...id });
  });
}

async function reject(deps: PaymentDeps, merchant: Merchant, payment: PaymentRow, op: OperationRow, ec: string): Promise<LegacyResult> {
  let enqueued = false;
  const updated = await deps.store.transaction(async (tx) => {
    const row = await tx.updateOperation(op.id, { state: "failed", errorCode: ec });
    const result = resultFromOperation(row, payment, ec);
    enqueued = await enqueueKickback(tx, deps.table, merchant, payment, `${row.job}:failed:${row.id}`, result, deps.now(), row.echo);
    return row;
  });
  if (enqueued) deps.onKickbackEnqueued();
  return resultFromOperation(updated, payment, ec);
}
