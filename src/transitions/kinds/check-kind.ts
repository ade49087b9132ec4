/**
 * `check`: job=CHECK (有効性チェック), a card checked without charging the merchant's customer.
 * With card data (payment.aspx ptype=1, action `cardCheck`) it is a recurring token with UnivaPay's
 * CVV authorisation — a 1-yen authorisation UnivaPay makes and voids itself — and the reply names
 * that token as the member (`upcmemberid`) memberpay.aspx charges from then on. On memberpay.aspx
 * (action `check`) it checks a member's card: its token active and its CVV authorisation current,
 * or the token already charged. One request, at most one token, keyed by the request; a CHECK has
 * a pid and a kickback like every creation, and its payment ends `checked`, which SALES and
 * CANCEL refuse: no money of the merchant's moved.
 */
import type { Merchant } from "../../config/merchants";
import { cvvAuthOutcome, ecFor, ecForPaymentError, legacyFailure, mapFields, type LegacyFailure, type MappingTable } from "../../mapping";
import { isRecurringRequest } from "../../recurring/plan-recurring";
import type { PaymentPatch } from "../../store/store-types";
import { deriveIdempotencyKey } from "../../univapay/idempotency-key";
import { CreateTokenBodySchema, TransactionTokenSchema, type CreateTokenBody, type TransactionToken } from "../../univapay/univapay-types";
import { idempotencySeed } from "../idempotency-seed";
import type { LegacyRequest } from "../legacy-request";
import { transitionResult } from "../transition-result";
import type { KindContext, OpenResult, Opened, Subject, TransitionKind, Verdict } from "../transition-kind";
import { memberToken } from "./member-token";
import { createCreation, refuseUnlessRepeat } from "./open-creation";

/** The token checked, with the error code of its CVV authorisation's charge when that failed. */
export interface CheckedToken {
  readonly token: TransactionToken;
  readonly declineCode?: number;
}

interface CheckPlan {
  /** POST /tokens body (card data); null when the card is a member's token already. */
  readonly tokenBody: CreateTokenBody | null;
}

const PAYMENT_TYPE = "card";
const CARD_ACTION = "cardCheck";
const NO_PLAN: CheckPlan = { tokenBody: null };

interface CvvAuthorize {
  readonly status?: string;
  readonly charge_id?: string | null;
}

function cvvAuthorizeOf(t: TransactionToken): CvvAuthorize | undefined {
  const auth = (t.data as { cvv_authorize?: CvvAuthorize | null } | null | undefined)?.cvv_authorize;
  return auth ?? undefined;
}

async function open(ctx: KindContext, req: LegacyRequest): Promise<OpenResult<CheckPlan>> {
  const { table } = ctx;
  const { merchant, form, op } = req;
  const failures: LegacyFailure[] = [];
  if (op.paymentType !== undefined && op.paymentType !== PAYMENT_TYPE)
    failures.push(legacyFailure(table, "svid_unsupported", `payment type ${op.paymentType} is not checked here`, "svid"));
  if (isRecurringRequest(form)) failures.push(legacyFailure(table, "recurring_not_supported", "a card check starts no auto-billing", "actp1"));
  let tokenId: string | null = null;
  let tokenBody: CreateTokenBody | null = null;
  if (op.action === CARD_ACTION) {
    if (!merchant.gatewayCardPayments)
      return { ok: false, failures: [legacyFailure(table, "card_payments_disabled", "gateway card payments are off for this merchant")] };
    // The member is the token this check makes; a name the merchant chose could not be honoured.
    if (form.get("upcmemberid")) failures.push(legacyFailure(table, "member_not_allowed", "CHECK with card data makes the member itself", "upcmemberid"));
    const t = mapFields(table, "checkToken", form, { now: ctx.now() });
    if (t.ok) tokenBody = CreateTokenBodySchema.parse(t.value);
    else failures.push(...t.failures);
  } else {
    tokenId = await memberToken(ctx, req, failures);
  }
  if (failures.length > 0) return refuseUnlessRepeat(ctx, req, failures, NO_PLAN);
  const made = await createCreation(ctx, req, {
    kind: op.action === CARD_ACTION ? "cardCheck" : "check",
    tokenId,
    // Nothing is charged to the merchant's customer: ta=0 (UnivaPay's 1-yen auth is its own).
    amount: 0,
    total: 0,
    // A check holds no order's money: the order guard does not count it.
    orderKey: null,
    recurring: null,
  });
  return { ok: true, opened: { ...made, plan: made.created ? { tokenBody } : { tokenBody: made.payment.tokenId ? null : tokenBody } } };
}

async function create(ctx: KindContext, merchant: Merchant, { payment, plan }: Opened<CheckPlan>) {
  if (plan.tokenBody) {
    const token = await ctx.client.createTransactionToken(
      merchant.credentials,
      plan.tokenBody,
      deriveIdempotencyKey(idempotencySeed(payment.requestKey, payment.pid), "token"),
    );
    await ctx.store.updatePayment(payment.pid, { tokenId: token.id });
    return { resource: "token", univapayId: token.id };
  }
  // A member's check sends nothing: its token is what is judged.
  if (!payment.tokenId) throw new Error(`CHECK ${payment.pid} has neither a token nor card data`);
  return { resource: "token", univapayId: payment.tokenId };
}

function judge(table: MappingTable, _s: Subject, { token, declineCode }: CheckedToken): Verdict {
  const auth = cvvAuthorizeOf(token);
  const status = auth?.status ?? null;
  const notMember = ecFor(table, "member_unknown");
  if (token.type !== "recurring" || token.active === false) return { outcome: "failure", ec: notMember, univapayStatus: status };
  if (status === null) {
    // No CVV authorisation: chargeable only if it was charged while its CVV was fresh (UnivaPay).
    const used = typeof (token as { last_used_on?: unknown }).last_used_on === "string";
    return { outcome: used ? "success" : "failure", ec: used ? null : notMember, univapayStatus: null };
  }
  const outcome = cvvAuthOutcome(table, status);
  return { outcome, ec: outcome === "failure" ? (status === "inactive" ? notMember : ecForPaymentError(table, declineCode)) : null, univapayStatus: status };
}

/** The token now (polled until its CVV authorisation is final, with `waitUntil`), and when the
 *  authorisation failed, the decline code of its 1-yen charge, so `ec` says why. */
async function fetchChecked(ctx: KindContext, merchant: Merchant, s: Subject, waitUntil?: number): Promise<CheckedToken> {
  const c = merchant.credentials;
  const id = s.transition.univapayId as string;
  const isFinal = (token: TransactionToken) => judge(ctx.table, s, { token }).outcome !== "pending";
  const token = waitUntil === undefined ? await ctx.client.getTransactionToken(c, id) : await ctx.client.waitForTransactionToken(c, id, waitUntil, isFinal);
  const auth = cvvAuthorizeOf(token);
  if (auth?.status !== "failed" || !auth.charge_id) return { token };
  const charge = await ctx.client.getCharge(c, auth.charge_id);
  return charge.error ? { token, declineCode: charge.error.code } : { token };
}

function after(_s: Subject, r: CheckedToken | undefined, outcome: "success" | "failure" | "pending"): PaymentPatch {
  const tokenId = r?.token.id;
  const state = outcome === "success" ? "checked" : outcome === "failure" ? "failed" : "pending";
  return { state, ...(tokenId ? { tokenId } : {}) };
}

/** memberpay.aspx CHECK: a member's card. The merchant named the member, so the answer does not. */
export const checkKind: TransitionKind<CheckPlan, CheckedToken> = {
  name: "check",
  actions: ["check"],
  events: ["token_cvv_auth_updated"],
  checkRow: () => [],
  open,
  create,
  fetch: fetchChecked,
  judge,
  after,
  identify: ({ token }) => ({ resource: "token", univapayId: token.id }),
  fromEvent(event, data) {
    if (event !== "token_cvv_auth_updated") return undefined;
    const r = TransactionTokenSchema.safeParse(data);
    // A failed authorisation is fetched instead: its decline code is on the 1-yen charge.
    return r.success && cvvAuthorizeOf(r.data)?.status !== "failed" ? { token: r.data } : undefined;
  },
  // Answered failure while its outcome was unknown: no money of the merchant's moved (the 1-yen
  // authorisation is UnivaPay's and voided by it), and the merchant never learned a new member's
  // id, so there is nothing to undo. A token made meanwhile stays unused at UnivaPay.
  reverse: () => Promise.resolve("nothing_moved"),
  reply: transitionResult,
};

/** payment.aspx CHECK with card data: the answer names the member the card became (its token
 *  id, which memberpay.aspx takes as upcmemberid), empty unless the check succeeded. */
export const cardCheckKind: TransitionKind<CheckPlan, CheckedToken> = {
  ...checkKind,
  name: "cardCheck",
  actions: [CARD_ACTION],
  reply(table, s) {
    const r = transitionResult(table, s);
    return { ...r, member: r.outcome === "success" ? (s.payment.tokenId ?? "") : "" };
  },
};
