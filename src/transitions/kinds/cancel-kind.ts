/**
 * `cancel`: payment.aspx CANCEL of a pid — the old CANCEL meant both 取消 and 返品, so an
 * authorisation is voided (a UnivaPay cancel) and a captured payment refunded in full (a refund).
 * The transition's `resource` says which, from the moment it is opened.
 */
import type { Merchant } from "../../config/merchants";
import { cancelOutcome, ecForPaymentError, refundOutcome } from "../../mapping";
import { undoBody } from "./undo-body";
import { idempotencySeed } from "../idempotency-seed";
import type { PaymentRow } from "../../store/store-types";
import { deriveIdempotencyKey } from "../../univapay/idempotency-key";
import { CancelSchema, CreateCancelBodySchema, CreateRefundBodySchema, RefundSchema, type Cancel, type Refund } from "../../univapay/univapay-types";
import { transitionResult } from "../transition-result";
import type { KindContext, Subject, TransitionKind, Verdict } from "../transition-kind";
import { openOnPid } from "./open-on-pid";

type Undo = (Cancel & { readonly kind: "cancel" }) | (Refund & { readonly kind: "refund" });

function planFor(p: PaymentRow) {
  if (p.state === "authorized") return { resource: "cancel", univapayId: null };
  if (p.state === "captured") return { resource: "refund", univapayId: null };
  return undefined;
}

async function get(ctx: KindContext, merchant: Merchant, s: Subject, waitUntil: number | undefined): Promise<Undo> {
  const c = merchant.credentials;
  const chargeId = s.payment.chargeId as string;
  const id = s.transition.univapayId as string;
  const final = (u: Undo) => {
    const o = judge(ctx.table, s, u).outcome;
    return o === "success" || o === "failure";
  };
  if (s.transition.resource === "cancel") {
    const x =
      waitUntil === undefined
        ? await ctx.client.getCancel(c, chargeId, id)
        : await ctx.client.waitForCancel(c, chargeId, id, waitUntil, (r) => final({ ...r, kind: "cancel" }));
    return { ...x, kind: "cancel" };
  }
  const x =
    waitUntil === undefined
      ? await ctx.client.getRefund(c, chargeId, id)
      : await ctx.client.waitForRefund(c, chargeId, id, waitUntil, (r) => final({ ...r, kind: "refund" }));
  return { ...x, kind: "refund" };
}

function judge(table: KindContext["table"], _s: Subject, u: Undo): Verdict {
  const outcome = u.kind === "cancel" ? cancelOutcome(table, u.status) : refundOutcome(table, u.status);
  return { outcome, ec: outcome === "failure" ? ecForPaymentError(table, u.error?.code) : null, univapayStatus: u.status };
}

export const cancelKind: TransitionKind<undefined, Undo> = {
  name: "cancel",
  actions: ["cancel"],
  events: ["cancel_finished", "refund_finished"],
  checkRow: () => [],
  open: (ctx, req) => openOnPid(ctx, req, "cancel", planFor),
  async create(ctx, merchant, { payment, transition }) {
    const c = merchant.credentials;
    const chargeId = payment.chargeId as string;
    const resource = transition.resource as string;
    const key = deriveIdempotencyKey(idempotencySeed(transition.requestKey, transition.id), resource);
    const made =
      resource === "cancel"
        ? await ctx.client.createCancel(c, chargeId, CreateCancelBodySchema.parse(undoBody(ctx, resource, payment)), key)
        : await ctx.client.createRefund(c, chargeId, CreateRefundBodySchema.parse(undoBody(ctx, resource, payment)), key);
    return { resource, univapayId: made.id };
  },
  fetch: (ctx, merchant, s, waitUntil) => get(ctx, merchant, s, waitUntil),
  fromEvent(event, data) {
    if (event === "cancel_finished") {
      const r = CancelSchema.safeParse(data);
      return r.success ? { ...r.data, kind: "cancel" } : undefined;
    }
    if (event === "refund_finished") {
      const r = RefundSchema.safeParse(data);
      return r.success ? { ...r.data, kind: "refund" } : undefined;
    }
    return undefined;
  },
  judge,
  after: (s, _u, outcome) => (outcome === "success" ? { state: s.transition.resource === "cancel" ? "canceled" : "refunded" } : null),
  identify: (u) => ({ resource: u.kind, univapayId: u.id }),
  async adopt(ctx, merchant, event, data) {
    // A cancel/refund whose create answer we never stored: found through its legacy-pid metadata.
    const chargeId = typeof data.charge_id === "string" ? data.charge_id : undefined;
    if (!chargeId) return undefined;
    const resource = event === "cancel_finished" ? "cancel" : "refund";
    const c = merchant.credentials;
    const u: Undo =
      resource === "cancel"
        ? { ...(await ctx.client.getCancel(c, chargeId, data.id)), kind: "cancel" }
        : { ...(await ctx.client.getRefund(c, chargeId, data.id)), kind: "refund" };
    const pid = u.metadata?.["legacy-pid"];
    if (typeof pid !== "string") return undefined;
    const payment = await ctx.store.findPayment(merchant.sid, pid);
    if (!payment || payment.chargeId !== chargeId) return undefined;
    const open = (await ctx.store.listTransitions(pid)).find(
      (t) => t.kind === "cancel" && t.resource === resource && !t.univapayId && (t.state === "requested" || t.state === "pending"),
    );
    return open ? { payment, transition: open, resource: u } : undefined;
  },
  reply: transitionResult,
};
