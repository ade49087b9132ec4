/**
 * SQL for the webhook inbox (webhook_events): de-duplicated on (sid, dedupe_key), claimed like the
 * kickback outbox (queue-claim.ts) by a named worker; completion applies only while that worker
 * still holds the event. Processing stays idempotent (it re-fetches the resource anyway).
 */
import { randomUUID } from "node:crypto";
import type { Insertable, Selectable } from "kysely";
import type { NewWebhookEvent, WebhookEventRow, WebhookEventState } from "./store-types";
import { fromDbInstantOrNull, stripNul, type DbInstant, type WebhookEventsTable } from "./db-schema";
import { prepareQuery, preparedByShape, type Placeholder } from "./prepared-query";
import { claimDueRows } from "./queue-claim";
import type { QueryContext } from "./query-context";

export type WebhookOutcome =
  { kind: "processed" | "ignored"; note?: string } | { kind: "retry"; nextAttemptAt: Date; error: string } | { kind: "dead"; error: string };

function toWebhookEventRow(ctx: QueryContext, r: Selectable<WebhookEventsTable>): WebhookEventRow {
  return {
    id: r.id,
    sid: r.sid,
    dedupeKey: r.dedupe_key,
    event: r.event,
    resourceId: r.resource_id,
    body: r.body,
    state: r.state as WebhookEventState,
    attempts: Number(r.attempts),
    nextAttemptAt: ctx.codec.fromDb(r.next_attempt_at),
    lockedBy: r.locked_by,
    lockedUntil: fromDbInstantOrNull(ctx.codec, r.locked_until),
    lastError: r.last_error,
    receivedAt: ctx.codec.fromDb(r.received_at),
  };
}

const INSERT_EVENT = prepareQuery((db, p: Placeholder<Insertable<WebhookEventsTable>>) =>
  db
    .insertInto("webhook_events")
    .values({
      id: p("id"),
      sid: p("sid"),
      dedupe_key: p("dedupe_key"),
      event: p("event"),
      resource_id: p("resource_id"),
      body: p("body"),
      state: p("state"),
      next_attempt_at: p("next_attempt_at"),
      received_at: p("received_at"),
    })
    .onConflict((oc) => oc.columns(["sid", "dedupe_key"]).doNothing()),
);

export async function insertWebhookEventIfAbsent(ctx: QueryContext, e: NewWebhookEvent, now: Date): Promise<boolean> {
  const at = ctx.codec.toDb(now);
  const r = await INSERT_EVENT.run(ctx, {
    id: randomUUID(),
    sid: e.sid,
    dedupe_key: e.dedupeKey,
    event: e.event,
    resource_id: e.resourceId,
    body: e.body,
    state: "pending",
    next_attempt_at: at,
    received_at: at,
  });
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function selectWebhookEvent(ctx: QueryContext, id: string): Promise<WebhookEventRow | undefined> {
  const r = await ctx.db.selectFrom("webhook_events").selectAll().where("id", "=", id).executeTakeFirst();
  return r && toWebhookEventRow(ctx, r);
}

export async function claimDueWebhookEventRows(ctx: QueryContext, workerId: string, now: Date, limit: number, lockMs: number): Promise<WebhookEventRow[]> {
  return (await claimDueRows(ctx, "webhook_events", workerId, now, limit, lockMs)).map((r) => toWebhookEventRow(ctx, r));
}

type CompleteArgs = { id: string; workerId: string; state: string; nextAttemptAt: DbInstant | null; lastError: string | null };

/** A retry also moves next_attempt_at; every other outcome leaves it. */
const COMPLETE_EVENT = preparedByShape((shape: "retry" | "final") =>
  prepareQuery((db, p: Placeholder<CompleteArgs>) =>
    db
      .updateTable("webhook_events")
      .set(() => ({
        // attempts was counted when the row was claimed (queue-claim.ts)
        state: p("state"),
        ...(shape === "retry" && { next_attempt_at: p("nextAttemptAt") as DbInstant }),
        last_error: p("lastError"),
        locked_by: null,
        locked_until: null,
      }))
      .where("id", "=", p("id"))
      .where("locked_by", "=", p("workerId"))
      .where("state", "=", "pending"),
  ),
);

/** Applies the outcome iff the event is still pending and claimed by workerId; true when applied. */
export async function completeWebhookEventRow(ctx: QueryContext, workerId: string, id: string, outcome: WebhookOutcome): Promise<boolean> {
  const lastError = "error" in outcome ? outcome.error : (outcome.note ?? null);
  const r = await COMPLETE_EVENT(outcome.kind === "retry" ? "retry" : "final").run(ctx, {
    id,
    workerId,
    state: outcome.kind === "retry" ? "pending" : outcome.kind,
    nextAttemptAt: outcome.kind === "retry" ? ctx.codec.toDb(outcome.nextAttemptAt) : null,
    lastError: lastError === null ? null : stripNul(lastError),
  });
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function countPendingWebhookEvents(ctx: QueryContext): Promise<number> {
  const r = await ctx.db
    .selectFrom("webhook_events")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
