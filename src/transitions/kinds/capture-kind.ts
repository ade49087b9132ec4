/**
 * `capture`: payment.aspx SALES of a pid — the capture (実売上) of an earlier AUTH, always of the
 * full authorised amount. Its resource is the charge itself.
 */
import { chargeOutcome, ecForPaymentError, mapFromContext } from "../../mapping";
import { deriveIdempotencyKey } from "../../univapay/idempotency-key";
import { CaptureBodySchema, type Charge } from "../../univapay/univapay-types";
import { transitionResult } from "../transition-result";
import { chargeFromEvent, fetchCharge } from "./fetch-charge";
import type { Subject, TransitionKind, Verdict } from "../transition-kind";
import { openOnPid } from "./open-on-pid";
import { reverseCharge } from "./reverse-charge";
import { idempotencySeed } from "../idempotency-seed";

const JUDGED_AS = "SALES"; // its status table in statuses.yaml

function judge(table: Parameters<TransitionKind["judge"]>[0], _s: Subject, charge: Charge): Verdict {
  const outcome = chargeOutcome(table, JUDGED_AS, charge.status);
  return { outcome, ec: outcome === "failure" ? ecForPaymentError(table, charge.error?.code) : null, univapayStatus: charge.status };
}

export const captureKind: TransitionKind<undefined, Charge> = {
  name: "capture",
  actions: ["capture"],
  events: ["charge_updated", "charge_finished"],
  checkRow: () => [],
  open: (ctx, req) =>
    openOnPid(ctx, req, "capture", (p) => (p.state === "authorized" && p.chargeId ? { resource: "charge", univapayId: p.chargeId } : undefined)),
  async create(ctx, merchant, { payment, transition }) {
    const mapped = mapFromContext(ctx.table, "capture", { amount: payment.amount, currency: "JPY", pid: payment.pid, sid: payment.sid });
    if (!mapped.ok) throw new Error(`mappings/fields.yaml capture: ${mapped.failures.map((f) => f.message).join("; ")}`);
    const chargeId = transition.univapayId as string;
    await ctx.client.captureCharge(
      merchant.credentials,
      chargeId,
      CaptureBodySchema.parse(mapped.value),
      deriveIdempotencyKey(idempotencySeed(transition.requestKey, transition.id), "capture"),
    );
    return { resource: "charge", univapayId: chargeId };
  },
  fetch: fetchCharge(judge),
  fromEvent: chargeFromEvent,
  judge,
  after: (_s, _charge, outcome) => (outcome === "success" ? { state: "captured" } : null),
  identify: (charge) => ({ resource: "charge", univapayId: charge.id }),
  // Answered "failure" while unknown: a capture that went through is refunded (the authorisation
  // goes with it: the merchant must charge again). Asked with the charge still only authorised,
  // which the engine does only once the proof window has passed, the capture was never made.
  reverse: (ctx, merchant, s, charge) => (charge.status === "authorized" ? Promise.resolve("nothing_moved") : reverseCharge(ctx, merchant, s, charge)),
  reply: transitionResult,
};
