/**
 * What the kinds that create a payment (charge, subscription, check) share when they open a
 * request: a repeat made within the replay window is answered from what is stored, never sent
 * again — also when the request would now be refused (its card may have expired, its member gone,
 * but the first one moved the money) — and a new request gets its payment and creation
 * transition in one step, under the order guard.
 */
import type { Merchant } from "../../config/merchants";
import type { LegacyFailure } from "../../mapping";
import { creationTransitionId, type RecurringRef } from "../../store/store-types";
import type { LegacyRequest } from "../legacy-request";
import { withinReplayWindow } from "../replay-window";
import type { KindContext, OpenResult, Subject } from "../transition-kind";
import { createFresh } from "./order-guard";

/** The payment a creating request with one of these keys made within the replay window. */
export async function storedCreation(ctx: KindContext, merchant: Merchant, keys: readonly string[]): Promise<Subject | undefined> {
  for (const key of keys) {
    const found = await ctx.store.findPaymentByRequestKey(merchant.sid, key);
    const payment = found && withinReplayWindow(ctx, merchant, found.createdAt) ? found : undefined;
    const transition = payment && (await ctx.store.findTransition(creationTransitionId(payment.pid)));
    if (payment && transition) return { payment, transition };
  }
  return undefined;
}

/** A request with failures: its stored answer if it is a repeat that was sent, else the refusal. */
export async function refuseUnlessRepeat<P>(ctx: KindContext, req: LegacyRequest, failures: LegacyFailure[], noPlan: P): Promise<OpenResult<P>> {
  const repeat = await storedCreation(ctx, req.merchant, [req.requestKey, ...req.priorKeys]);
  if (repeat && repeat.transition.state !== "requested") return { ok: true, opened: { ...repeat, plan: noPlan } };
  return { ok: false, failures };
}

/** What differs between the kinds' new payments. */
export interface CreationTerms {
  readonly kind: string;
  readonly tokenId: string | null;
  readonly amount: number;
  /** The legacy total `ta`. */
  readonly total: number;
  /** The order the guard counts it under; null: not guarded. */
  readonly orderKey: string | null;
  readonly recurring?: RecurringRef | null;
  /** How long a still-requested payment of the order holds it against this one (default: the
   *  answer deadline; a link-method payment: its link's life). */
  readonly holderOpenForMs?: number;
}

/** The payment and its creation transition (or the stored ones of a replay), through the order guard. */
export function createCreation(ctx: KindContext, req: LegacyRequest, terms: CreationTerms) {
  const { merchant, form, op } = req;
  return createFresh(
    ctx,
    merchant,
    {
      sid: merchant.sid,
      requestKey: req.requestKey,
      chargeId: null,
      tokenId: terms.tokenId,
      job: op.job,
      svid: req.svid,
      amount: terms.amount,
      total: terms.total,
      sod: form.get("sod") ?? null,
      orderKey: terms.orderKey,
      ...(terms.recurring !== undefined ? { recurring: terms.recurring } : {}),
      state: "requested",
      echo: req.echo,
      charset: form.charset,
      mode: merchant.mode,
    },
    {
      sid: merchant.sid,
      kind: terms.kind,
      job: op.job,
      requestKey: null,
      resource: null,
      univapayId: null,
      state: "requested",
      univapayStatus: null,
      errorCode: null,
      echo: "",
    },
    terms.holderOpenForMs,
  );
}

/** The order a creating request names: `sod`, or the merchant's own order field. */
export function orderKeyOf(req: LegacyRequest): string | null {
  return req.form.get(req.merchant.orderField ?? "sod") || null;
}
