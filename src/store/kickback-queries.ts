/**
 * SQL for the kickback outbox (kickbacks + kickback_attempts). The claim is one UPDATE … WHERE id
 * IN (due ids) RETURNING *: on PostgreSQL the inner select is FOR UPDATE SKIP LOCKED so concurrent
 * claimers get disjoint rows; on SQLite a single statement is already atomic (one writer).
 */
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import type { KickbackAttemptRow, KickbackOutcome, KickbackRow, KickbackState, NewKickback, NewKickbackAttempt } from "./store-types";
import { fromDbInstantOrNull, stripNul, type KickbackAttemptsTable, type KickbacksTable } from "./db-schema";
import type { QueryContext } from "./query-context";

export function toKickbackRow(ctx: QueryContext, r: Selectable<KickbacksTable>): KickbackRow {
  return {
    id: r.id,
    pid: r.pid,
    sid: r.sid,
    transition: r.transition,
    url: r.url,
    query: r.query,
    state: r.state as KickbackState,
    attempts: Number(r.attempts),
    nextAttemptAt: ctx.codec.fromDb(r.next_attempt_at),
    nextTrigger: r.next_trigger === "manual" ? "manual" : "auto",
    lockedBy: r.locked_by,
    lockedUntil: fromDbInstantOrNull(ctx.codec, r.locked_until),
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: ctx.codec.fromDb(r.created_at),
    deliveredAt: fromDbInstantOrNull(ctx.codec, r.delivered_at),
  };
}

function toAttemptRow(ctx: QueryContext, r: Selectable<KickbackAttemptsTable>): KickbackAttemptRow {
  return {
    id: r.id,
    kickbackId: r.kickback_id,
    attemptNo: Number(r.attempt_no),
    url: r.url,
    statusCode: r.status_code,
    durationMs: Number(r.duration_ms),
    bodyHead: r.body_head,
    error: r.error,
    trigger: r.trigger === "manual" ? "manual" : "auto",
    at: ctx.codec.fromDb(r.at),
  };
}

export async function insertKickbackIfAbsent(ctx: QueryContext, k: NewKickback, now: Date): Promise<boolean> {
  const at = ctx.codec.toDb(now);
  const r = await ctx.db
    .insertInto("kickbacks")
    .values({ id: randomUUID(), pid: k.pid, sid: k.sid, transition: k.transition, url: k.url, query: k.query, state: "pending", next_attempt_at: at, created_at: at })
    .onConflict((oc) => oc.columns(["pid", "transition"]).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function selectKickback(ctx: QueryContext, id: string): Promise<KickbackRow | undefined> {
  const r = await ctx.db.selectFrom("kickbacks").selectAll().where("id", "=", id).executeTakeFirst();
  return r && toKickbackRow(ctx, r);
}

export async function selectKickbacksByPid(ctx: QueryContext, pid: string): Promise<KickbackRow[]> {
  const rows = await ctx.db.selectFrom("kickbacks").selectAll().where("pid", "=", pid).orderBy("created_at").orderBy("id").execute();
  return rows.map((r) => toKickbackRow(ctx, r));
}

export async function selectAttempts(ctx: QueryContext, kickbackId: string): Promise<KickbackAttemptRow[]> {
  const rows = await ctx.db.selectFrom("kickback_attempts").selectAll().where("kickback_id", "=", kickbackId).orderBy("attempt_no").orderBy("at").execute();
  return rows.map((r) => toAttemptRow(ctx, r));
}

/** Due = pending, next_attempt_at <= now, and unlocked or lock expired (a crashed worker). */
export async function claimDueKickbackRows(ctx: QueryContext, workerId: string, now: Date, limit: number, lockMs: number): Promise<KickbackRow[]> {
  const nowDb = ctx.codec.toDb(now);
  const due = ctx.db
    .selectFrom("kickbacks")
    .select("id")
    .where("state", "=", "pending")
    .where("next_attempt_at", "<=", nowDb)
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", nowDb)]))
    .orderBy("next_attempt_at")
    .limit(limit);
  const rows = await ctx.db
    .updateTable("kickbacks")
    .set({ locked_by: workerId, locked_until: ctx.codec.toDb(new Date(now.getTime() + lockMs)) })
    .where("id", "in", ctx.dialect === "postgres" ? due.forUpdate().skipLocked() : due)
    .returningAll()
    .execute();
  // RETURNING order is unspecified: restore the due order.
  return rows.map((r) => toKickbackRow(ctx, r)).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
}

/** Applies the outcome iff the row is still pending and locked by workerId; true when applied. */
export async function applyKickbackOutcome(ctx: QueryContext, workerId: string, attempt: NewKickbackAttempt, outcome: KickbackOutcome): Promise<boolean> {
  const doneAt = ctx.codec.toDb(new Date(attempt.at.getTime() + attempt.durationMs));
  const r = await ctx.db
    .updateTable("kickbacks")
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      last_status: attempt.statusCode,
      last_error: attempt.error === null ? null : stripNul(attempt.error),
      state: outcome.kind === "retry" ? "pending" : outcome.kind,
      ...(outcome.kind === "retry" && { next_attempt_at: ctx.codec.toDb(outcome.nextAttemptAt) }),
      ...(outcome.kind === "delivered" && { delivered_at: doneAt }),
      next_trigger: "auto",
      locked_by: null,
      locked_until: null,
    }))
    .where("id", "=", attempt.kickbackId)
    .where("locked_by", "=", workerId)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertKickbackAttempt(ctx: QueryContext, a: NewKickbackAttempt): Promise<void> {
  await ctx.db
    .insertInto("kickback_attempts")
    .values({
      id: randomUUID(),
      kickback_id: a.kickbackId,
      attempt_no: a.attemptNo,
      url: a.url,
      status_code: a.statusCode,
      duration_ms: Math.round(a.durationMs),
      body_head: stripNul(a.bodyHead),
      error: a.error === null ? null : stripNul(a.error),
      trigger: a.trigger,
      at: ctx.codec.toDb(a.at),
    })
    .execute();
}

/** Dead or delivered → pending, due now, next attempt marked manual. Pending rows are left alone
 *  (already queued; a manual attempt would cut their automatic schedule short). */
export async function requeueKickbackRow(ctx: QueryContext, id: string, now: Date): Promise<boolean> {
  const r = await ctx.db
    .updateTable("kickbacks")
    .set({ state: "pending", next_attempt_at: ctx.codec.toDb(now), next_trigger: "manual", delivered_at: null, locked_by: null, locked_until: null })
    .where("id", "=", id)
    .where("state", "in", ["dead", "delivered"])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function countKickbacksByState(ctx: QueryContext): Promise<{ pending: number; dead: number }> {
  const rows = await ctx.db
    .selectFrom("kickbacks")
    .select(["state", (eb) => eb.fn.countAll<number | string>().as("n")])
    .where("state", "in", ["pending", "dead"])
    .groupBy("state")
    .execute();
  const n = (s: string): number => Number(rows.find((r) => r.state === s)?.n ?? 0);
  return { pending: n("pending"), dead: n("dead") };
}
