/**
 * `cycle`: one automatic charge of an auto-billing (自動課金). No request makes one: the
 * subscription sync (recurring/sync-subscription) finds each new charge of a subscription, gives
 * it a payment of its own (a fresh pid, the first payment's sod, echo and acid) and settles it here
 * — so every automatic charge, retries included, is one kickback, exactly once, and SALES/CANCEL by
 * its pid work like on any payment. Its resource is the charge.
 */
import { chargeOutcome, ecForPaymentError, legacyFailure, type MappingTable } from "../../mapping";
import type { Charge } from "../../univapay/univapay-types";
import { transitionResult } from "../transition-result";
import type { Subject, TransitionKind, Verdict } from "../transition-kind";
import { chargeFromEvent, fetchCharge } from "./fetch-charge";

/** An automatic charge authorises and captures at once: the CAPTURE table judges it. */
export const CYCLE_JOB = "CAPTURE";

function judge(table: MappingTable, _s: Subject, charge: Charge): Verdict {
  const outcome = chargeOutcome(table, CYCLE_JOB, charge.status);
  return { outcome, ec: outcome === "failure" ? ecForPaymentError(table, charge.error?.code) : null, univapayStatus: charge.status };
}

export const cycleKind: TransitionKind<undefined, Charge> = {
  name: "cycle",
  actions: [],
  // UnivaPay reports subscription charges through subscription_* events (the subscription sync
  // listens to those); should it also send charge events for them, they settle the cycle too.
  events: ["charge_updated", "charge_finished"],
  checkRow: () => [],
  open: (ctx) => Promise.resolve({ ok: false, failures: [legacyFailure(ctx.table, "job_not_supported", "automatic charges are not requested")] }),
  create: () => Promise.reject(new Error("an automatic charge is made by UnivaPay, never by the gateway")),
  fetch: fetchCharge(judge),
  judge,
  after: (s, charge, outcome) => ({
    state: outcome === "pending" ? "pending" : outcome === "failure" ? "failed" : "captured",
    ...(charge ? { chargeId: charge.id } : {}),
  }),
  identify: (charge) => ({ resource: "charge", univapayId: charge.id }),
  fromEvent: chargeFromEvent,
  reply: transitionResult,
};
