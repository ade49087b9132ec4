/**
 * `subscription`: a payment whose first charge is made by a UnivaPay subscription — memberpay.aspx
 * AUTH/CAPTURE with `actp1` (自動課金, action `subscribe`), and with `sc` other than 1 (card-company
 * installments, action `installments`, which UnivaPay offers only as a subscription with an
 * `installment_plan`). One legacy request, at most one subscription, keyed by the request; the
 * payment's pid is the first charge's, so SALES/CANCEL of it act on that charge. An auto-billing
 * gets its acid (store.createSubscription) before anything is sent, and every reply and kickback
 * of its payments carries it. The automatic charges that follow are the `cycle` kind's.
 */
import type { Merchant } from "../../config/merchants";
import { chargeOutcome, ecFor, ecForPaymentError, legacyFailure, mapCharge, withContext, type LegacyFailure, type MappingTable } from "../../mapping";
import type { ParamSource } from "../../mapping/param-source";
import { TRANSITIONS, type Transition } from "../../mapping/univapay-statuses";
import { planRecurring } from "../../recurring/plan-recurring";
import { INSTALLMENT_COUNTS } from "../../recurring/installment-counts";
import type { PaymentPatch, RecurringRef } from "../../store/store-types";
import { deriveIdempotencyKey } from "../../univapay/idempotency-key";
import { CreateSubscriptionBodySchema, type Charge, type CreateSubscriptionBody, type Subscription } from "../../univapay/univapay-types";
import type { LegacyRequest } from "../legacy-request";
import { idempotencySeed } from "../idempotency-seed";
import { transitionResult } from "../transition-result";
import type { KindContext, OpenResult, Opened, Reversal, Subject, TransitionKind, Verdict } from "../transition-kind";
import { memberToken } from "./member-token";
import { createCreation, orderKeyOf, refuseUnlessRepeat } from "./open-creation";
import { reverseCharge } from "./reverse-charge";

/** The subscription with its first charge (undefined until UnivaPay has made it). */
export interface SubscriptionResource {
  readonly subscription: Subscription;
  readonly firstCharge: Charge | undefined;
}

interface SubscriptionPlan {
  readonly body: Omit<CreateSubscriptionBody, "transaction_token_id">;
  /** The auto-billing's terms to store with its acid; null for installments. */
  readonly autoBilling: {
    readonly actp: string;
    readonly acdc: string | null;
    readonly acmc: string | null;
    readonly cycleAmount: number;
    readonly automaticCharges: number | null;
    readonly drift: string;
  } | null;
}

const PAYMENT_TYPE = "card";
const INSTALLMENTS_ACTION = "installments";
/** UnivaPay's answer to a first charge, until it has one: the subscription's own status. */
const STATUS_OUTCOME: Readonly<Record<string, Verdict["outcome"]>> = {
  unverified: "pending",
  current: "success",
  authorized: "success",
  completed: "success",
  unpaid: "success",
  unconfirmed: "failure",
};
/** After the first reconciliation, the auto-billing is looked at again this soon. */
export const FIRST_SYNC_DELAY_MS = 60_000;

const isTransition = (job: string): job is Transition => (TRANSITIONS as readonly string[]).includes(job);

/** The request without `sc`, for the charge rule set: an installments row validates sc itself. */
function withoutSc(form: ParamSource): ParamSource {
  return { get: (name) => (name === "sc" ? undefined : form.get(name)), fields: form.fields.filter((f) => f.name !== "sc") };
}

function installmentCount(table: MappingTable, form: ParamSource, failures: LegacyFailure[]): number | null {
  const sc = form.get("sc") ?? "";
  const n = /^\d{1,2}$/.test(sc) ? Number(sc) : NaN;
  if ((INSTALLMENT_COUNTS as readonly number[]).includes(n)) return n;
  failures.push(legacyFailure(table, "installments_not_supported", `sc=${sc} is not an installment count UnivaPay offers`, "sc"));
  return null;
}

async function open(ctx: KindContext, req: LegacyRequest): Promise<OpenResult<SubscriptionPlan>> {
  const { table } = ctx;
  const { form, op } = req;
  const failures: LegacyFailure[] = [];
  if (op.paymentType !== undefined && op.paymentType !== PAYMENT_TYPE)
    failures.push(legacyFailure(table, "svid_unsupported", `payment type ${op.paymentType} is not charged here`, "svid"));
  const installments = op.action === INSTALLMENTS_ACTION;
  const tokenId = await memberToken(ctx, req, failures);
  const mapped = mapCharge(table, installments ? withoutSc(form) : form, { now: ctx.now() });
  if (!mapped.ok) failures.push(...mapped.failures);
  const count = installments ? installmentCount(table, form, failures) : null;
  const recurring = !installments && mapped.ok ? planRecurring(table, form, { now: ctx.now(), initialAmount: mapped.value.total }) : undefined;
  if (recurring && !recurring.ok) failures.push(...recurring.failures);
  // Both at once: UnivaPay refuses installment_plan with a schedule, and so do we.
  if (!installments && form.get("sc") && form.get("sc") !== "1")
    failures.push(legacyFailure(table, "installments_not_supported", "installments cannot be combined with auto-billing", "sc"));
  if (failures.length > 0 || !mapped.ok || (recurring && !recurring.ok)) {
    return refuseUnlessRepeat(ctx, req, failures, NO_PLAN);
  }
  const made = await createCreation(ctx, req, {
    kind: "subscription",
    tokenId,
    amount: mapped.value.body.amount,
    total: mapped.value.total,
    orderKey: orderKeyOf(req),
    recurring: null,
  });
  if (!made.created && (made.payment.state === "refunded" || made.payment.state === "canceled")) {
    return {
      ok: false,
      pid: made.payment.pid,
      failures: [legacyFailure(table, "duplicate_request", `a repeat of pid ${made.payment.pid}, since ${made.payment.state}`)],
    };
  }
  if (made.refusedFor) return { ok: true, opened: { ...made, plan: NO_PLAN } };
  const body = withContext(table, "charge", mapped.value.body, { pid: made.payment.pid, sid: made.payment.sid });
  if (!body.ok) return { ok: false, failures: body.failures };
  const metadata = (body.value["metadata"] ?? {}) as Record<string, string | number | boolean>;
  const capture = op.row.capture === true;
  if (recurring?.ok) {
    const plan = recurring.value;
    const autoBilling = {
      actp: plan.actp,
      acdc: plan.acdc,
      acmc: plan.acmc,
      cycleAmount: plan.cycleAmount,
      automaticCharges: plan.automaticCharges,
      drift: JSON.stringify(plan.drift),
    };
    // The acid exists before anything is sent: the reply to a lost answer's resend carries it too.
    const withAcid = await ensureAutoBilling(ctx, made, tokenId, autoBilling);
    return {
      ok: true,
      opened: {
        ...withAcid,
        plan: {
          body: {
            ...plan.body,
            currency: "JPY",
            ...(capture ? {} : { first_charge_authorization_only: true }),
            metadata: { ...metadata, "legacy-acid": withAcid.payment.recurring?.acid ?? "" },
          },
          autoBilling,
        },
      },
    };
  }
  const total = mapped.value.body.amount;
  return {
    ok: true,
    opened: {
      ...made,
      plan: {
        body: {
          amount: total,
          currency: "JPY",
          period: "monthly",
          installment_plan: { plan_type: "fixed_cycles", fixed_cycles: count ?? 0 },
          ...(capture ? {} : { first_charge_authorization_only: true }),
          metadata,
        },
        autoBilling: null,
      },
    },
  };
}

/** The auto-billing row of this first payment (minted once), and the payment naming it. */
async function ensureAutoBilling(
  ctx: KindContext,
  made: Subject,
  tokenId: string | null,
  terms: NonNullable<SubscriptionPlan["autoBilling"]>,
): Promise<Subject> {
  if (made.payment.recurring) return made;
  const { row } = await ctx.store.createSubscription({
    sid: made.payment.sid,
    firstPid: made.payment.pid,
    subscriptionId: null,
    tokenId,
    status: "requested",
    nextDueOn: null,
    syncAfter: null,
    origin: "gateway",
    cyclesAfter: null,
    ...terms,
  });
  const recurring: RecurringRef = { acid: row.acid, actp: row.actp, acdc: row.acdc };
  return { ...made, payment: await ctx.store.updatePayment(made.payment.pid, { recurring }) };
}

/** Answers a repeat settled before it was read again; create() is never called with it. */
const NO_PLAN: SubscriptionPlan = { body: { amount: 1, currency: "JPY" }, autoBilling: null };

async function create(ctx: KindContext, merchant: Merchant, { payment, plan }: Opened<SubscriptionPlan>) {
  if (!payment.tokenId) throw new Error(`payment ${payment.pid} has no token`);
  const body = CreateSubscriptionBodySchema.parse({ ...plan.body, transaction_token_id: payment.tokenId });
  const sub = await ctx.client.createSubscription(
    merchant.credentials,
    body,
    deriveIdempotencyKey(idempotencySeed(payment.requestKey, payment.pid), "subscription"),
  );
  if (payment.recurring) {
    // Looked at by the reconciler soon, then at each due date, whether or not webhooks arrive.
    await ctx.store.updateSubscription(payment.recurring.acid, {
      subscriptionId: sub.id,
      status: "unverified",
      syncAfter: new Date(ctx.now().getTime() + FIRST_SYNC_DELAY_MS),
    });
  }
  return { resource: "subscription", univapayId: sub.id };
}

/** The subscription and its first charge; long-polled while UnivaPay has not charged it yet. */
async function fetch(ctx: KindContext, merchant: Merchant, s: Subject, waitUntil?: number): Promise<SubscriptionResource> {
  const id = s.transition.univapayId as string;
  const c = merchant.credentials;
  const subscription =
    waitUntil === undefined
      ? await ctx.client.getSubscription(c, id)
      : await ctx.client.waitForSubscription(c, id, waitUntil, (x) => x.status !== "unverified");
  if (subscription.status === "unverified") return { subscription, firstCharge: undefined };
  const charges = await ctx.client.listSubscriptionCharges(c, id);
  return { subscription, firstCharge: firstChargeOf(charges) };
}

/** The oldest charge of a subscription is its first; the later ones are its cycles. */
export function firstChargeOf(charges: readonly Charge[]): Charge | undefined {
  return [...charges].sort((a, b) => a.created_on.localeCompare(b.created_on))[0];
}

function judge(table: MappingTable, { transition }: Subject, r: SubscriptionResource): Verdict {
  const status = r.subscription.status;
  // The first charge is the money: once it exists, its status decides (AUTH: authorised is success).
  if (r.firstCharge) {
    const outcome = isTransition(transition.job) ? chargeOutcome(table, transition.job, r.firstCharge.status) : "unknown";
    return { outcome, ec: outcome === "failure" ? ecForPaymentError(table, r.firstCharge.error?.code) : null, univapayStatus: status };
  }
  const outcome = STATUS_OUTCOME[status] ?? "unknown";
  // Failed without a charge object (e.g. its token was deleted): a payment failure without a code.
  if (outcome === "success") return { outcome: "pending", ec: null, univapayStatus: status };
  return { outcome, ec: outcome === "failure" ? ecFor(table, "payment_failed") : null, univapayStatus: status };
}

function after(s: Subject, r: SubscriptionResource | undefined, outcome: "success" | "failure" | "pending"): PaymentPatch {
  const chargeId = r?.firstCharge?.id;
  const state = outcome === "pending" ? "pending" : outcome === "failure" ? "failed" : s.transition.job === "AUTH" ? "authorized" : "captured";
  const mode = r?.subscription.mode;
  return { state, ...(chargeId ? { chargeId } : {}), ...(mode === "test" || mode === "live" ? (mode !== s.payment.mode ? { mode } : {}) : {}) };
}

/**
 * The merchant was answered "failure" while the outcome was unknown: the subscription is stopped
 * for good (no automatic charge may ever follow) and its first charge, if it took money, voided or
 * refunded. Each step under its own key, so a retry replays it.
 */
async function reverse(ctx: KindContext, merchant: Merchant, s: Subject, r: SubscriptionResource): Promise<Reversal> {
  if (r.subscription.status === "unverified") return "pending";
  if (r.subscription.status !== "canceled" && r.subscription.status !== "completed" && r.subscription.status !== "unconfirmed") {
    await ctx.client.cancelSubscription(merchant.credentials, r.subscription.id, deriveIdempotencyKey(s.transition.id, "subscription-stop"));
  }
  if (s.payment.recurring) await ctx.store.updateSubscription(s.payment.recurring.acid, { status: "canceled", syncAfter: null });
  return r.firstCharge ? reverseCharge(ctx, merchant, s, r.firstCharge) : "nothing_moved";
}

export const subscriptionKind: TransitionKind<SubscriptionPlan, SubscriptionResource> = {
  name: "subscription",
  actions: ["subscribe", INSTALLMENTS_ACTION],
  events: ["subscription_payment", "subscription_failure"],
  checkRow: (row) => (row.capture === undefined ? ["a subscription row needs capture: true (仮実同時) or false (仮売上, first charge only)"] : []),
  open,
  create,
  fetch,
  judge,
  after,
  identify: (r) => ({ resource: "subscription", univapayId: r.subscription.id }),
  reverse,
  async recover(ctx, merchant, { payment }) {
    // A create whose answer was lost: found by the legacy-pid our metadata carries (a search by
    // value; the metadata key is checked here), so a lost answer is never taken for "not made".
    const found = await ctx.client.findSubscriptionsByMetadataValue(merchant.credentials, payment.pid);
    const subscription = found.find((x) => x.metadata?.["legacy-pid"] === payment.pid && x.store_id === merchant.credentials.storeId);
    if (!subscription) return undefined;
    if (payment.recurring) await ctx.store.updateSubscription(payment.recurring.acid, { subscriptionId: subscription.id, syncAfter: ctx.now() });
    const charges = subscription.status === "unverified" ? [] : await ctx.client.listSubscriptionCharges(merchant.credentials, subscription.id);
    return { subscription, firstCharge: firstChargeOf(charges) };
  },
  reply: transitionResult,
};
