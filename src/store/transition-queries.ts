/**
 * SQL for the transitions table: the legacy-visible steps of a payment (its creation, SALES,
 * CANCEL, …), each settled exactly once with its kickback. Settling is one statement on
 * PostgreSQL (data-modifying CTEs) and three in the caller's group transaction on SQLite.
 */
import { randomUUID } from "node:crypto";
import { CompiledQuery, type Insertable, type Selectable } from "kysely";
import type { DbInstant, PaymentsTable, TransitionsTable } from "./db-schema";
import { insertKickbackIfAbsent } from "./kickback-queries";
import { toPaymentRow, updatePaymentRow } from "./payment-queries";
import { namedStatement } from "./pg-named-statements";
import { prepareQuery, type Placeholder } from "./prepared-query";
import { definedOnly, type QueryContext } from "./query-context";
import {
  OPEN_TRANSITION_STATES,
  UNFINISHED_TRANSITION_STATES,
  type NewKickback,
  type NewTransition,
  type PaymentPatch,
  type PaymentRow,
  type TransitionPatch,
  type TransitionRow,
  type TransitionState,
} from "./store-types";

export function toTransitionRow(ctx: QueryContext, r: Selectable<TransitionsTable>): TransitionRow {
  return {
    id: r.id,
    pid: r.pid,
    sid: r.sid,
    kind: r.kind,
    job: r.job,
    requestKey: r.request_key,
    resource: r.resource,
    univapayId: r.univapay_id,
    state: r.state as TransitionState,
    univapayStatus: r.univapay_status,
    errorCode: r.error_code,
    echo: r.echo,
    createdAt: ctx.codec.fromDb(r.created_at),
    updatedAt: ctx.codec.fromDb(r.updated_at),
  };
}

const INSERT = prepareQuery((db, p: Placeholder<Insertable<TransitionsTable>>) =>
  db
    .insertInto("transitions")
    .values({
      id: p("id"),
      pid: p("pid"),
      sid: p("sid"),
      kind: p("kind"),
      job: p("job"),
      request_key: p("request_key"),
      resource: p("resource"),
      univapay_id: p("univapay_id"),
      state: p("state"),
      univapay_status: p("univapay_status"),
      error_code: p("error_code"),
      echo: p("echo"),
      created_at: p("created_at"),
      updated_at: p("updated_at"),
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll(),
);

/** Inserts; undefined when (sid, request_key) (or the id) already exists. */
export async function insertTransitionIfAbsent(ctx: QueryContext, id: string, pid: string, t: NewTransition): Promise<TransitionRow | undefined> {
  const now = ctx.codec.toDb(ctx.now());
  const { rows } = await INSERT.run(ctx, {
    id,
    pid,
    sid: t.sid,
    kind: t.kind,
    job: t.job,
    request_key: t.requestKey,
    resource: t.resource,
    univapay_id: t.univapayId,
    state: t.state,
    univapay_status: t.univapayStatus,
    error_code: t.errorCode,
    echo: t.echo,
    created_at: now,
    updated_at: now,
  });
  const r = rows[0];
  return r && toTransitionRow(ctx, r);
}

export function newTransitionId(): string {
  return randomUUID();
}

const BY_ID = prepareQuery((db, p: Placeholder<{ id: string }>) => db.selectFrom("transitions").selectAll().where("id", "=", p("id")));
const BY_REQUEST_KEY = prepareQuery((db, p: Placeholder<{ sid: string; key: string }>) =>
  db.selectFrom("transitions").selectAll().where("sid", "=", p("sid")).where("request_key", "=", p("key")),
);
const BY_UNIVAPAY_ID = prepareQuery((db, p: Placeholder<{ id: string }>) =>
  db.selectFrom("transitions").selectAll().where("univapay_id", "=", p("id")).orderBy("created_at").orderBy("id"),
);
const BY_PID = prepareQuery((db, p: Placeholder<{ pid: string }>) =>
  db.selectFrom("transitions").selectAll().where("pid", "=", p("pid")).orderBy("created_at").orderBy("id"),
);

export async function selectTransition(ctx: QueryContext, id: string): Promise<TransitionRow | undefined> {
  const r = (await BY_ID.run(ctx, { id })).rows[0];
  return r && toTransitionRow(ctx, r);
}

export async function selectTransitionByRequestKey(ctx: QueryContext, sid: string, key: string): Promise<TransitionRow | undefined> {
  const r = (await BY_REQUEST_KEY.run(ctx, { sid, key })).rows[0];
  return r && toTransitionRow(ctx, r);
}

export async function selectTransitionsByUnivapayId(ctx: QueryContext, id: string): Promise<TransitionRow[]> {
  return (await BY_UNIVAPAY_ID.run(ctx, { id })).rows.map((r) => toTransitionRow(ctx, r));
}

export async function selectTransitionsByPid(ctx: QueryContext, pid: string): Promise<TransitionRow[]> {
  return (await BY_PID.run(ctx, { pid })).rows.map((r) => toTransitionRow(ctx, r));
}

type OpenUpdateArgs = {
  id: string;
  state: string | null;
  univapayStatus: string | null;
  errorCode: string | null;
  univapayId: string | null;
  resource: string | null;
  updatedAt: DbInstant;
};

/** Patches a transition only while it is open (states never move backwards). A null argument
 *  keeps the column: an open transition has no error_code, so a success leaves it null here as the
 *  PostgreSQL settlement's plain assignment does. */
const UPDATE_OPEN = prepareQuery((db, p: Placeholder<OpenUpdateArgs>) =>
  db
    .updateTable("transitions")
    .set((eb) => ({
      state: eb.fn.coalesce(eb.val(p("state")), eb.ref("state")),
      univapay_status: eb.fn.coalesce(eb.val(p("univapayStatus")), eb.ref("univapay_status")),
      error_code: eb.fn.coalesce(eb.val(p("errorCode")), eb.ref("error_code")),
      univapay_id: eb.fn.coalesce(eb.val(p("univapayId")), eb.ref("univapay_id")),
      resource: eb.fn.coalesce(eb.val(p("resource")), eb.ref("resource")),
      updated_at: p("updatedAt"),
    }))
    .where("id", "=", p("id"))
    .where("state", "in", OPEN_TRANSITION_STATES)
    .returningAll(),
);

function openArgs(ctx: QueryContext, id: string, patch: TransitionPatch): OpenUpdateArgs {
  return {
    id,
    state: patch.state ?? null,
    univapayStatus: patch.univapayStatus ?? null,
    errorCode: patch.errorCode ?? null,
    univapayId: patch.univapayId ?? null,
    resource: patch.resource ?? null,
    updatedAt: ctx.codec.toDb(ctx.now()),
  };
}

export async function updateOpenTransition(ctx: QueryContext, id: string, patch: TransitionPatch): Promise<TransitionRow | undefined> {
  const r = (await UPDATE_OPEN.run(ctx, openArgs(ctx, id, patch))).rows[0];
  return r && toTransitionRow(ctx, r);
}

/**
 * PostgreSQL: the transition's conditional UPDATE, its payment's UPDATE and the kickback INSERT
 * as ONE statement: one round trip and one commit, atomic by itself. A null payment argument keeps
 * the column; a null kickback url queues nothing.
 */
const SETTLE_PG = namedStatement(`
WITH t AS (
  UPDATE transitions SET state = $2, univapay_status = COALESCE($3, univapay_status), error_code = $4,
    univapay_id = COALESCE($5, univapay_id), resource = COALESCE($6, resource), updated_at = $7
  WHERE id = $1 AND state IN ('requested', 'pending')
  RETURNING *
), p AS (
  UPDATE payments SET state = COALESCE($8, state), charge_id = COALESCE($9, charge_id), token_id = COALESCE($10, token_id),
    mode = COALESCE($11, mode), updated_at = $7
  WHERE pid = (SELECT pid FROM t)
  RETURNING *
), k AS (
  INSERT INTO kickbacks (id, pid, sid, transition, url, query, state, next_attempt_at, created_at)
  SELECT $12, t.pid, t.sid, t.id, $13, $14, 'pending', $15, $15 FROM t WHERE $13::text IS NOT NULL
  ON CONFLICT (pid, transition) DO NOTHING
  RETURNING id
)
SELECT (SELECT to_jsonb(t) FROM t) AS t, (SELECT to_jsonb(p) FROM p) AS p, (SELECT count(*) FROM k) AS enqueued`);

/** A row that came back through to_jsonb: instants are ISO strings, numbers numbers. */
function fromJson<T>(v: unknown): T {
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

export async function settleTransitionRow(
  ctx: QueryContext,
  id: string,
  patch: TransitionPatch & { state: "succeeded" | "failed" },
  payment: PaymentPatch | null,
  kickback: NewKickback | null,
  now: Date,
): Promise<{ transition: TransitionRow; payment: PaymentRow; enqueued: boolean } | undefined> {
  const pp = definedOnly(payment ?? {});
  if (ctx.dialect === "postgres") {
    const at = ctx.codec.toDb(ctx.now());
    const r = await ctx.db.executeQuery<{ t: unknown; p: unknown; enqueued: string | number }>(
      CompiledQuery.raw(SETTLE_PG, [
        id,
        patch.state,
        patch.univapayStatus ?? null,
        patch.errorCode ?? null,
        patch.univapayId ?? null,
        patch.resource ?? null,
        at,
        pp.state ?? null,
        pp.chargeId ?? null,
        pp.tokenId ?? null,
        pp.mode ?? null,
        randomUUID(),
        kickback?.url ?? null,
        kickback?.query ?? null,
        ctx.codec.toDb(now),
      ]),
    );
    const row = r.rows[0];
    if (!row || row.t === null || row.p === null) return undefined;
    return {
      transition: toTransitionRow(ctx, fromJson<Selectable<TransitionsTable>>(row.t)),
      payment: toPaymentRow(ctx, fromJson<Selectable<PaymentsTable>>(row.p)),
      enqueued: Number(row.enqueued) > 0,
    };
  }
  // SQLite has no data-modifying CTEs: three statements, in the caller's transaction or group.
  const transition = await updateOpenTransition(ctx, id, { ...patch, errorCode: patch.errorCode ?? null });
  if (!transition) return undefined;
  const row = await updatePaymentRow(ctx, transition.pid, pp);
  if (!row) throw new Error(`payment ${transition.pid} of transition ${id} vanished`);
  const enqueued = kickback ? await insertKickbackIfAbsent(ctx, { ...kickback, transition: id }, now) : false;
  return { transition, payment: row, enqueued };
}

const STALE = prepareQuery((db, p: Placeholder<{ before: DbInstant; limit: number }>) =>
  db
    .selectFrom("transitions")
    .selectAll()
    .where("state", "in", UNFINISHED_TRANSITION_STATES)
    .where("updated_at", "<", p("before"))
    .orderBy("updated_at")
    .limit(p("limit")),
);

export async function selectStaleTransitions(ctx: QueryContext, before: Date, limit: number): Promise<TransitionRow[]> {
  return (await STALE.run(ctx, { before: ctx.codec.toDb(before), limit })).rows.map((r) => toTransitionRow(ctx, r));
}

export async function touchTransitionRow(ctx: QueryContext, id: string): Promise<void> {
  await ctx.db
    .updateTable("transitions")
    .set({ updated_at: ctx.codec.toDb(ctx.now()) })
    .where("id", "=", id)
    .execute();
}

/** Not on the payment path (an abandoned or reversed transition is rare): plain builder SQL. */
export async function moveTransitionRow(
  ctx: QueryContext,
  id: string,
  from: readonly TransitionState[],
  patch: TransitionPatch & { state: TransitionState },
): Promise<TransitionRow | undefined> {
  const r = await ctx.db
    .updateTable("transitions")
    .set(
      definedOnly({
        state: patch.state,
        univapay_status: patch.univapayStatus ?? undefined,
        error_code: patch.errorCode ?? undefined,
        univapay_id: patch.univapayId ?? undefined,
        resource: patch.resource ?? undefined,
        updated_at: ctx.codec.toDb(ctx.now()),
      }),
    )
    .where("id", "=", id)
    .where("state", "in", [...from])
    .returningAll()
    .executeTakeFirst();
  return r && toTransitionRow(ctx, r);
}

/** States an operator watches after an unknown outcome (migration 8 indexes them). */
const REVERSAL_STATES = ["reversing", "reversed"] as const;

/** The latest transitions whose merchant was answered failure while UnivaPay's outcome was
 *  unknown: still being reversed, or reversed. Newest change first. */
export async function selectReversals(ctx: QueryContext, limit: number): Promise<TransitionRow[]> {
  const rows = await ctx.db
    .selectFrom("transitions")
    .selectAll()
    .where("state", "in", [...REVERSAL_STATES])
    .orderBy("updated_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => toTransitionRow(ctx, r));
}

export async function countReversing(ctx: QueryContext): Promise<number> {
  const r = await ctx.db
    .selectFrom("transitions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("state", "=", "reversing")
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
