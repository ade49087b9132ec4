/**
 * SQL for the webhook inbox (webhook_events): de-duplicated on dedupe_key, claimed like the
 * kickback outbox. The contract gives webhook claims no worker id, so completion is unguarded:
 * processing a webhook event must be idempotent (it re-fetches the charge anyway).
 */
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import type { NewWebhookEvent, WebhookEventRow, WebhookEventState } from "./store-types";
import { fromDbInstantOrNull, stripNul, type WebhookEventsTable } from "./db-schema";
import type { QueryContext } from "./query-context";

export type WebhookOutcome =
  | { kind: "processed" | "ignored"; note?: string }
  | { kind: "retry"; nextAttemptAt: Date; error: string }
  | { kind: "dead"; error: string };

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
    lockedUntil: fromDbInstantOrNull(ctx.codec, r.locked_until),
    lastError: r.last_error,
    receivedAt: ctx.codec.fromDb(r.received_at),
  };
}

export async function insertWebhookEventIfAbsent(ctx: QueryContext, e: NewWebhookEvent, now: Date): Promise<boolean> {
  const at = ctx.codec.toDb(now);
  const r = await ctx.db
    .insertInto("webhook_events")
    .values({ id: randomUUID(), sid: e.sid, dedupe_key: e.dedupeKey, event: e.event, resource_id: e.resourceId, body: e.body, state: "pending", next_attempt_at: at, received_at: at })
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function selectWebhookEvent(ctx: QueryContext, id: string): Promise<WebhookEventRow | undefined> {
  const r = await ctx.db.selectFrom("webhook_events").selectAll().where("id", "=", id).executeTakeFirst();
  return r && toWebhookEventRow(ctx, r);
}

export async function claimDueWebhookEventRows(ctx: QueryContext, now: Date, limit: number, lockMs: number): Promise<WebhookEventRow[]> {
  const nowDb = ctx.codec.toDb(now);
  const due = ctx.db
    .selectFrom("webhook_events")
    .select("id")
    .where("state", "=", "pending")
    .where("next_attempt_at", "<=", nowDb)
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", nowDb)]))
    .orderBy("next_attempt_at")
    .limit(limit);
  const rows = await ctx.db
    .updateTable("webhook_events")
    .set({ locked_until: ctx.codec.toDb(new Date(now.getTime() + lockMs)) })
    .where("id", "in", ctx.dialect === "postgres" ? due.forUpdate().skipLocked() : due)
    .returningAll()
    .execute();
  return rows.map((r) => toWebhookEventRow(ctx, r)).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
}

export async function completeWebhookEventRow(ctx: QueryContext, id: string, outcome: WebhookOutcome): Promise<boolean> {
  const lastError = "error" in outcome ? outcome.error : (outcome.note ?? null);
  const r = await ctx.db
    .updateTable("webhook_events")
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      state: outcome.kind === "retry" ? "pending" : outcome.kind,
      ...(outcome.kind === "retry" && { next_attempt_at: ctx.codec.toDb(outcome.nextAttemptAt) }),
      last_error: lastError === null ? null : stripNul(lastError),
      locked_until: null,
    }))
    .where("id", "=", id)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function countPendingWebhookEvents(ctx: QueryContext): Promise<number> {
  const r = await ctx.db.selectFrom("webhook_events").select((eb) => eb.fn.countAll<number | string>().as("n")).where("state", "=", "pending").executeTakeFirst();
  return Number(r?.n ?? 0);
}
