/**
 * Brings one auto-billing up to date with UnivaPay: every charge of its subscription after the
 * first becomes a payment of its own (pid minted once per charge: the request key is the charge
 * id) settled through the `cycle` kind, so each automatic charge is notified exactly once,
 * whichever path sees it first — a subscription webhook, a charge webhook, or the reconciler at
 * the due date when no webhook came. The auto-billing row takes UnivaPay's status and next due
 * date, and when the reconciler should look again.
 *
 * An auto-billing the migrator brought in has no first charge here: its first payment was on the
 * old system and its anchor payment names no charge. Its cycles are the charges created after
 * `cyclesAfter` (those before were known to the merchant already), and a zero-yen charge (the
 * card registration of a subscription created with initial_amount 0) is never one.
 */
import type { Merchant } from "../config/merchants";
import type { PaymentRow, SubscriptionRow, SubscriptionStatus, TransitionRow } from "../store/store-types";
import { creationTransitionId, OPEN_TRANSITION_STATES } from "../store/store-types";
import { settleFromResource } from "../transitions/settle-transition";
import { CYCLE_JOB, cycleKind } from "../transitions/kinds/cycle-kind";
import { firstChargeOf } from "../transitions/kinds/subscription-kind";
import type { KindContext } from "../transitions/transition-kind";
import type { Charge, Subscription } from "../univapay/univapay-types";
import { nextDueOn } from "./next-due-on";

/** UnivaPay runs a due payment from 07:00 Asia/Tokyo (09:00 for some); looked at from 10:00. */
export const SYNC_HOUR_JST = 10;
/** A due payment not run yet (UnivaPay processes them in sequence) is looked at again this soon. */
export const SYNC_RETRY_MS = 60 * 60_000;
/** Statuses after which UnivaPay charges no more. */
const ENDED: readonly string[] = ["canceled", "completed", "unconfirmed"];
const KNOWN_STATUSES: readonly SubscriptionStatus[] = ["unverified", "current", "unpaid", "suspended", "canceled", "completed", "unconfirmed", "authorized"];

export function cycleRequestKey(chargeId: string): string {
  return `cy:${chargeId}`;
}

export interface SyncResult {
  readonly row: SubscriptionRow;
  /** Cycle payments this sync made (new pids). */
  readonly made: number;
  /** The cycle transitions of the charges seen, as stored afterwards. */
  readonly cycles: ReadonlyArray<{ readonly payment: PaymentRow; readonly transition: TransitionRow }>;
  /** UnivaPay is retrying a failed payment (its next payment has a retry date). */
  readonly retrying: boolean;
}

/** `reported`: the subscription as an authenticated webhook of this store gave it (else fetched). */
export async function syncSubscription(ctx: KindContext, merchant: Merchant, row: SubscriptionRow, reported?: Subscription): Promise<SyncResult> {
  if (!row.subscriptionId) return { row, made: 0, cycles: [], retrying: false };
  const c = merchant.credentials;
  const subscription = reported ?? (await ctx.client.getSubscription(c, row.subscriptionId));
  const first = await ctx.store.findPaymentByPid(row.firstPid);
  if (!first) throw new Error(`auto-billing ${row.acid} without its first payment ${row.firstPid}`);
  const charges = await ctx.client.listSubscriptionCharges(c, row.subscriptionId);
  const cycles = cyclesOf(row, first, charges).sort((a, b) => a.created_on.localeCompare(b.created_on));
  let made = 0;
  const out: Array<{ payment: PaymentRow; transition: TransitionRow }> = [];
  for (const charge of cycles) {
    const r = await cycleOf(ctx, merchant, first, row, charge);
    if (r.created) made++;
    out.push(r.subject);
  }
  const open = out.some((s) => OPEN_TRANSITION_STATES.includes(s.transition.state));
  const status = KNOWN_STATUSES.includes(subscription.status as SubscriptionStatus) ? (subscription.status as SubscriptionStatus) : row.status;
  const due = nextDueOn(subscription);
  const updated = await ctx.store.updateSubscription(row.acid, {
    status,
    nextDueOn: due,
    tokenId: subscription.transaction_token_id ?? row.tokenId,
    syncAfter: nextSyncAt(ctx.now(), subscription.status, due, open),
  });
  if (made > 0) ctx.logger.info({ sid: row.sid, acid: row.acid, made, status }, "automatic charges recorded");
  const next = subscription.next_payment;
  return { row: updated, made, cycles: out, retrying: Boolean(next && !next.is_paid && next.retry_date) };
}

/** The charges of the subscription that are automatic charges the gateway notifies. */
export function cyclesOf(row: SubscriptionRow, first: PaymentRow, charges: readonly Charge[]): Charge[] {
  if (row.cyclesAfter === null) {
    const firstCharge = first.chargeId ?? firstChargeOf(charges)?.id;
    return charges.filter((ch) => ch.id !== firstCharge);
  }
  const after = Date.parse(row.cyclesAfter);
  return charges.filter((ch) => Date.parse(ch.created_on) > after && ch.requested_amount > 0);
}

/** The cycle payment of one charge (made once), settled if the charge is final. */
async function cycleOf(ctx: KindContext, merchant: Merchant, first: PaymentRow, row: SubscriptionRow, charge: Charge) {
  const existing = await ctx.store.findPaymentByRequestKey(first.sid, cycleRequestKey(charge.id));
  const made = existing
    ? { payment: existing, transition: await ctx.store.findTransition(creationTransitionId(existing.pid)), created: false }
    : await ctx.store.createPayment(
        {
          sid: first.sid,
          requestKey: cycleRequestKey(charge.id),
          chargeId: charge.id,
          tokenId: charge.transaction_token_id ?? row.tokenId,
          job: CYCLE_JOB,
          svid: first.svid,
          amount: charge.requested_amount,
          // What this charge asked for: the legacy `ta` of an automatic charge is acam1.
          total: charge.requested_amount,
          sod: first.sod,
          orderKey: null,
          recurring: first.recurring ?? null,
          state: "pending",
          echo: first.echo,
          charset: first.charset,
          mode: first.mode,
        },
        {
          sid: first.sid,
          kind: cycleKind.name,
          job: CYCLE_JOB,
          requestKey: null,
          resource: "charge",
          univapayId: charge.id,
          state: "pending",
          univapayStatus: charge.status,
          errorCode: null,
          echo: "",
        },
      );
  if (!made.transition) throw new Error(`cycle payment ${made.payment.pid} has no creation transition`);
  const subject = { payment: made.payment, transition: made.transition };
  if (!OPEN_TRANSITION_STATES.includes(subject.transition.state)) return { created: made.created, subject };
  const settled = await settleFromResource(ctx, merchant, cycleKind, subject, charge, { accepted: true });
  ctx.signals.changed(settled.transition.id);
  return { created: made.created, subject: settled };
}

/**
 * When the reconciler should look again: while a cycle charge is still pending, soon; after the
 * next run date (YYYY-MM-DD, Asia/Tokyo) once UnivaPay should have run it; never once it has ended.
 */
export function nextSyncAt(now: Date, status: string, nextDueOn: string | null, cyclePending: boolean): Date | null {
  if (cyclePending) return new Date(now.getTime() + SYNC_RETRY_MS);
  if (ENDED.includes(status) || status === "suspended") return null;
  if (!nextDueOn) return new Date(now.getTime() + SYNC_RETRY_MS);
  const [y, m, d] = nextDueOn.split("-").map(Number) as [number, number, number];
  // Asia/Tokyo has no daylight saving: UTC+9 all year.
  const due = new Date(Date.UTC(y, m - 1, d, SYNC_HOUR_JST - 9));
  return due.getTime() > now.getTime() ? due : new Date(now.getTime() + SYNC_RETRY_MS);
}
