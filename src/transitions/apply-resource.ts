/**
 * What the webhook processor and the reconciler do with a resource UnivaPay shows them for an
 * unfinished transition. While a legacy request may still be waiting for it, the resource settles
 * it as usual (settle-transition). Once its merchant has been answered "failure" — at the answer
 * deadline with the outcome still unknown, after an internal error, or because the process died
 * before answering — the gateway owes the merchant that no money moved: the transition is
 * `reversing`, and this module ends it `failed` (nothing moved) or `reversed` (the charge went
 * through and was voided or refunded), without a kickback: the merchant already has its answer.
 */
import type { Merchant } from "../config/merchants";
import { ecFor, type GatewayErrorKey } from "../mapping";
import { kickbackFor } from "./kickback-render";
import { OPEN_TRANSITION_STATES, type TransitionRow } from "../store/store-types";
import { settleFromResource } from "./settle-transition";
import type { KindContext, Subject, TransitionKind } from "./transition-kind";

/**
 * After its answer deadline, an open transition is left to its request for this much longer: the
 * request's own last write (settle or abandon) is conditional, so whichever comes first wins, and
 * the margin only keeps the two from racing in the common case.
 */
export const ABANDON_GRACE_MS = 2_000;

/**
 * A charge not found at UnivaPay (by our metadata) this long after its request's deadline never
 * reached it: the request's last POST was cut off by that deadline, and the gateway never sends
 * it again once the transition is `reversing`.
 */
export const NOT_CREATED_PROOF_MS = 60_000;

const isOpen = (t: TransitionRow) => OPEN_TRANSITION_STATES.includes(t.state);
const isFinal = (o: string) => o === "success" || o === "failure";

/** How long a transition of this kind stays open before it is abandoned: its request's answer
 *  deadline, or the kind's own window (a hosted-page payment waits for its shopper). */
export function openWindowMs(ctx: KindContext, kind: TransitionKind): number {
  return kind.openForMs ? kind.openForMs(ctx) : ctx.answerDeadlineMs;
}

/** Whether the merchant of this open transition was (or will only ever be) answered "failure". */
export function isAbandoned(ctx: KindContext, merchant: Merchant, kind: TransitionKind, t: TransitionRow, nowMs: number): boolean {
  // A kind with its own window was never answered synchronously: rst=0 was never an option.
  const answeredPending = merchant.acceptsPending === true && !kind.openForMs;
  return kind.reverse !== undefined && !answeredPending && isOpen(t) && t.createdAt.getTime() + openWindowMs(ctx, kind) + ABANDON_GRACE_MS <= nowMs;
}

/**
 * Marks an open transition `reversing` (the merchant is answered outcome_unknown) and its payment
 * as the kind says a failure leaves it (a creation: failed; a capture: still authorised), in one
 * store step; if another path settled it first, the stored subject is returned and is what the
 * merchant must be told. A kind with an `abandonNotice` (nobody was answered: the link method)
 * queues its failure kickback in the same step.
 */
export async function abandonTransition(ctx: KindContext, kind: TransitionKind, s: Subject, merchant: Merchant, why?: GatewayErrorKey): Promise<Subject> {
  const ec = ecFor(ctx.table, why ?? kind.abandonNotice ?? "outcome_unknown");
  const patch = { state: "reversing" as const, errorCode: ec };
  const paymentPatch = kind.after(s, undefined, "failure");
  const notice = kind.abandonNotice !== undefined;
  const moved = notice
    ? await ctx.store.transaction(async (tx) => {
        const m = await tx.moveTransition(s.transition.id, OPEN_TRANSITION_STATES, patch, paymentPatch);
        const kickback = m && kickbackFor(ctx.table, merchant, m.payment, m.transition.id, kind.reply(ctx.table, m), m.transition.echo);
        if (kickback) await tx.enqueueKickback(kickback, ctx.now());
        return m;
      })
    : await ctx.store.moveTransition(s.transition.id, OPEN_TRANSITION_STATES, patch, paymentPatch);
  if (moved && notice) {
    ctx.onKickbackEnqueued();
    ctx.logger.info(
      { pid: s.payment.pid, transition: s.transition.id, kind: kind.name, ec },
      "unfinished past its window: ended failed, its kickback queued; a charge that still appears will be given back",
    );
    return moved;
  }
  if (moved) {
    ctx.logger.warn(
      { pid: s.payment.pid, transition: s.transition.id, kind: kind.name, ec },
      "outcome unknown when the merchant had to be answered: answered failure; a charge that went through will be reversed",
    );
    return moved;
  }
  const transition = await ctx.store.findTransition(s.transition.id);
  const payment = await ctx.store.findPaymentByPid(s.payment.pid);
  if (!transition || !payment) throw new Error(`transition ${s.transition.id} vanished`);
  return { payment, transition };
}

/**
 * Applies `resource` (undefined: the reconciler found none at UnivaPay) to an unfinished transition.
 * Returns the subject as stored afterwards; still unfinished means "look again later".
 */
export async function applyResource(ctx: KindContext, merchant: Merchant, kind: TransitionKind, subject: Subject, resource: unknown): Promise<Subject> {
  const applied = await applyOnce(ctx, merchant, kind, subject, resource);
  // Another resource became the transition's (a concurrent path settled it first): this one is a
  // stray of the kind's to undo, not something to forget.
  const winner = applied.transition.univapayId;
  if (kind.releaseStray && resource !== undefined && !isOpen(applied.transition) && winner && winner !== kind.identify(resource).univapayId) {
    await kind.releaseStray(ctx, merchant, resource);
  }
  return applied;
}

async function applyOnce(ctx: KindContext, merchant: Merchant, kind: TransitionKind, subject: Subject, resource: unknown): Promise<Subject> {
  const now = ctx.now().getTime();
  let s = subject;
  // A kind that tells its merchant only when it ends (the link method) has told nobody yet: a
  // final resource seen now, even a little past the window, is still its outcome.
  const finalNow = resource !== undefined && kind.abandonNotice !== undefined && isFinal(kind.judge(ctx.table, s, resource).outcome);
  if (!finalNow && isAbandoned(ctx, merchant, kind, s.transition, now)) s = await abandonTransition(ctx, kind, s, merchant);
  if (s.transition.state !== "reversing") {
    return resource === undefined || !isOpen(s.transition) ? s : settleFromResource(ctx, merchant, kind, s, resource);
  }
  return finishReversal(ctx, merchant, kind, s, resource, now);
}

async function finishReversal(ctx: KindContext, merchant: Merchant, kind: TransitionKind, s: Subject, resource: unknown, now: number): Promise<Subject> {
  const close = async (state: "failed" | "reversed", why: string, patch: { univapayId?: string; resource?: string; univapayStatus?: string | null }) => {
    // Reversed: the money is back, whatever the transition was. Nothing moved: the payment is as
    // the kind's failure leaves it (already so since the abandonment; written again for a charge
    // whose id is only known now).
    const payment = state === "reversed" ? { state: "reversed" as const } : kind.after(s, resource, "failure");
    const moved = await ctx.store.moveTransition(s.transition.id, ["reversing"], { state, ...patch }, payment);
    if (moved) ctx.logger.warn({ pid: s.payment.pid, transition: s.transition.id, kind: kind.name, state }, why);
    return moved ?? s;
  };
  // A kind with its own window (a shopper on a hosted form) is watched for as long again: a late
  // payment on a form left open is still found, and refunded.
  const proofMs = kind.openForMs ? kind.openForMs(ctx) : NOT_CREATED_PROOF_MS;
  const proofDue = now >= s.transition.createdAt.getTime() + openWindowMs(ctx, kind) + proofMs;
  if (resource === undefined) {
    if (!proofDue) return s;
    return close("failed", "abandoned transition proven never created at UnivaPay: nothing moved", {});
  }
  const verdict = kind.judge(ctx.table, s, resource);
  // Still pending: looked at again later. Past the proof window the kind may know better (a
  // capture whose charge is still only authorised was never made: its POST was cut off).
  if ((verdict.outcome === "pending" || verdict.outcome === "unknown") && !proofDue) return s;
  const id = kind.identify(resource);
  const seen = { univapayId: id.univapayId, resource: id.resource, univapayStatus: verdict.univapayStatus };
  const reverse = kind.reverse;
  if (!reverse) throw new Error(`transition ${s.transition.id} is reversing but kind ${kind.name} cannot reverse`);
  const withId: Subject = { ...s, transition: { ...s.transition, univapayId: id.univapayId, resource: id.resource } };
  const r = await reverse(ctx, merchant, withId, resource);
  if (r === "pending") return s;
  if (r === "nothing_moved") return close("failed", "abandoned transition did not go through at UnivaPay: nothing moved", seen);
  return close("reversed", "abandoned transition had gone through at UnivaPay and was reversed: the merchant's failure answer holds", seen);
}
