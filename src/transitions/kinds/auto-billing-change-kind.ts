/**
 * `autoBillingChange`: payment.aspx job=ACSUSPEND | ACRESUME | ACCANCEL | ACCHANGE with `acid` —
 * 一時停止 (PATCH status=suspended), 再開 (PATCH status=unpaid: UnivaPay's resume rules), 永久停止
 * (DELETE) and 変更 (PATCH amount from `acam1`, and/or the card of a registered `upcmemberid`).
 * Each is a transition of the auto-billing's first payment, keyed by the request like SALES and
 * CANCEL, so a resend is answered from what is stored and re-sends its call only with the same
 * Idempotency-Key. Answered synchronously only (no kickback). The auto-billing row takes the state
 * UnivaPay answers, so the reconciler knows when to look at it next.
 */
import type { Merchant } from "../../config/merchants";
import { legacyFailure, parseYen, type LegacyFailure, type MappingTable } from "../../mapping";
import { nextDueOn } from "../../recurring/next-due-on";
import { nextSyncAt } from "../../recurring/sync-subscription";
import { UNFINISHED_TRANSITION_STATES, type SubscriptionRow } from "../../store/store-types";
import { deriveIdempotencyKey } from "../../univapay/idempotency-key";
import { UpdateSubscriptionBodySchema, type Subscription, type UpdateSubscriptionBody } from "../../univapay/univapay-types";
import type { LegacyRequest } from "../legacy-request";
import { idempotencySeed } from "../idempotency-seed";
import { withinReplayWindow } from "../replay-window";
import { transitionResult } from "../transition-result";
import type { KindContext, OpenResult, Opened, Subject, TransitionKind, Verdict } from "../transition-kind";
import { autoBillingOf, syncedAutoBilling } from "./auto-billing-target";
import { memberToken } from "./member-token";

type ChangePlan = { readonly call: "patch"; readonly body: UpdateSubscriptionBody } | { readonly call: "delete" };

const ENDED = ["canceled", "completed", "unconfirmed"];
/** What each job needs the auto-billing to be in (UnivaPay's statuses). */
const ALLOWED_FROM: Readonly<Record<string, readonly string[]>> = {
  ACSUSPEND: ["current", "unpaid", "authorized"],
  ACRESUME: ["suspended"],
  ACCANCEL: ["unverified", "current", "unpaid", "suspended", "authorized"],
  ACCHANGE: ["current", "unpaid", "suspended", "authorized"],
};

async function planOf(ctx: KindContext, req: LegacyRequest, row: SubscriptionRow, failures: LegacyFailure[]): Promise<ChangePlan | undefined> {
  const { table } = ctx;
  switch (req.op.job) {
    case "ACSUSPEND":
      return { call: "patch", body: { status: "suspended" } };
    case "ACRESUME":
      return { call: "patch", body: { status: "unpaid" } };
    case "ACCANCEL":
      return { call: "delete" };
    case "ACCHANGE":
      return changeBody(ctx, table, req, row, failures);
    default:
      failures.push(legacyFailure(table, "job_not_supported", `${req.op.job} is not an auto-billing change`, "job"));
      return undefined;
  }
}

async function changeBody(
  ctx: KindContext,
  table: MappingTable,
  req: LegacyRequest,
  row: SubscriptionRow,
  failures: LegacyFailure[],
): Promise<ChangePlan | undefined> {
  const body: { amount?: number; transaction_token_id?: string } = {};
  const rawAmount = req.form.get("acam1");
  if (rawAmount) {
    const parsed = parseYen(rawAmount);
    const yen = parsed.ok ? parsed.value : null;
    const { min, max } = table.limits.amount;
    if (yen === null || yen < min || yen > max)
      failures.push(legacyFailure(table, "recurring_amount_invalid", `acam1=${rawAmount} is not a valid amount`, "acam1"));
    // UnivaPay cannot change the amount of a fixed-count plan (its amount is the plan's total).
    else if (row.automaticCharges !== null)
      failures.push(legacyFailure(table, "operation_not_allowed", "the amount of an auto-billing with a fixed count (acrm1) cannot change", "acam1"));
    else body.amount = yen;
  }
  if (req.form.get("upcmemberid")) {
    const token = await memberToken(ctx, req, failures);
    if (token) body.transaction_token_id = token;
  }
  if (!rawAmount && !req.form.get("upcmemberid"))
    failures.push(legacyFailure(table, "recurring_amount_invalid", "ACCHANGE needs acam1 (new amount) or upcmemberid (new card)", "acam1"));
  return failures.length > 0 ? undefined : { call: "patch", body };
}

async function open(ctx: KindContext, req: LegacyRequest): Promise<OpenResult<ChangePlan>> {
  const { table } = ctx;
  const { merchant, op } = req;
  const target = await autoBillingOf(ctx, req);
  if (!target.ok) return target;
  const { first } = target;
  let row = target.row;
  for (const key of [req.requestKey, ...req.priorKeys]) {
    const existing = await ctx.store.findTransitionByRequestKey(merchant.sid, key);
    if (!existing || existing.pid !== first.pid) continue;
    // A repeat: its stored answer (the change cannot be rebuilt from a card that may be gone).
    if (withinReplayWindow(ctx, merchant, existing.createdAt)) return { ok: true, opened: { payment: first, transition: existing, plan: { call: "delete" } } };
    await ctx.store.retireRequestKey("transitions", existing.id, key);
  }
  const failures: LegacyFailure[] = [];
  const plan = await planOf(ctx, req, row, failures);
  if (!plan) return { ok: false, pid: first.pid, failures };
  const refuse = (why: string): OpenResult<ChangePlan> => ({
    ok: false,
    pid: first.pid,
    failures: [legacyFailure(table, "operation_not_allowed", why, "acid")],
  });
  if (!row.subscriptionId) return refuse(`auto-billing ${row.acid} was never created at UnivaPay`);
  const allowed = ALLOWED_FROM[op.job] ?? [];
  if (!allowed.includes(row.status)) {
    // The stored status may be behind UnivaPay's (a created subscription verifies its card with no
    // webhook): asked before a refusal, never refused on a stale status.
    const synced = await syncedAutoBilling(ctx, merchant, row);
    if (!synced.ok) return { ok: false, pid: first.pid, failures: synced.failures };
    row = synced.row;
    if (!allowed.includes(row.status)) return refuse(`${op.job} not allowed for an auto-billing that is ${row.status}`);
  }
  const busy = (await ctx.store.listTransitions(first.pid)).find((t) => UNFINISHED_TRANSITION_STATES.includes(t.state));
  if (busy) return refuse(`${op.job} not allowed while ${busy.job} is unfinished (${busy.state})`);
  const { row: transition } = await ctx.store.insertTransition(first.pid, {
    sid: merchant.sid,
    kind: "autoBillingChange",
    job: op.job,
    requestKey: req.requestKey,
    // Named only once the call was answered: a reconciler must not judge an unsent change.
    resource: null,
    univapayId: null,
    state: "requested",
    univapayStatus: null,
    errorCode: null,
    echo: req.echo,
  });
  return { ok: true, opened: { payment: first, transition, plan } };
}

async function create(ctx: KindContext, merchant: Merchant, { payment, transition, plan }: Opened<ChangePlan>) {
  const row = await ctx.store.findSubscriptionByFirstPid(payment.pid);
  if (!row?.subscriptionId) throw new Error(`auto-billing of pid ${payment.pid} has no subscription`);
  const c = merchant.credentials;
  const key = deriveIdempotencyKey(idempotencySeed(transition.requestKey, transition.id), "subscription-change");
  let sub: Subscription;
  if (plan.call === "delete") {
    await ctx.client.cancelSubscription(c, row.subscriptionId, key);
    sub = await ctx.client.getSubscription(c, row.subscriptionId);
  } else {
    sub = await ctx.client.updateSubscription(c, row.subscriptionId, UpdateSubscriptionBodySchema.parse(plan.body), key);
  }
  await recordOn(ctx, row, sub);
  return { resource: "subscription", univapayId: sub.id };
}

/** The auto-billing row as UnivaPay now has it. */
async function recordOn(ctx: KindContext, row: SubscriptionRow, sub: Subscription): Promise<void> {
  const due = nextDueOn(sub);
  await ctx.store.updateSubscription(row.acid, {
    status: (sub.status as SubscriptionRow["status"]) ?? row.status,
    nextDueOn: due,
    tokenId: sub.transaction_token_id ?? row.tokenId,
    // A fixed-count plan's amount is its total; the per-cycle amount is what changed otherwise.
    ...(row.automaticCharges === null ? { cycleAmount: sub.amount } : {}),
    syncAfter: nextSyncAt(ctx.now(), sub.status, due, false),
  });
}

function judge(table: MappingTable, { transition }: Subject, sub: Subscription): Verdict {
  const s = sub.status;
  const done =
    transition.job === "ACSUSPEND"
      ? s === "suspended"
      : transition.job === "ACRESUME"
        ? s === "unpaid" || s === "current"
        : transition.job === "ACCANCEL"
          ? s === "canceled"
          : !ENDED.includes(s);
  if (done) return { outcome: "success", ec: null, univapayStatus: s };
  // Ended meanwhile (a permanent stop, the last payment): the change can never happen.
  if (ENDED.includes(s)) return { outcome: "failure", ec: legacyFailure(table, "operation_not_allowed", "ended").ec, univapayStatus: s };
  return { outcome: "pending", ec: null, univapayStatus: s };
}

export const autoBillingChangeKind: TransitionKind<ChangePlan, Subscription> = {
  name: "autoBillingChange",
  actions: ["autoBillingChange"],
  events: [],
  checkRow: () => [],
  open,
  create,
  fetch: (ctx, merchant, s) => ctx.client.getSubscription(merchant.credentials, s.transition.univapayId as string),
  judge,
  after: () => null,
  identify: (sub) => ({ resource: "subscription", univapayId: sub.id }),
  reply: transitionResult,
  notifies: false,
};
