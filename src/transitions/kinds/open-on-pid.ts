/**
 * The first step every kind acting on an existing pid shares (SALES, CANCEL, and later ones):
 * the pid must be the merchant's, a repeat of the same request finds its transition, and a new
 * one is made only when `plan` says the payment's state allows it. A repeat of a transition that
 * already succeeded (another request, same job) answers its success again, as a resend would.
 */
import type { LegacyRequest } from "../legacy-request";
import { legacyFailure } from "../../mapping";
import { UNFINISHED_TRANSITION_STATES, type PaymentRow } from "../../store/store-types";
import type { KindContext, OpenResult } from "../transition-kind";
import { withinReplayWindow } from "../replay-window";

/** What the kind will do to a payment in this state — the resource it will make, and the id it
 *  already knows (a capture acts on the charge itself) — or undefined: not allowed. The
 *  transition row holds it, so create() needs nothing else. */
export type PlanOnPid = (payment: PaymentRow) => { resource: string; univapayId: string | null } | undefined;

export async function openOnPid(ctx: KindContext, req: LegacyRequest, kind: string, plan: PlanOnPid): Promise<OpenResult<undefined>> {
  const { table } = ctx;
  const { merchant, op } = req;
  const pid = req.form.get("pid");
  if (!pid) return { ok: false, failures: [legacyFailure(table, "pid_missing", "pid is missing", "pid")] };
  const payment = await ctx.store.findPayment(merchant.sid, pid);
  if (!payment) return { ok: false, failures: [legacyFailure(table, "pid_unknown", `unknown pid ${pid}`, "pid")] };

  // A repeat (or a request the version before HMAC keys stored under its old key).
  for (const key of [req.requestKey, ...req.priorKeys]) {
    const existing = await ctx.store.findTransitionByRequestKey(merchant.sid, key);
    if (!existing || existing.pid !== pid) continue;
    if (withinReplayWindow(ctx, merchant, existing.createdAt)) return { ok: true, opened: { payment, transition: existing, plan: undefined } };
    // Past its replay window: a new request, which the payment's state allows or not.
    await ctx.store.retireRequestKey("transitions", existing.id, key);
  }
  const transitions = await ctx.store.listTransitions(pid);
  // One unfinished transition per payment: a second SALES while a first is being reversed (its
  // merchant answered failure, the payment still authorised) would be undone with it.
  const busy = transitions.find((t) => UNFINISHED_TRANSITION_STATES.includes(t.state));
  if (busy) {
    return {
      ok: false,
      pid,
      failures: [legacyFailure(table, "operation_not_allowed", `${op.job} not allowed while ${busy.job} on this payment is unfinished (${busy.state})`, "pid")],
    };
  }
  const planned = payment.chargeId ? plan(payment) : undefined;
  if (!planned) {
    const done = transitions.find((t) => t.job === op.job && t.kind === kind && t.state === "succeeded");
    if (done) return { ok: true, opened: { payment, transition: done, plan: undefined } };
    return {
      ok: false,
      pid,
      failures: [legacyFailure(table, "operation_not_allowed", `${op.job} not allowed for a payment in state ${payment.state}`, "pid")],
    };
  }
  const { row } = await ctx.store.insertTransition(pid, {
    sid: merchant.sid,
    kind,
    job: op.job,
    requestKey: req.requestKey,
    resource: planned.resource,
    univapayId: planned.univapayId,
    state: "requested",
    univapayStatus: null,
    errorCode: null,
    echo: req.echo,
  });
  return { ok: true, opened: { payment, transition: row, plan: undefined } };
}
