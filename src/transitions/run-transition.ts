/**
 * One legacy request through its transition kind: open (validate, find or make the rows), create
 * at UnivaPay if not done yet, wait for the outcome within the poll deadline, settle, answer. It
 * resumes from whatever is stored, so a repeated request continues where the first one stopped and
 * re-sends a POST only with the same Idempotency-Key.
 */
import type { LegacyResult } from "../domain/legacy-result";
import { ecFor, type LegacyFailure } from "../mapping";
import type { LegacyRequest } from "./legacy-request";
import { classifyUpstreamError } from "./upstream-outcome";
import { creationTransitionId, OPEN_TRANSITION_STATES, type TransitionRow } from "../store/store-types";
import { settleAs, settleFromResource } from "./settle-transition";
import type { Created, KindContext, Subject, TransitionKind } from "./transition-kind";

export type RunAnswer = { ok: true; result: LegacyResult } | { ok: false; failures: LegacyFailure[]; pid?: string };

const isOpen = (t: TransitionRow) => OPEN_TRANSITION_STATES.includes(t.state);

export async function runTransition(ctx: KindContext, kind: TransitionKind, req: LegacyRequest): Promise<RunAnswer> {
  const opened = await kind.open(ctx, req);
  if (!opened.ok) return opened;
  const { merchant } = req;
  const subject: Subject = opened.opened;
  const answer = (s: Subject): RunAnswer => ({ ok: true, result: kind.reply(ctx.table, s) });
  if (!isOpen(subject.transition)) return answer(subject);

  let created: Created | undefined;
  // "requested": not yet accepted by UnivaPay (a crash or a lost answer may have left it so; the
  // same Idempotency-Key makes a second POST a replay).
  if (subject.transition.state === "requested") {
    try {
      created = await kind.create(ctx, merchant, opened.opened);
    } catch (err) {
      const o = classifyUpstreamError(ctx.table, err);
      if (o.kind === "rejected") {
        ctx.logger.warn({ pid: subject.payment.pid, kind: kind.name, code: o.code, ec: o.ec }, "univapay rejected the request");
        return answer(await settleAs(ctx, merchant, kind, subject, { state: "failed", errorCode: o.ec }, kind.after(subject, undefined, "failure")));
      }
      if (o.kind === "unknown") {
        // It may have been processed: the row stays open; a resend re-sends the same key, and
        // the reconciler or a webhook settles it.
        ctx.logger.warn({ pid: subject.payment.pid, kind: kind.name }, "outcome unknown, answered as pending");
        return answer(subject);
      }
      // Nothing reached UnivaPay: a failure for this attempt, nothing stored as failed, so a
      // resend tries again. A payment this request was creating gets no pid: none exists yet.
      ctx.logger.warn({ pid: subject.payment.pid, kind: kind.name }, "univapay unreachable, nothing sent");
      const creating = subject.transition.id === creationTransitionId(subject.payment.pid);
      return {
        ok: true,
        result: {
          ...kind.reply(ctx.table, subject),
          outcome: "failure",
          ec: ecFor(ctx.table, "upstream_unavailable"),
          pid: creating ? null : subject.payment.pid,
        },
      };
    }
  }
  let latest = created ? withCreated(subject, created) : subject;
  // A kind that cannot find a resource whose id it lost (no recover slot) writes the id down
  // before waiting, so a crash during the wait leaves something the reconciler can look up. A
  // charge is found again by its metadata: its id is written with the outcome, in one write.
  if (created && !kind.recover) {
    latest = await ctx.store.recordPending(
      subject.transition.id,
      { univapayId: created.univapayId, resource: created.resource },
      kind.after(latest, undefined, "pending"),
    );
    created = undefined;
    if (!isOpen(latest.transition)) return answer(latest);
  }
  let resource: unknown;
  try {
    // A real-time budget: how long the merchant waits.
    resource = await kind.fetch(ctx, merchant, latest, Date.now() + ctx.pollDeadlineMs);
  } catch (err) {
    ctx.logger.warn({ err, pid: subject.payment.pid, kind: kind.name }, "status unavailable, result will follow by kickback");
    if (created)
      latest = await ctx.store.recordPending(
        subject.transition.id,
        { univapayId: created.univapayId, resource: created.resource },
        kind.after(latest, undefined, "pending"),
      );
    return answer(latest);
  }
  return answer(await settleFromResource(ctx, merchant, kind, latest, resource, { accepted: true }));
}

/** The subject as it is once the create answer is known (written when it settles). */
function withCreated(s: Subject, c: Created): Subject {
  return { ...s, transition: { ...s.transition, univapayId: c.univapayId, resource: c.resource } };
}
