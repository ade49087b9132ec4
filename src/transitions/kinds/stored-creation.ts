/** The payment a creating request (AUTH, CAPTURE, CHECK) with one of these keys made within the
 *  replay window, with its creation transition: a repeat is answered from it, never sent again. */
import type { Merchant } from "../../config/merchants";
import { creationTransitionId } from "../../store/store-types";
import { withinReplayWindow } from "../replay-window";
import type { KindContext, Subject } from "../transition-kind";

export async function storedCreation(ctx: KindContext, merchant: Merchant, keys: readonly string[]): Promise<Subject | undefined> {
  for (const key of keys) {
    const found = await ctx.store.findPaymentByRequestKey(merchant.sid, key);
    const payment = found && withinReplayWindow(ctx, merchant, found.createdAt) ? found : undefined;
    const transition = payment && (await ctx.store.findTransition(creationTransitionId(payment.pid)));
    if (payment && transition) return { payment, transition };
  }
  return undefined;
}
