/**
 * `hostedCharge`: the link method (payment.aspx ptype 3/4/8 from the shopper's browser). The
 * gateway makes no charge itself: open() records the payment and its creation, and the shopper
 * makes the charge on the merchant's UnivaPay link form, which carries our pid as metadata. The
 * charge is then found — by the return (src/hosted), a webhook or the reconciler, whichever comes
 * first — and settles the creation exactly once, with its kickback. A payment left unpaid for
 * HOSTED_LINK_TTL_MS is abandoned with a failure kickback (link_expired); a charge that appears
 * after that is refunded (apply-resource's reversal).
 */
import type { Merchant } from "../../config/merchants";
import { legacyFailure, mapFields, withContext, type LegacyFailure } from "../../mapping";
import { isRecurringRequest } from "../../recurring/plan-recurring";
import { creationTransitionId } from "../../store/store-types";
import type { Charge } from "../../univapay/univapay-types";
import type { LegacyRequest } from "../legacy-request";
import { transitionResult } from "../transition-result";
import type { KindContext, OpenResult, Subject, TransitionKind, Verdict } from "../transition-kind";
import { adoptCharge } from "./adopt-charge";
import { afterCreationCharge, judgeCreationCharge } from "./charge-kind";
import { chargeFromEvent, fetchCharge } from "./fetch-charge";
import { createCreation, orderKeyOf, storedCreation } from "./open-creation";
import { reverseCharge } from "./reverse-charge";

export const HOSTED_KIND = "hostedCharge";
/** The one payment type the link method is mapped for so far (services.yaml `paymentType`). */
const PAYMENT_TYPE = "card";
/** Used when the composition root gives no HOSTED_LINK_TTL_MS (tests of other parts). */
const DEFAULT_LINK_TTL_MS = 30 * 60 * 1000;

export interface HostedPlan {
  /** The link form's parameters from fields.yaml `linkForm`, context values filled in. */
  readonly form: Record<string, unknown>;
}

/** The shopper's earlier attempt ended unpaid: a new entry is a new payment, not its replay. */
const endedUnpaid = (s: Subject) => s.transition.state === "failed" || s.transition.state === "reversing" || s.transition.state === "reversed";

async function open(ctx: KindContext, req: LegacyRequest): Promise<OpenResult<HostedPlan>> {
  const { table } = ctx;
  const { merchant, form, op } = req;
  const failures: LegacyFailure[] = [];
  if (!merchant.hostedPage) return { ok: false, failures: [legacyFailure(table, "hosted_not_configured", "no hostedPage for this merchant")] };
  if (op.paymentType !== undefined && op.paymentType !== PAYMENT_TYPE)
    failures.push(legacyFailure(table, "svid_unsupported", `payment type ${op.paymentType} is not offered on the link form yet`, "svid"));
  if (isRecurringRequest(form)) failures.push(legacyFailure(table, "recurring_not_supported", "auto-billing is not offered by the link method yet", "actp1"));
  const sucd = form.get("sucd");
  if (sucd && merchant.returnUrls[sucd] === undefined)
    failures.push(legacyFailure(table, "return_code_unknown", `sucd ${sucd.slice(0, 40)} is not registered`, "sucd"));
  const mapped = mapFields(table, "linkForm", form, { now: ctx.now() });
  if (!mapped.ok) failures.push(...mapped.failures);
  if (failures.length > 0 || !mapped.ok) return { ok: false, failures };
  const amount = mapped.value.amount;
  if (typeof amount !== "number") throw new Error("mappings/fields.yaml linkForm must produce an amount");

  let made = await storedCreation(ctx, merchant, [req.requestKey, ...req.priorKeys]);
  if (made && endedUnpaid(made)) {
    // The same order sent again after the shopper left the form unpaid (LEG's back page leads to
    // the same redirect): the old payment keeps its failure, this one starts afresh.
    await ctx.store.retireRequestKey("payments", made.payment.pid, made.payment.requestKey);
    made = undefined;
  }
  if (!made) {
    const fresh = await createCreation(ctx, req, { kind: HOSTED_KIND, tokenId: null, amount, total: amount, orderKey: orderKeyOf(req) });
    if (fresh.refusedFor)
      return { ok: false, pid: fresh.payment.pid, failures: [legacyFailure(table, "duplicate_request", `order already paid by ${fresh.refusedFor}`)] };
    made = fresh;
  }
  const body = withContext(table, "linkForm", mapped.value, { pid: made.payment.pid, sid: made.payment.sid });
  if (!body.ok) return { ok: false, failures: body.failures };
  return { ok: true, opened: { payment: made.payment, transition: made.transition, plan: { form: body.value } } };
}

/**
 * A charge the form made is judged as any charge creation, except that it must be the one the
 * gateway sent the shopper to make: the payment's amount in yen. The form's URL passes through
 * the shopper's browser, so a different amount is a tampered link: never a success. It is judged
 * unknown — the payment stays unpaid, expires with its failure kickback, and the charge is then
 * refunded like any charge of an abandoned payment.
 */
function judge(table: KindContext["table"], s: Subject, charge: Charge): Verdict {
  if (charge.requested_amount !== s.payment.amount || charge.requested_currency.toUpperCase() !== "JPY") {
    return { outcome: "unknown", ec: null, univapayStatus: charge.status };
  }
  return judgeCreationCharge(table, s, charge);
}

/** A charge with our pid once the payment has another one (a second tab paid too): refunded at
 *  once under a key of its own, since no order stands behind it. A payment without a charge yet
 *  keeps every candidate for recover(), and the reversal of an expired payment gives it back. */
async function refundStray(ctx: KindContext, merchant: Merchant, charge: Charge): Promise<void> {
  const pid = charge.metadata?.["legacy-pid"];
  if (typeof pid !== "string" || charge.store_id !== merchant.credentials.storeId) return;
  const payment = await ctx.store.findPayment(merchant.sid, pid);
  const transition = payment && (await ctx.store.findTransition(creationTransitionId(pid)));
  if (!payment || !transition || transition.kind !== HOSTED_KIND) return;
  if (payment.chargeId === null || payment.chargeId === charge.id) return;
  const stray: Subject = { payment: { ...payment, amount: charge.requested_amount }, transition: { ...transition, id: `stray:${charge.id}` } };
  const r = await reverseCharge(ctx, merchant, stray, charge);
  ctx.logger.warn({ pid, sid: merchant.sid, chargeTail: charge.id.slice(-6), result: r }, "a second charge for a link-method payment: given back");
}

export const hostedChargeKind: TransitionKind<HostedPlan, Charge> = {
  name: HOSTED_KIND,
  actions: [HOSTED_KIND],
  events: ["charge_updated", "charge_finished"],
  checkRow: (row) => [
    ...(row.capture === undefined ? ["a hostedCharge row needs capture: true (仮実同時) or false (仮売上)"] : []),
    ...(row.channel !== "browser" ? ["a hostedCharge row is a browser row (channel: browser)"] : []),
  ],
  open,
  create() {
    // The shopper creates the charge on UnivaPay's form; the gateway never POSTs one for it.
    return Promise.reject(new Error("a hosted-page payment is created by the shopper on UnivaPay's form, not by the gateway"));
  },
  fetch: fetchCharge(judge),
  judge,
  after: afterCreationCharge,
  identify: (charge) => ({ resource: "charge", univapayId: charge.id }),
  fromEvent: chargeFromEvent,
  async adopt(ctx, merchant, _event, data, reported) {
    const charge = reported ?? (await ctx.client.getCharge(merchant.credentials, data.id));
    const found = await adoptCharge(ctx, merchant, charge, HOSTED_KIND);
    if (found) return found;
    await refundStray(ctx, merchant, charge);
    return undefined;
  },
  async recover(ctx, merchant, { payment }) {
    const found = await ctx.client.findChargesByMetadata(merchant.credentials, "legacy-pid", payment.pid);
    const ours = found.filter((c) => c.metadata?.["legacy-pid"] === payment.pid && c.store_id === merchant.credentials.storeId);
    // The one for the payment's amount first; a tampered one only when there is no other.
    return ours.find((c) => c.requested_amount === payment.amount) ?? ours[0];
  },
  // What is given back is what the charge holds: a tampered link's charge is not the payment's amount.
  reverse: (ctx, merchant, s, charge) => reverseCharge(ctx, merchant, { ...s, payment: { ...s.payment, amount: charge.requested_amount } }, charge),
  openForMs: (ctx) => ctx.hostedLinkTtlMs ?? DEFAULT_LINK_TTL_MS,
  abandonNotice: "link_expired",
  reply: transitionResult,
};
