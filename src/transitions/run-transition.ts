/**
 * One legacy request through its transition kind: open (validate, find or make the rows), create
 * at UnivaPay if not done yet, wait for the outcome, settle, answer — all inside the request's
 * answer deadline. It resumes from whatever is stored, so a repeated request continues where the
 * first one stopped and re-sends a POST only with the same Idempotency-Key.
 *
 * The answer is definitive: rst=1 means the money moved as asked, rst=2 that nothing moved or
 * that it will be reversed. An outcome still unknown at the deadline (a lost answer that same-key
 * retries did not recover, a charge still pending), or an internal error once a POST may have
 * left, is answered `outcome_unknown` and the transition becomes `reversing` (apply-resource.ts).
 * Only merchants that opted in (`acceptsPending`) and kinds that cannot reverse get rst=0 instead.
 */
import type { LegacyResult } from "../domain/legacy-result";
import { ecFor, type LegacyFailure } from "../mapping";
import type { LegacyRequest } from "./legacy-request";
import { classifyUpstreamError } from "./upstream-outcome";
import { creationTransitionId, OPEN_TRANSITION_STATES, type TransitionRow } from "../store/store-types";
import { settleAs, settleFromResource } from "./settle-transition";
import { abandonTransition, isAbandoned } from "./apply-resource";
import type { Created, KindContext, Opened, Subject, TransitionKind } from "./transition-kind";
import type { SettleSubscription } from "./settle-signals";
import type { Merchant } from "../config/merchants";

export type RunAnswer = { ok: true; result: LegacyResult } | { ok: false; failures: LegacyFailure[]; pid?: string };

/** Kept back from the deadline for the last store write and the reply. */
export const ANSWER_RESERVE_MS = 300;
/** Kept from a webhook wait for the poll that backs it up (a GET of a final charge is quick). */
export const WEBHOOK_FALLBACK_POLL_MS = 1_000;
/** Pauses between same-key retries of a create whose answer was lost (the last one repeats). */
const CREATE_RETRY_PAUSES_MS = [100, 250, 500] as const;

const isOpen = (t: TransitionRow) => OPEN_TRANSITION_STATES.includes(t.state);
/** The legacy answer the subject's kind gives for it as it stands. */
const answerOf = (ctx: KindContext, kind: TransitionKind, s: Subject): RunAnswer => ({ ok: true, result: kind.reply(ctx.table, s) });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type CreateOutcome =
  | { readonly kind: "created"; readonly created: Created }
  | { readonly kind: "rejected"; readonly ec: string; readonly code: string | undefined }
  | { readonly kind: "not_sent" }
  | { readonly kind: "unknown" }
  | { readonly kind: "settled"; readonly subject: Subject };

export async function runTransition(ctx: KindContext, kind: TransitionKind, req: LegacyRequest): Promise<RunAnswer> {
  const deadlineAt = req.receivedAt + ctx.answerDeadlineMs - ANSWER_RESERVE_MS;
  // Every UnivaPay call of this request, retries and polls included, ends by the deadline.
  const bounded: KindContext = { ...ctx, client: ctx.client.until(deadlineAt) };
  const opened = await kind.open(bounded, req);
  if (!opened.ok) return opened;
  const answer = (s: Subject) => answerOf(ctx, kind, s);
  let subject: Subject = opened.opened;
  // A resend of a request whose own deadline passed long ago: that request was answered failure
  // (or never answered), so this one is held to it rather than completing the payment.
  if (isAbandoned(ctx, req.merchant, kind, subject.transition, ctx.now().getTime())) subject = await abandonTransition(ctx, kind, subject, req.merchant);
  if (!isOpen(subject.transition)) return answer(subject);
  // Not `requested`: a POST left in an earlier attempt, so money may have moved already.
  let sent = subject.transition.state !== "requested";
  // Before the POST: a webhook that overtakes its answer still wakes this request.
  const sub = ctx.signals.subscribe(subject.transition.id);
  try {
    return await proceed(bounded, kind, req, opened.opened, deadlineAt, sub, () => (sent = true));
  } catch (err) {
    // An internal error (store, code) once a POST may have left: the same rules as an unknown
    // outcome. Before anything was sent, it is an ordinary internal error: nothing moved.
    if (!sent) throw err;
    ctx.logger.error({ err, pid: subject.payment.pid, kind: kind.name }, "internal error after a request to UnivaPay; answered as outcome unknown");
    return unresolved(ctx, kind, req, subject, { storeMayFail: true });
  } finally {
    sub.close();
  }
}

async function proceed(
  ctx: KindContext,
  kind: TransitionKind,
  req: LegacyRequest,
  opened: Opened,
  deadlineAt: number,
  sub: SettleSubscription,
  markSent: () => void,
): Promise<RunAnswer> {
  const { merchant } = req;
  const answer = (s: Subject) => answerOf(ctx, kind, s);
  let created: Created | undefined;
  // "requested": not yet accepted by UnivaPay (a crash or a lost answer may have left it so; the
  // same Idempotency-Key makes a second POST a replay).
  if (opened.transition.state === "requested") {
    markSent();
    const o = await createWithin(ctx, kind, opened, req, deadlineAt, sub);
    if (o.kind === "settled") return answer(o.subject);
    if (o.kind === "rejected") {
      ctx.logger.warn({ pid: opened.payment.pid, kind: kind.name, code: o.code, ec: o.ec }, "univapay rejected the request");
      return answer(await settleAs(ctx, merchant, kind, opened, { state: "failed", errorCode: o.ec }, kind.after(opened, undefined, "failure")));
    }
    if (o.kind === "not_sent") return notSent(ctx, kind, opened);
    if (o.kind === "unknown") return unresolved(ctx, kind, req, opened, {});
    created = o.created;
  }
  let latest = created ? withCreated(opened, created) : opened;
  // A kind that cannot find a resource whose id it lost (no recover slot) writes the id down
  // before waiting, so a crash during the wait leaves something the reconciler can look up. A
  // charge is found again by its metadata: its id is written with the outcome, in one write.
  if (created && !kind.recover) {
    latest = await ctx.store.recordPending(
      opened.transition.id,
      { univapayId: created.univapayId, resource: created.resource },
      kind.after(latest, undefined, "pending"),
    );
    created = undefined;
    if (!isOpen(latest.transition)) return answer(latest);
  }
  const until = Math.min(deadlineAt, Date.now() + ctx.pollDeadlineMs);
  const byWebhook = await settledByWebhook(ctx, kind, merchant, latest, sub, until);
  if (byWebhook) return answer(byWebhook);
  let resource: unknown;
  try {
    resource = await kind.fetch(ctx, merchant, latest, until);
  } catch (err) {
    ctx.logger.warn({ err, pid: opened.payment.pid, kind: kind.name }, "status unavailable at the answer deadline");
    return unresolved(ctx, kind, req, latest, { created });
  }
  const settled = await settleFromResource(ctx, merchant, kind, latest, resource, { accepted: true });
  return isOpen(settled.transition) ? unresolved(ctx, kind, req, settled, {}) : answer(settled);
}

/**
 * While this merchant's webhooks are arriving, the outcome is awaited from them: the webhook
 * processor settles the transition from the webhook body and signals, and this reads the store.
 * The last WEBHOOK_FALLBACK_POLL_MS before `until` are left for a poll, in case the webhook is
 * late or lost. Undefined: not settled that way (poll now).
 */
async function settledByWebhook(
  ctx: KindContext,
  kind: TransitionKind,
  merchant: Merchant,
  s: Subject,
  sub: SettleSubscription,
  until: number,
): Promise<Subject | undefined> {
  if (!kind.fromEvent || !ctx.signals.webhooksFlowing(merchant.sid)) return undefined;
  while (await sub.next(until - WEBHOOK_FALLBACK_POLL_MS)) {
    const settled = await storedIfSettled(ctx, s);
    if (settled) return settled;
  }
  return undefined;
}

/** The subject as stored, if its transition is no longer open (another path settled it). */
async function storedIfSettled(ctx: KindContext, s: Subject): Promise<Subject | undefined> {
  const transition = await ctx.store.findTransition(s.transition.id);
  if (!transition || isOpen(transition)) return undefined;
  const payment = await ctx.store.findPaymentByPid(s.payment.pid);
  return payment && { payment, transition };
}

/**
 * The create, re-sent with the same Idempotency-Key while its answer is lost and time is left
 * (UnivaPay replays a key it has processed: this is not a blind retry).
 */
async function createWithin(
  ctx: KindContext,
  kind: TransitionKind,
  opened: Opened,
  req: LegacyRequest,
  deadlineAt: number,
  sub: SettleSubscription,
): Promise<CreateOutcome> {
  let maybeProcessed = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return { kind: "created", created: await kind.create(ctx, req.merchant, opened) };
    } catch (err) {
      const o = classifyUpstreamError(ctx.table, err);
      if (o.kind === "rejected") return o;
      if (o.kind === "unknown") maybeProcessed = true;
      const pause = CREATE_RETRY_PAUSES_MS[Math.min(attempt, CREATE_RETRY_PAUSES_MS.length - 1)] as number;
      if (Date.now() + pause >= deadlineAt) return maybeProcessed ? { kind: "unknown" } : { kind: "not_sent" };
      // A signal since the last try: the webhook may have settled it (adopted through our metadata).
      const settled = (await sub.next(0)) ? await storedIfSettled(ctx, opened) : undefined;
      if (settled) return { kind: "settled", subject: settled };
      ctx.logger.warn(
        { pid: opened.payment.pid, kind: kind.name, attempt: attempt + 1 },
        "univapay create unanswered, re-sending with the same Idempotency-Key",
      );
      await sleep(pause);
    }
  }
}

/**
 * Nothing reached UnivaPay: a failure for this attempt, nothing stored as failed, so a resend
 * tries again. A payment this request was creating gets no pid: none exists yet.
 */
function notSent(ctx: KindContext, kind: TransitionKind, s: Subject): RunAnswer {
  ctx.logger.warn({ pid: s.payment.pid, kind: kind.name }, "univapay unreachable, nothing sent");
  const creating = s.transition.id === creationTransitionId(s.payment.pid);
  return {
    ok: true,
    result: { ...kind.reply(ctx.table, s), outcome: "failure", ec: ecFor(ctx.table, "upstream_unavailable"), pid: creating ? null : s.payment.pid },
  };
}

/**
 * The outcome is unknown when the merchant must be answered. Opted-in merchants (and kinds that
 * cannot reverse) are answered pending, the result following by kickback; the others failure,
 * with the transition `reversing`. If the store fails too, the answer is the same failure: the
 * transition stays open, and the reconciler treats an open one past its deadline the same way.
 */
async function unresolved(
  ctx: KindContext,
  kind: TransitionKind,
  req: LegacyRequest,
  s: Subject,
  o: { created?: Created; storeMayFail?: boolean },
): Promise<RunAnswer> {
  const answer = (x: Subject) => answerOf(ctx, kind, x);
  if (req.merchant.acceptsPending === true || !kind.reverse) {
    ctx.logger.warn({ pid: s.payment.pid, kind: kind.name }, "outcome unknown, answered as pending");
    if (!o.created) return answer(s);
    const { created } = o;
    return answer(
      await ctx.store.recordPending(s.transition.id, { univapayId: created.univapayId, resource: created.resource }, kind.after(s, undefined, "pending")),
    );
  }
  try {
    return answer(await abandonTransition(ctx, kind, s, req.merchant));
  } catch (err) {
    if (!o.storeMayFail) throw err;
    ctx.logger.error({ err, pid: s.payment.pid }, "could not record the abandoned transition; the reconciler will reverse it");
    const failed: Subject = { ...s, transition: { ...s.transition, state: "reversing", errorCode: ecFor(ctx.table, "outcome_unknown") } };
    return answer(failed);
  }
}

/** The subject as it is once the create answer is known (written when it settles). */
function withCreated(s: Subject, c: Created): Subject {
  return { ...s, transition: { ...s.transition, univapayId: c.univapayId, resource: c.resource } };
}
