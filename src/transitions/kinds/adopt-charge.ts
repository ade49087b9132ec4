/**
 * A charge no transition names yet (its create answer was lost, a webhook came first, or the
 * shopper made it on UnivaPay's hosted form): the payment creation it belongs to, found through
 * the legacy-pid metadata the gateway attaches. Only a charge of the merchant's own store, for the
 * payment's amount, on a creation of the given kind is adopted: our metadata on any other charge
 * does not make it ours.
 */
import type { Merchant } from "../../config/merchants";
import { creationTransitionId } from "../../store/store-types";
import type { Charge } from "../../univapay/univapay-types";
import type { KindContext, Subject } from "../transition-kind";

export async function adoptCharge(
  ctx: KindContext,
  merchant: Merchant,
  charge: Charge,
  kindName: string,
): Promise<(Subject & { resource: Charge }) | undefined> {
  if (charge.store_id !== merchant.credentials.storeId) return undefined;
  const pid = charge.metadata?.["legacy-pid"];
  if (typeof pid !== "string") return undefined;
  const payment = await ctx.store.findPayment(merchant.sid, pid);
  if (!payment || (payment.chargeId && payment.chargeId !== charge.id)) return undefined;
  // Our metadata on a charge of another amount is not our charge.
  if (charge.requested_amount !== payment.amount) return undefined;
  const transition = await ctx.store.findTransition(creationTransitionId(pid));
  if (!transition || transition.kind !== kindName || (transition.univapayId && transition.univapayId !== charge.id)) return undefined;
  return { payment, transition, resource: charge };
}
