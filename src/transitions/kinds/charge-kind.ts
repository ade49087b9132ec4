/**
 * `charge`: a payment's creation — memberpay.aspx AUTH/CAPTURE with a member token (action
 * `charge`), and the PCI gateway method, payment.aspx ptype=1 with card data (action `cardCharge`).
 * One legacy request, at most one UnivaPay charge (and one one-time token for card data), both
 * keyed by the request, so a repeat never charges twice.
 */
import type { z } from "zod";
import type { Merchant } from "../../config/merchants";
import { chargeOutcome, ecForPaymentError, mapCharge, mapFields, withContext, type LegacyFailure } from "../../mapping";
import { TRANSITIONS, type Transition } from "../../mapping/univapay-statuses";
import type { LegacyRequest } from "../legacy-request";
import { legacyFailure } from "../../mapping";
import type { PaymentPatch } from "../../store/store-types";
import { deriveIdempotencyKey } from "../../univapay/idempotency-key";
import { CreateChargeBodySchema, CreateTokenBodySchema, type Charge, type CreateTokenBody } from "../../univapay/univapay-types";
import { reverseCharge } from "./reverse-charge";
import { transitionResult } from "../transition-result";
import { adoptCharge } from "./adopt-charge";
import { chargeFromEvent, fetchCharge } from "./fetch-charge";
import { memberToken } from "./member-token";
import { createCreation, orderKeyOf, refuseUnlessRepeat, storedCreation } from "./open-creation";
import { isRecurringRequest } from "../../recurring/plan-recurring";
import { idempotencySeed } from "../idempotency-seed";
import type { KindContext, OpenResult, Opened, Subject, TransitionKind, Verdict } from "../transition-kind";

/** The one payment type this kind charges (services.yaml `paymentType`). */
const PAYMENT_TYPE = "card";
const CARD_ACTION = "cardCharge";

interface ChargePlan {
  /** POST /charges body as the mapping table makes it (token and capture added at create). */
  readonly body: Record<string, unknown>;
  readonly capture: boolean;
  /** POST /tokens body for card data; null when the payment's token is a member's. */
  readonly tokenBody: CreateTokenBody | null;
}

function isTransition(job: string): job is Transition {
  return (TRANSITIONS as readonly string[]).includes(job);
}

/** A body the mapping table made must be one UnivaPay accepts; if not, the table is wrong (a
 *  bug, rendered as an internal error), never something to send. */
function parsed<T>(schema: z.ZodType<T>, what: string, v: unknown): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new Error(`mappings/fields.yaml made an invalid ${what} body: ${r.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  return r.data;
}

/** Answers a repeat settled before it was read again; create() is never called with it. */
const NO_PLAN: ChargePlan = { body: {}, capture: false, tokenBody: null };

async function open(ctx: KindContext, req: LegacyRequest): Promise<OpenResult<ChargePlan>> {
  const { table } = ctx;
  const { merchant, form, op } = req;
  const failures: LegacyFailure[] = [];
  if (op.paymentType !== undefined && op.paymentType !== PAYMENT_TYPE)
    failures.push(legacyFailure(table, "svid_unsupported", `payment type ${op.paymentType} is not charged here`, "svid"));
  // Auto-billing is a memberpay row of its own (operations.yaml `when: actp1`); reaching here with
  // actp1 means a method that cannot bill again (raw card data has no member to charge later).
  // Refused rather than charged once with the subscription silently missing.
  if (isRecurringRequest(form)) failures.push(legacyFailure(table, "recurring_not_supported", "auto-billing is only offered on memberpay.aspx", "actp1"));
  let tokenId: string | null = null;
  let tokenBody: CreateTokenBody | null = null;
  if (op.action === CARD_ACTION) {
    if (!merchant.gatewayCardPayments)
      return { ok: false, failures: [legacyFailure(table, "card_payments_disabled", "gateway card payments are off for this merchant")] };
    const t = mapFields(table, "cardToken", form, { now: ctx.now() });
    if (t.ok) tokenBody = parsed(CreateTokenBodySchema, "token", t.value);
    else failures.push(...t.failures);
  } else {
    tokenId = await memberToken(ctx, req, failures);
  }
  const mapped = mapCharge(table, form, { now: ctx.now() });
  if (!mapped.ok) failures.push(...mapped.failures);
  if (failures.length > 0 || !mapped.ok) {
    // A repeat of a request already made is answered from what is stored, not refused: its card
    // may have expired or its member gone since, but the money moved. (Looked up only here, so a
    // new payment costs no extra query.)
    return refuseUnlessRepeat(ctx, req, failures, NO_PLAN);
  }
  // Written by the version before HMAC keys: the same request, resumed under its own key.
  const repeat = req.priorKeys.length > 0 ? await storedCreation(ctx, merchant, req.priorKeys) : undefined;

  const made: Subject & { created?: boolean; refusedFor?: string } =
    repeat ??
    (await createCreation(ctx, req, {
      kind: "charge",
      tokenId,
      amount: mapped.value.body.amount,
      total: mapped.value.total,
      orderKey: orderKeyOf(req),
    }));
  if (made.created !== true) {
    // A replay. Its payment refunded or voided since by a CANCEL: the first answer no longer says
    // what happened to the money, and this request moved none. Refused as a duplicate, with the pid.
    if (made.payment.state === "refunded" || made.payment.state === "canceled") {
      return {
        ok: false,
        pid: made.payment.pid,
        failures: [legacyFailure(table, "duplicate_request", `a repeat of pid ${made.payment.pid}, since ${made.payment.state}`)],
      };
    }
  } else if (made.refusedFor) {
    return { ok: true, opened: { ...made, plan: NO_PLAN } };
  }
  const body = withContext(table, "charge", mapped.value.body, { pid: made.payment.pid, sid: made.payment.sid });
  if (!body.ok) return { ok: false, failures: body.failures };
  return { ok: true, opened: { ...made, plan: { body: body.value, capture: op.row.capture === true, tokenBody } } };
}

async function create(ctx: KindContext, merchant: Merchant, { payment, plan }: Opened<ChargePlan>) {
  const creds = merchant.credentials;
  let tokenId = payment.tokenId;
  if (!tokenId) {
    if (!plan.tokenBody) throw new Error(`payment ${payment.pid} has neither a token nor card data`);
    // The row's own key: UnivaPay's idempotency keys were derived from it when it was written.
    const token = await ctx.client.createTransactionToken(
      creds,
      plan.tokenBody,
      deriveIdempotencyKey(idempotencySeed(payment.requestKey, payment.pid), "token"),
    );
    tokenId = token.id;
    await ctx.store.updatePayment(payment.pid, { tokenId });
  }
  const body = parsed(CreateChargeBodySchema, "charge", { ...plan.body, transaction_token_id: tokenId, capture: plan.capture });
  const charge = await ctx.client.createCharge(creds, body, deriveIdempotencyKey(idempotencySeed(payment.requestKey, payment.pid), "charge"));
  return { resource: "charge", univapayId: charge.id };
}

function judge(table: KindContext["table"], { transition }: Subject, charge: Charge): Verdict {
  // An unknown job cannot be judged: "unknown" keeps the payment open, never successful.
  const outcome = isTransition(transition.job) ? chargeOutcome(table, transition.job, charge.status) : "unknown";
  return { outcome, ec: outcome === "failure" ? ecForPaymentError(table, charge.error?.code) : null, univapayStatus: charge.status };
}

/** The mode UnivaPay reports for the charge; the declared one when it names neither. */
function modeOf(s: Subject, charge: Charge | undefined): PaymentPatch["mode"] {
  if (!charge || charge.mode === s.payment.mode) return undefined;
  return charge.mode === "test" || charge.mode === "live" ? charge.mode : undefined;
}

function after(s: Subject, charge: Charge | undefined, outcome: "success" | "failure" | "pending"): PaymentPatch {
  const chargeId = charge?.id ?? s.transition.univapayId ?? undefined;
  const mode = modeOf(s, charge);
  const state = outcome === "pending" ? "pending" : outcome === "failure" ? "failed" : s.transition.job === "AUTH" ? "authorized" : "captured";
  return { state, ...(chargeId ? { chargeId } : {}), ...(mode ? { mode } : {}) };
}

/** The charge kind's judge and after, for the kinds whose resource is a payment's own charge. */
export { judge as judgeCreationCharge, after as afterCreationCharge };

export const chargeKind: TransitionKind<ChargePlan, Charge> = {
  name: "charge",
  actions: ["charge", CARD_ACTION],
  events: ["charge_updated", "charge_finished"],
  checkRow: (row) => (row.capture === undefined ? ["a charge row needs capture: true (仮実同時) or false (仮売上)"] : []),
  open,
  create,
  fetch: fetchCharge(judge),
  judge,
  after,
  identify: (charge) => ({ resource: "charge", univapayId: charge.id }),
  fromEvent: chargeFromEvent,
  async adopt(ctx, merchant, _event, data, reported) {
    // A charge we never learned the id of: found through the legacy-pid metadata we attach.
    const charge = reported ?? (await ctx.client.getCharge(merchant.credentials, data.id));
    return adoptCharge(ctx, merchant, charge, "charge");
  },
  async recover(ctx, merchant, { payment }) {
    const found = await ctx.client.findChargesByMetadata(merchant.credentials, "legacy-pid", payment.pid);
    return found.find((c) => c.metadata?.["legacy-pid"] === payment.pid);
  },
  reverse: reverseCharge,
  reply: transitionResult,
};
