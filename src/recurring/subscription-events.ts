/**
 * What a UnivaPay webhook tells the gateway about an auto-billing: any subscription event
 * (payment, failure, suspended, canceled, completed) and any charge event of a subscription
 * charge syncs the auto-billing it names (sync-subscription), before the transition kinds see the
 * event. The sync is idempotent, so an event seen twice, or a subscription event and a charge
 * event for the same charge, still make one payment and one kickback per automatic charge.
 * Status events make no kickback of their own: the old protocol has no such notification (the
 * merchant reads the status with job=ACSTATUS); the charge that failed last has its own.
 */
import type { Merchant } from "../config/merchants";
import type { KindContext } from "../transitions/transition-kind";
import { SubscriptionSchema } from "../univapay/univapay-types";
import { syncSubscription } from "./sync-subscription";

export const SUBSCRIPTION_EVENTS = [
  "subscription_payment",
  "subscription_failure",
  "subscription_suspended",
  "subscription_canceled",
  "subscription_completed",
] as const;
const CHARGE_EVENTS = ["charge_updated", "charge_finished"];

/** A note for the event's log line when it synced an auto-billing; undefined when not about one. */
export async function observeSubscriptionEvent(
  ctx: KindContext,
  merchant: Merchant,
  event: string,
  data: { id: string; store_id?: string | undefined; [k: string]: unknown },
  /** The webhook fetch budget: false when this subscription's GETs are spent for now. */
  mayFetch: (subscriptionId: string) => boolean = () => true,
): Promise<string | undefined> {
  const isSubscriptionEvent = (SUBSCRIPTION_EVENTS as readonly string[]).includes(event);
  const subscriptionId = isSubscriptionEvent
    ? data.id
    : CHARGE_EVENTS.includes(event) && typeof data["subscription_id"] === "string"
      ? data["subscription_id"]
      : undefined;
  if (!subscriptionId) return undefined;
  const row = await ctx.store.findSubscriptionByUnivapayId(subscriptionId);
  if (!row || row.sid !== merchant.sid) return undefined;
  // The body of an authenticated webhook of this merchant's own store is the subscription as it is.
  const parsed = isSubscriptionEvent && data.store_id === merchant.credentials.storeId ? SubscriptionSchema.safeParse(data) : undefined;
  if (!mayFetch(subscriptionId)) return `auto-billing ${row.acid}: fetch budget spent, left to the reconciler`;
  const r = await syncSubscription(ctx, merchant, row, parsed?.success ? parsed.data : undefined);
  return `auto-billing ${row.acid} synced (${r.made} new automatic charge${r.made === 1 ? "" : "s"}, status ${r.row.status})`;
}
