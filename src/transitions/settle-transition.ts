/**
 * Applies what UnivaPay says about a transition's resource: still pending (recorded, so webhooks
 * and the reconciler find it), or final — the transition, its payment and its kickback in one
 * store step, exactly once. The request path, the webhook processor and the reconciler all come
 * here, so whichever sees the outcome first notifies the merchant, and the others find nothing
 * open and answer what is stored.
 */
import type { Merchant } from "../config/merchants";
import { kickbackFor } from "./kickback-render";
import type { PaymentPatch, PaymentRow, TransitionPatch, TransitionRow } from "../store/store-types";
import type { KindContext, Subject, TransitionKind } from "./transition-kind";

function withDefined<T extends object>(row: T, patch: Partial<T> | null): T {
  const out = { ...row } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch ?? {})) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Settles `subject` as `outcome` (ec for a failure), or answers what another path stored first. */
export async function settleAs(
  ctx: KindContext,
  merchant: Merchant,
  kind: TransitionKind,
  subject: Subject,
  patch: TransitionPatch & { state: "succeeded" | "failed" },
  paymentPatch: PaymentPatch | null,
): Promise<Subject> {
  const projected: Subject = {
    payment: withDefined<PaymentRow>(subject.payment, paymentPatch),
    transition: withDefined<TransitionRow>(subject.transition, patch),
  };
  const kickback =
    kind.notifies === false
      ? null
      : kickbackFor(ctx.table, merchant, projected.payment, subject.transition.id, kind.reply(ctx.table, projected), subject.transition.echo);
  if (paymentPatch?.mode && paymentPatch.mode !== subject.payment.mode) {
    // Reported as it is (what the merchant is told follows the money), and loudly.
    ctx.logger.error(
      { pid: subject.payment.pid, declared: subject.payment.mode, reported: paymentPatch.mode },
      "charge mode differs from the merchant's declared mode; the charge's mode is reported",
    );
  }
  const settled = await ctx.store.settleTransition(subject.transition.id, patch, paymentPatch, kickback, ctx.now());
  if (settled?.enqueued) ctx.onKickbackEnqueued();
  if (settled) return settled;
  // Not open any more: another path (webhook, reconciler, a resend) settled it first.
  const transition = await ctx.store.findTransition(subject.transition.id);
  const payment = await ctx.store.findPaymentByPid(subject.payment.pid);
  if (!transition || !payment) throw new Error(`transition ${subject.transition.id} vanished`);
  return { payment, transition };
}

/**
 * `accepted`: the caller knows UnivaPay accepted this transition's create (the request path, right
 * after it). Without it a pending verdict leaves a `requested` transition as it is: the resource may
 * exist before the create (a capture acts on its charge), and `requested` is what makes a resend
 * POST again, under the same Idempotency-Key.
 */
export async function settleFromResource(
  ctx: KindContext,
  merchant: Merchant,
  kind: TransitionKind,
  subject: Subject,
  resource: unknown,
  opts: { accepted?: boolean } = {},
): Promise<Subject> {
  const v = kind.judge(ctx.table, subject, resource);
  const id = kind.identify(resource);
  if (v.outcome === "unknown") {
    ctx.logger.warn(
      { pid: subject.payment.pid, transition: subject.transition.id, kind: kind.name, status: v.univapayStatus },
      "unknown UnivaPay status, treated as pending",
    );
  }
  if (v.outcome === "pending" || v.outcome === "unknown") {
    if (subject.transition.state === "requested" && !opts.accepted) return subject;
    return ctx.store.recordPending(
      subject.transition.id,
      { univapayStatus: v.univapayStatus, univapayId: id.univapayId, resource: id.resource },
      kind.after(subject, resource, "pending"),
    );
  }
  const patch = {
    state: v.outcome === "success" ? ("succeeded" as const) : ("failed" as const),
    errorCode: v.outcome === "failure" ? v.ec : null,
    univapayStatus: v.univapayStatus,
    univapayId: id.univapayId,
    resource: id.resource,
  };
  return settleAs(ctx, merchant, kind, subject, patch, kind.after(subject, resource, v.outcome));
}
