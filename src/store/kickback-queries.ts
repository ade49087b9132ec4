/**
 * SQL for the kickback outbox (kickbacks + kickback_attempts). Claims are queue-claim.ts's, shared
 * with the webhook inbox; an outcome applies only while the claiming worker still holds the row.
 */
import { randomUUID } from "node:crypto";
import { sql, type Insertable, type Selectable } from "kysely";
import type { KickbackAttemptRow, KickbackOutcome, KickbackRow, KickbackState, NewKickback, NewKickbackAttempt } from "./store-types";
import { fromDbInstantOrNull, stripNul, type DbInstant, type KickbackAttemptsTable, type KickbacksTable } from "./db-schema";
import { prepareQuery, preparedByShape, type Placeholder } from "./prepared-query";
import { claimDueRows } from "./queue-claim";
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

const INSERT_KICKBACK = prepareQuery((db, p: Placeholder<Insertable<KickbacksTable>>) =>
  db
    .insertInto("kickbacks")
    .values({
      id: p("id"),
      pid: p("pid"),
      sid: p("sid"),
      transition: p("transition"),
      url: p("url"),
      query: p("query"),
      state: p("state"),
      next_attempt_at: p("next_attempt_at"),
      created_at: p("created_at"),
    })
    .onConflict((oc) => oc.columns(["pid", "transition"]).doNothing()),
);

export async function insertKickbackIfAbsent(ctx: QueryContext, k: NewKickback, now: Date): Promise<boolean> {
  const at = ctx.codec.toDb(now);
  const r = await INSERT_KICKBACK.run(ctx, {
    id: randomUUID(),
    pid: k.pid,
    sid: k.sid,
    transition: k.transition,
    url: k.url,
    query: k.query,
    state: "pending",
    next_attempt_at: at,
    created_at: at,
  });
  return Number(r.numAffectedRows ?? 0) > 0;
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

export async function claimDueKickbackRows(ctx: QueryContext, workerId: string, now: Date, limit: number, lockMs: number): Promise<KickbackRow[]> {
  return (await claimDueRows(ctx, "kickbacks", workerId, now, limit, lockMs)).map((r) => toKickbackRow(ctx, r));
}

type OutcomeArgs = {
  kickbackId: string;
  workerId: string;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: DbInstant;
  deliveredAt: DbInstant;
};

/** One statement per outcome kind: each sets different columns. */
const APPLY_OUTCOME = preparedByShape((kind: KickbackOutcome["kind"]) =>
  prepareQuery((db, p: Placeholder<OutcomeArgs>) =>
    db
      .updateTable("kickbacks")
      .set(() => ({
        // attempts was counted when the row was claimed (queue-claim.ts)
        last_status: p("lastStatus"),
        last_error: p("lastError"),
        state: kind === "retry" ? "pending" : kind,
        ...(kind === "retry" && { next_attempt_at: p("nextAttemptAt") }),
        ...(kind === "delivered" && { delivered_at: p("deliveredAt") }),
        next_trigger: "auto",
        locked_by: null,
        locked_until: null,
      }))
      .where("id", "=", p("kickbackId"))
      .where("locked_by", "=", p("workerId"))
      .where("state", "=", "pending"),
  ),
);

/** Applies the outcome iff the row is still pending and locked by workerId; true when applied. */
export async function applyKickbackOutcome(ctx: QueryContext, workerId: string, attempt: NewKickbackAttempt, outcome: KickbackOutcome): Promise<boolean> {
  const doneAt = ctx.codec.toDb(new Date(attempt.at.getTime() + attempt.durationMs));
  const r = await APPLY_OUTCOME(outcome.kind).run(ctx, {
    kickbackId: attempt.kickbackId,
    workerId,
    lastStatus: attempt.statusCode,
    lastError: attempt.error === null ? null : stripNul(attempt.error),
    nextAttemptAt: outcome.kind === "retry" ? ctx.codec.toDb(outcome.nextAttemptAt) : doneAt,
    deliveredAt: doneAt,
  });
  return Number(r.numAffectedRows ?? 0) > 0;
}

/**
 * PostgreSQL: a whole batch of outcomes in ONE statement — the outcomes as a JSON record set, one
 * UPDATE of the kickbacks still claimed by workerId, and the attempt rows of exactly those —
 * instead of two statements per kickback. Answers, per item and in order, whether it applied.
 */
export async function applyKickbackOutcomesAtOnce(
  ctx: QueryContext,
  workerId: string,
  items: ReadonlyArray<{ attempt: NewKickbackAttempt; outcome: KickbackOutcome }>,
): Promise<boolean[]> {
  const iso = (d: Date) => d.toISOString();
  const input = items.map(({ attempt: a, outcome: o }) => ({
    id: a.kickbackId,
    state: o.kind === "retry" ? "pending" : o.kind,
    last_status: a.statusCode,
    last_error: a.error === null ? null : stripNul(a.error),
    next_attempt_at: o.kind === "retry" ? iso(o.nextAttemptAt) : null,
    delivered_at: o.kind === "delivered" ? iso(new Date(a.at.getTime() + a.durationMs)) : null,
    attempt_id: randomUUID(),
    attempt_no: a.attemptNo,
    url: stripNul(a.url),
    duration_ms: Math.round(a.durationMs),
    body_head: stripNul(a.bodyHead),
    trigger: a.trigger,
    at: iso(a.at),
  }));
  const { rows } = await sql<{ id: string }>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS x(
        id text, state text, last_status integer, last_error text, next_attempt_at timestamptz, delivered_at timestamptz,
        attempt_id text, attempt_no integer, url text, duration_ms integer, body_head text, trigger text, at timestamptz)
    ), applied AS (
      UPDATE kickbacks k SET
        state = i.state, last_status = i.last_status, last_error = i.last_error,
        next_attempt_at = COALESCE(i.next_attempt_at, k.next_attempt_at), delivered_at = COALESCE(i.delivered_at, k.delivered_at),
        next_trigger = 'auto', locked_by = NULL, locked_until = NULL
      FROM input i
      WHERE k.id = i.id AND k.locked_by = ${workerId} AND k.state = 'pending'
      RETURNING k.id
    ), recorded AS (
      INSERT INTO kickback_attempts (id, kickback_id, attempt_no, url, status_code, duration_ms, body_head, error, trigger, at)
      SELECT i.attempt_id, i.id, i.attempt_no, i.url, i.last_status, i.duration_ms, i.body_head, i.last_error, i.trigger, i.at
      FROM input i JOIN applied a ON a.id = i.id
    )
    SELECT id FROM applied`.execute(ctx.db);
  const done = new Set(rows.map((r) => r.id));
  return items.map((it) => done.has(it.attempt.kickbackId));
}

const INSERT_ATTEMPT = prepareQuery((db, p: Placeholder<Insertable<KickbackAttemptsTable>>) =>
  db.insertInto("kickback_attempts").values({
    id: p("id"),
    kickback_id: p("kickback_id"),
    attempt_no: p("attempt_no"),
    url: p("url"),
    status_code: p("status_code"),
    duration_ms: p("duration_ms"),
    body_head: p("body_head"),
    error: p("error"),
    trigger: p("trigger"),
    at: p("at"),
  }),
);

export async function insertKickbackAttempt(ctx: QueryContext, a: NewKickbackAttempt): Promise<void> {
  await INSERT_ATTEMPT.run(ctx, {
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
  });
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
