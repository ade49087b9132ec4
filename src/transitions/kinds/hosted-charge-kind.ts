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
import { creationTransitionId, OPEN_TRANSITION_STATES, UNFINISHED_TRANSITION_STATES, type PaymentRow, type TransitionRow } from "../../store/store-types";
import { abandonTransition } from "../apply-resource";
import type { Charge } from "../../univapay/univapay-types";
import type { LegacyRequest } from "../legacy-request";
import { isFailedTransition, transitionResult } from "../transition-result";
import type { KindContext, OpenResult, Subject, TransitionKind, Verdict } from "../transition-kind";
import { adoptCharge } from "./adopt-charge";
import { afterCreationCharge, judgeCreationCharge } from "./charge-kind";
import { chargeFromEvent, fetchCharge } from "./fetch-charge";
import { createCreation, orderKeyOf, storedCreation } from "./open-creation";
import { reverseCharge } from "./reverse-charge";

export const HOSTED_KIND = "hostedCharge";
/** The one payment type the link method is mapped for so far (services.yaml `paymentType`). */
const PAYMENT_TYPE = "card";

export interface HostedPlan {
  /** The link form's parameters from fields.yaml `linkForm`, context values filled in. */
  readonly form: Record<string, unknown>;
}

/** The shopper's earlier attempt ended unpaid: a new entry is a new payment, not its replay. */
const endedUnpaid = (s: Subject) => isFailedTransition(s.transition);
const isUnfinished = (t: TransitionRow) => UNFINISHED_TRANSITION_STATES.includes(t.state);

async function open(ctx: KindContext, req: LegacyRequest): Promise<OpenResult<HostedPlan>> {
  const { table } = ctx;
  const { merchant, form, op } = req;
  const failures: LegacyFailure[] = [];
  if (!merchant.hostedPage) return { ok: false, failures: [legacyFailure(table, "hosted_not_configured", "no hostedPage for this merchant")] };
  if (op.paymentType !== undefined && op.paymentType !== PAYMENT_TYPE)
    failures.push(legacyFailure(table, "svid_unsupported", `payment type ${op.paymentType} is not offered on the link form yet`, "svid"));
  if (isRecurringRequest(form)) failures.push(legacyFailure(table, "recurring_not_supported", "auto-billing is not offered by the link method yet", "actp1"));
  const sucd = form.get("sucd");
  // "-" is the return address's "no sucd" (return-link.ts).
  if (sucd && (sucd === "-" || !Object.hasOwn(merchant.returnUrls, sucd)))
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
    const made2 = await createHeld(ctx, req, amount);
    if ("refused" in made2) return { ok: false, pid: made2.refused, failures: [legacyFailure(table, "duplicate_request", `order held by ${made2.holder}`)] };
    made = made2;
  }
  const body = withContext(table, "linkForm", mapped.value, { pid: made.payment.pid, sid: made.payment.sid });
  if (!body.ok) return { ok: false, failures: body.failures };
  return { ok: true, opened: { payment: made.payment, transition: made.transition, plan: { form: body.value } } };
}

/**
 * A new payment under the order guard. An unpaid link-method payment holds its order for the
 * link's life (else a second checkout of the same order, its cart changed, would leave two forms
 * that can both be paid); a new checkout of that order replaces it: the old one ends now with its
 * rst=2 kickback (a charge made on its form later is given back), and the new one is made.
 */
async function createHeld(ctx: KindContext, req: LegacyRequest, amount: number): Promise<Subject | { refused: string; holder: string }> {
  // Held for the guard's whole window: the store never lets an unpaid one go by itself (a late
  // payment on its form would make a second payment of the order); only replacing it here does.
  const terms = { kind: HOSTED_KIND, tokenId: null, amount, total: amount, orderKey: orderKeyOf(req), holderOpenForMs: ctx.orderGuardWindowMs };
  const fresh = await createCreation(ctx, req, terms);
  if (!fresh.refusedFor) return fresh;
  const holder = await ctx.store.findPaymentByPid(fresh.refusedFor);
  const held = holder && (await ctx.store.findTransition(creationTransitionId(holder.pid)));
  if (!holder || !held || held.kind !== HOSTED_KIND || !OPEN_TRANSITION_STATES.includes(held.state))
    return { refused: fresh.payment.pid, holder: fresh.refusedFor };
  await abandonTransition(ctx, hostedChargeKind, { payment: holder, transition: held }, req.merchant, "payment_replaced");
  ctx.logger.info({ pid: holder.pid, sid: req.merchant.sid, by: fresh.payment.pid }, "an unpaid link-method payment replaced by a new checkout of its order");
  // The refused row holds this request's key: retired, so the retry is a new payment.
  await ctx.store.retireRequestKey("payments", fresh.payment.pid, req.requestKey);
  const again = await createCreation(ctx, req, terms);
  return again.refusedFor ? { refused: again.payment.pid, holder: again.refusedFor } : again;
}

/**
 * Whether a charge the form made is the one the gateway sent the shopper to make: the payment's
 * amount in yen, and for AUTH an authorisation only. The form's URL passes through the shopper's
 * browser, so anything else is a tampered link: never this payment (given back, see giveBackStray).
 */
function matches(payment: PaymentRow, transition: TransitionRow, charge: Charge): boolean {
  if (charge.requested_amount !== payment.amount || charge.requested_currency.toUpperCase() !== "JPY") return false;
  // `auth=true` removed (captured at once) or `captureAt` added (captured later): not 仮売上.
  if (transition.job === "AUTH" && (charge.status === "successful" || (charge.capture_at ?? null) !== null)) return false;
  return true;
}

function judge(table: KindContext["table"], s: Subject, charge: Charge): Verdict {
  if (!matches(s.payment, s.transition, charge)) return { outcome: "unknown", ec: null, univapayStatus: charge.status };
  return judgeCreationCharge(table, s, charge);
}

/**
 * A charge with our pid that can never be the payment's — a tampered one, one made after the
 * payment ended (a form left open, a bookmark), a second one once it has its own (two tabs) — is
 * given back at once, under a key of its own (a replay of this refund, never a second one). A
 * charge that may still become the payment (it matches, and the payment is unfinished with none
 * yet) and the payment's own are left to the transition machinery.
 */
async function giveBackStray(ctx: KindContext, merchant: Merchant, charge: Charge): Promise<void> {
  const pid = charge.metadata?.["legacy-pid"];
  if (typeof pid !== "string" || charge.store_id !== merchant.credentials.storeId) return;
  const payment = await ctx.store.findPayment(merchant.sid, pid);
  const transition = payment && (await ctx.store.findTransition(creationTransitionId(pid)));
  if (!payment || !transition || transition.kind !== HOSTED_KIND) return;
  if (transition.univapayId === charge.id || payment.chargeId === charge.id) return;
  if (isUnfinished(transition) && payment.chargeId === null && matches(payment, transition, charge)) return;
  const r = await giveBack(ctx, merchant, { payment, transition }, charge);
  ctx.logger.warn(
    { pid, sid: merchant.sid, chargeTail: charge.id.slice(-6), status: charge.status, result: r },
    "a charge that is not the link-method payment's: given back",
  );
}

/**
 * The one way a hosted charge is given back, whichever path finds it (a stray, or the reversal of
 * an abandoned payment): keyed by the charge, so it is never refunded under two keys and two
 * charges never share one; for what the charge holds, in its own currency.
 */
function giveBack(ctx: KindContext, merchant: Merchant, s: Subject, charge: Charge) {
  const subject: Subject = { payment: { ...s.payment, amount: charge.requested_amount }, transition: { ...s.transition, id: `hosted:${charge.id}` } };
  return reverseCharge(ctx, merchant, subject, charge);
}

/** Of the charges with our pid that match the payment, the one that is its outcome: the oldest
 *  that moved money, else one still being decided, else a failed one. */
function pickOwn(candidates: readonly Charge[], outcomeOf: (c: Charge) => Verdict["outcome"]): Charge | undefined {
  const oldestFirst = [...candidates].sort((a, b) => a.created_on.localeCompare(b.created_on));
  const first = (o: Verdict["outcome"]) => oldestFirst.find((c) => outcomeOf(c) === o);
  return first("success") ?? first("pending") ?? first("failure");
}

const openForMs = (ctx: KindContext) => ctx.hostedLinkTtlMs;

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
    if (found && isUnfinished(found.transition) && matches(found.payment, found.transition, charge)) return found;
    await giveBackStray(ctx, merchant, charge);
    return undefined;
  },
  async recover(ctx, merchant, s) {
    const { payment, transition } = s;
    const found = await ctx.client.findChargesByMetadata(merchant.credentials, "legacy-pid", payment.pid);
    const ours = found.filter((c) => c.metadata?.["legacy-pid"] === payment.pid && c.store_id === merchant.credentials.storeId);
    const outcomeOf = (c: Charge) => judgeCreationCharge(ctx.table, s, c).outcome;
    const own = pickOwn(
      ours.filter((c) => matches(payment, transition, c)),
      outcomeOf,
    );
    // Once one moved the money every other one is a stray, and a tampered one always is: given
    // back now, so the return and the reconciler find them even when no webhook does. A refusal is
    // logged for an operator and does not keep the payment's own charge from settling it.
    const ownPaid = own !== undefined && outcomeOf(own) === "success";
    for (const c of ours.filter((x) => x !== own && (ownPaid || !matches(payment, transition, x)))) {
      try {
        await giveBack(ctx, merchant, s, c);
      } catch (err) {
        ctx.logger.error(
          { err, pid: payment.pid, chargeTail: c.id.slice(-6) },
          "a stray link-method charge could not be given back: refund it in UnivaPay's admin",
        );
      }
    }
    return own;
  },
  releaseStray: giveBackStray,
  // What is given back is what the charge holds: a tampered link's charge is not the payment's amount.
  reverse: giveBack,
  openForMs,
  abandonNotice: "link_expired",
  reply: transitionResult,
};
