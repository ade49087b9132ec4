/**
 * The shopper back from UnivaPay's form (/return/<pid>/<sucd>/<seal>). The redirect proves
 * nothing — UnivaPay's form sends success, failure and timeout alike here, and anyone can type
 * the URL — so the charge is looked up at UnivaPay by our pid and applied through the same
 * machinery as a webhook or the reconciler (apply-resource): whichever of the three sees the
 * result first queues the one kickback, and a reload finds it settled. Then the shopper goes to
 * the shop's URL for the sucd (paid) or its back URL (not paid), or waits on a page that reloads
 * itself while the charge is still being decided.
 */
import { ecFor } from "../mapping";
import { creationTransitionId, UNFINISHED_TRANSITION_STATES } from "../store/store-types";
import { applyResource } from "../transitions/apply-resource";
import { HOSTED_KIND, hostedChargeKind } from "../transitions/kinds/hosted-charge-kind";
import type { Subject } from "../transitions/transition-kind";
import type { BrowserReply } from "./browser-answer";
import type { HostedDeps } from "./hosted-deps";
import { merchantBackUrl, merchantResultUrl } from "./merchant-return-url";
import { openReturnPath, returnPath } from "./return-link";
import { RETURN_VIA_FAILURE } from "./link-form-url";
import { shopperPage } from "./shopper-page";

/** Reloads of the processing page while no charge is found at all (the shopper came back
 *  without paying, or UnivaPay's search has not caught up): then the shop's back URL. One when
 *  the form's failure redirect brought the shopper (a cancel: there is nothing to wait for; a
 *  decline has its charge, found at once). Either way the payment stays open: what the shopper
 *  sees is paced by the hint, what the merchant is told never is. */
export const RETURN_NOT_FOUND_RELOADS = 3;
export const RETURN_NOT_FOUND_RELOADS_AFTER_FAILURE = 1;
/** Reloads while a charge is found but still pending (a 3-D Secure or issuer delay). */
export const RETURN_PENDING_RELOADS = 40;
const RELOAD_SECONDS = 2;

const linkUnknown = (reason: string): BrowserReply => ({
  answer: { type: "page", page: shopperPage("link_unknown") },
  log: { outcome: "link_unknown", reason },
});

export async function returnFromHostedPage(
  deps: HostedDeps,
  pid: string,
  sucdSegment: string,
  seal: string,
  pace: { readonly reloads: number; readonly viaFailure: boolean },
): Promise<BrowserReply> {
  const { reloads } = pace;
  if (!/^\d{1,12}$/.test(pid)) return linkUnknown("not a pid");
  const opened = openReturnPath(deps.requestKeySecret, pid, sucdSegment, seal);
  if (!opened) return linkUnknown("bad seal");
  const payment = await deps.store.findPaymentByPid(pid);
  const transition = await deps.store.findTransition(creationTransitionId(pid));
  const merchant = payment && deps.merchants.get(payment.sid);
  if (!payment || !transition || transition.kind !== HOSTED_KIND || !merchant) return linkUnknown("no hosted payment");
  const { sucd } = opened;
  const log = { sid: payment.sid, pid };
  let s: Subject = { payment, transition };
  let found = false;
  if (UNFINISHED_TRANSITION_STATES.includes(transition.state)) {
    try {
      const kind = hostedChargeKind;
      const resource = transition.univapayId ? await kind.fetch(deps, merchant, s) : await kind.recover?.(deps, merchant, s);
      // Worth waiting for only while UnivaPay is still deciding it; a charge that is not the one
      // the shopper was sent to make (a tampered link) never becomes this payment.
      found = resource !== undefined && kind.judge(deps.table, s, resource).outcome === "pending";
      s = await applyResource(deps, merchant, kind, s, resource);
    } catch (err) {
      // UnivaPay unreachable for a moment: the shopper waits, the reconciler keeps looking.
      deps.logger.warn({ err, ...log }, "link-method return: the charge could not be looked up now");
      found = true;
    }
  }
  const state = s.transition.state;
  if (state === "requested" || state === "pending") {
    const limit = found ? RETURN_PENDING_RELOADS : pace.viaFailure ? RETURN_NOT_FOUND_RELOADS_AFTER_FAILURE : RETURN_NOT_FOUND_RELOADS;
    if (reloads < limit) {
      const url = `${returnPath(deps.requestKeySecret, pid, sucd)}?${pace.viaFailure ? `${RETURN_VIA_FAILURE}&` : ""}n=${reloads + 1}`;
      return {
        answer: { type: "page", page: shopperPage("processing", { refresh: { url, seconds: RELOAD_SECONDS } }) },
        log: { ...log, outcome: "processing" },
      };
    }
    const back = merchantBackUrl(merchant, sucd, s.payment);
    if (!found && back) return { answer: { type: "redirect", location: back, status: 303 }, log: { ...log, outcome: "back_unpaid" } };
    return {
      answer: { type: "page", page: shopperPage(found ? "slow" : "not_paid", back ? { backUrl: back } : {}) },
      log: { ...log, outcome: found ? "slow" : "not_paid" },
    };
  }
  const result = hostedChargeKind.reply(deps.table, s);
  const paid = result.outcome === "success";
  const target = merchantResultUrl(deps.table, merchant, sucd, s.payment, result);
  const outcome = paid ? "paid" : state === "succeeded" ? "finished" : "not_paid";
  if (target) return { answer: { type: "redirect", location: target, status: 303 }, log: { ...log, outcome, ec: result.ec } };
  // No return URL registered for it: our own page says what happened.
  const expired = s.transition.errorCode === ecFor(deps.table, "link_expired");
  return {
    answer: { type: "page", page: shopperPage(paid ? "paid" : expired ? "expired" : "not_paid", { ...(paid ? {} : { ec: result.ec }) }) },
    log: { ...log, outcome, ec: result.ec },
  };
}
