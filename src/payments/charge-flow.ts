/**
 * memberpay.aspx (job AUTH | CAPTURE with a member token) and payment.aspx ptype=1 with card data
 * (PCI merchants): one legacy request → at most one UnivaPay charge. The flow is written as
 * "resume from the stored state": a repeated request finds its payment row by request key and
 * continues where the first one stopped, re-sending POSTs only with the same Idempotency-Key.
 */
import type { Merchant } from "../config/merchants";
import { ecFor, mapCharge, mapFields, type LegacyFailure } from "../mapping";
import type { PaymentRow } from "../store/store-types";
import { deriveIdempotencyKey } from "../univapay/idempotency-key";
import { CreateTokenBodySchema, type Charge, type CreateTokenBody } from "../univapay/univapay-types";
import { enqueueKickback } from "./kickback-render";
import { failure, type LegacyRequest } from "./legacy-request";
import type { LegacyResult } from "./legacy-result";
import type { PaymentDeps } from "./payment-deps";
import { creationTransition, judgeCreation, recordPending, resultFromPayment, settlePaymentCreation } from "./settle-payment";
import { classifyUpstreamError } from "./upstream-outcome";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ChargeFlowAnswer = { ok: true; result: LegacyResult } | { ok: false; failures: LegacyFailure[] };

export async function runChargeFlow(deps: PaymentDeps, req: LegacyRequest): Promise<ChargeFlowAnswer> {
  const { table } = deps;
  const { merchant, form, op } = req;
  const failures: LegacyFailure[] = [];
  let tokenId: string | null = null;
  let tokenBody: CreateTokenBody | null = null;

  if (op.action === "cardCharge") {
    if (!merchant.gatewayCardPayments) {
      return { ok: false, failures: [failure(table, "card_payments_disabled", "gateway card payments are off for this merchant")] };
    }
    const t = mapFields(table, "cardToken", form, { now: deps.now() });
    if (t.ok) tokenBody = toTokenBody(t.value);
    else failures.push(...t.failures);
  } else {
    const member = form.get("upcmemberid");
    if (!member) failures.push(failure(table, "member_missing", "upcmemberid is missing", "upcmemberid"));
    else {
      tokenId = (await deps.store.getMemberToken(merchant.sid, member))?.tokenId ?? (UUID.test(member) ? member : null);
      if (!tokenId) failures.push(failure(table, "member_unknown", "upcmemberid is not a known member", "upcmemberid"));
    }
  }
  const mapped = mapCharge(table, form, { now: deps.now() });
  if (!mapped.ok) failures.push(...mapped.failures);
  if (failures.length > 0 || !mapped.ok) return { ok: false, failures };

  // Written by the version before HMAC keys: the same request, resumed under its own key.
  const prior = req.priorKey ? await deps.store.findPaymentByRequestKey(merchant.sid, req.priorKey) : undefined;
  const { row } = prior ? { row: prior } : await deps.store.insertPayment({
    sid: merchant.sid,
    requestKey: req.requestKey,
    chargeId: null,
    tokenId,
    job: op.job,
    svid: req.svid,
    amount: mapped.value.body.amount,
    total: mapped.value.total,
    sod: form.get("sod") ?? null,
    state: "requested",
    univapayStatus: null,
    errorCode: null,
    echo: req.echo,
    charset: form.charset,
    mode: merchant.mode,
  });
  // The row's own key: UnivaPay's idempotency keys were derived from it when it was written.
  return { ok: true, result: await advance(deps, merchant, row, tokenBody, mapped.value.body, op.capture, row.requestKey) };
}

/** Moves a payment forward from whatever state it is in; safe to call again for the same payment. */
async function advance(
  deps: PaymentDeps,
  merchant: Merchant,
  payment: PaymentRow,
  tokenBody: CreateTokenBody | null,
  chargeBody: { amount: number; currency: string; metadata: Record<string, unknown> },
  capture: boolean,
  requestKey: string,
): Promise<LegacyResult> {
  const ecPending = ecFor(deps.table, "result_pending");
  const creds = merchant.credentials;
  let current = payment;
  let chargeId = payment.chargeId;

  if (current.state === "requested" && !chargeId) {
    if (!current.tokenId) {
      if (!tokenBody) return reject(deps, merchant, current, ecFor(deps.table, "member_unknown"));
      try {
        const token = await deps.client.createTransactionToken(creds, tokenBody, deriveIdempotencyKey(requestKey, "token"));
        current = await deps.store.updatePayment(current.pid, { tokenId: token.id });
      } catch (err) {
        return onCreateError(deps, merchant, current, err, ecPending);
      }
    }
    try {
      const charge = await deps.client.createCharge(
        creds,
        {
          ...chargeBody,
          transaction_token_id: current.tokenId as string,
          capture,
          metadata: { ...chargeBody.metadata, "legacy-pid": current.pid, "legacy-sid": current.sid },
        },
        deriveIdempotencyKey(requestKey, "charge"),
      );
      // Not written yet: the settle below records the charge id with the outcome, in one write.
      chargeId = charge.id;
    } catch (err) {
      return onCreateError(deps, merchant, current, err, ecPending);
    }
  }
  if (!chargeId || (current.state !== "requested" && current.state !== "pending")) return resultFromPayment(current, ecPending);

  let charge: Charge;
  try {
    charge = await deps.client.waitForCharge(creds, chargeId, Date.now() + deps.pollDeadlineMs /* a real-time budget: how long the merchant waits */, (ch) => {
      const o = judgeCreation(deps.table, current.job, ch).outcome;
      return o === "success" || o === "failure";
    });
  } catch (err) {
    deps.logger.warn({ err, pid: current.pid }, "charge status unavailable, result will follow by kickback");
    return resultFromPayment(await recordPending(deps, current.pid, { id: chargeId, status: "pending" }), ecPending);
  }
  return (await settlePaymentCreation(deps, merchant, current, charge, ecPending)).result;
}

/** The mapping table's cardToken rule set must produce a valid POST /tokens body; if not, the
 *  table is wrong (a bug, rendered as an internal error), never something to send. */
function toTokenBody(mapped: Record<string, unknown>): CreateTokenBody {
  const r = CreateTokenBodySchema.safeParse(mapped);
  if (!r.success) throw new Error(`mappings/fields.yaml cardToken produced an invalid token body: ${r.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  return r.data;
}

async function onCreateError(deps: PaymentDeps, merchant: Merchant, payment: PaymentRow, err: unknown, ecPending: string): Promise<LegacyResult> {
  const o = classifyUpstreamError(deps.table, err);
  if (o.kind === "rejected") {
    deps.logger.warn({ pid: payment.pid, code: o.code, ec: o.ec }, "univapay rejected the payment");
    return reject(deps, merchant, payment, o.ec);
  }
  if (o.kind === "unknown") {
    // The POST may have been processed. The row stays `requested`: the merchant's retry of the
    // same legacy request re-sends the same Idempotency-Key, which returns the original charge.
    deps.logger.warn({ pid: payment.pid }, "payment outcome unknown, answered as pending");
    return resultFromPayment(payment, ecPending);
  }
  // Nothing reached UnivaPay: a failure for this attempt, but nothing is stored as failed, so a
  // retry of the same request tries again. No pid: no payment was made, and a merchant that
  // stored one would later ask for a payment that never happened.
  deps.logger.warn({ pid: payment.pid }, "univapay unreachable, nothing charged");
  return { ...resultFromPayment(payment, ecPending), pid: null, outcome: "failure", ec: ecFor(deps.table, "upstream_unavailable") };
}

/** A final failure decided before or at creation: store it and notify, in one transaction. */
async function reject(deps: PaymentDeps, merchant: Merchant, payment: PaymentRow, ec: string): Promise<LegacyResult> {
  let enqueued = false;
  const updated = await deps.store.transaction(async (tx) => {
    const row = await tx.updatePayment(payment.pid, { state: "failed", errorCode: ec });
    const result = resultFromPayment(row, ec);
    enqueued = await enqueueKickback(tx, deps.table, merchant, row, creationTransition(row.job, "failure"), result, deps.now());
    return row;
  });
  if (enqueued) deps.onKickbackEnqueued();
  return resultFromPayment(updated, ec);
}
