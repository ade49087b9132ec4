/**
 * SQL for the payments table. pid is minted by the caller (store-ops); the insert swallows any
 * unique conflict so the caller can tell an idempotent repeat from a pid collision without an
 * error (an error would abort a surrounding PostgreSQL transaction).
 */
import type { Insertable, Selectable, Updateable } from "kysely";
import { randomUUID } from "node:crypto";
import type { LegacyCharset, Mode, NewKickback, NewPayment, PaymentPatch, PaymentRow, PaymentState, SettlePatch } from "./store-types";
import type { DbInstant, PaymentsTable } from "./db-schema";
import { insertKickbackIfAbsent } from "./kickback-queries";
import { prepareQuery, preparedByShape, type Placeholder } from "./prepared-query";
import { definedOnly, type QueryContext } from "./query-context";

export function toPaymentRow(ctx: QueryContext, r: Selectable<PaymentsTable>): PaymentRow {
  return {
    pid: r.pid,
    sid: r.sid,
    requestKey: r.request_key,
    chargeId: r.charge_id,
    tokenId: r.token_id,
    job: r.job,
    svid: r.svid,
    amount: Number(r.amount),
    total: Number(r.total),
    sod: r.sod,
    state: r.state as PaymentState,
    univapayStatus: r.univapay_status,
    errorCode: r.error_code,
    echo: r.echo,
    charset: r.charset as LegacyCharset,
    mode: r.mode as Mode,
    createdAt: ctx.codec.fromDb(r.created_at),
    updatedAt: ctx.codec.fromDb(r.updated_at),
  };
}

const INSERT_PAYMENT = prepareQuery((db, p: Placeholder<Insertable<PaymentsTable>>) =>
  db
    .insertInto("payments")
    .values({
      pid: p("pid"),
      sid: p("sid"),
      request_key: p("request_key"),
      charge_id: p("charge_id"),
      token_id: p("token_id"),
      job: p("job"),
      svid: p("svid"),
      amount: p("amount"),
      total: p("total"),
      sod: p("sod"),
      state: p("state"),
      univapay_status: p("univapay_status"),
      error_code: p("error_code"),
      echo: p("echo"),
      charset: p("charset"),
      mode: p("mode"),
      created_at: p("created_at"),
      updated_at: p("updated_at"),
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll(),
);

/** Returns the inserted row, or undefined when (sid, request_key) or pid already exists. */
export async function insertPaymentIfAbsent(ctx: QueryContext, pid: string, p: NewPayment): Promise<PaymentRow | undefined> {
  const now = ctx.codec.toDb(ctx.now());
  const { rows } = await INSERT_PAYMENT.run(ctx, {
    pid,
    sid: p.sid,
    request_key: p.requestKey,
    charge_id: p.chargeId,
    token_id: p.tokenId,
    job: p.job,
    svid: p.svid,
    amount: p.amount,
    total: p.total,
    sod: p.sod,
    state: p.state,
    univapay_status: p.univapayStatus,
    error_code: p.errorCode,
    echo: p.echo,
    charset: p.charset,
    mode: p.mode,
    created_at: now,
    updated_at: now,
  });
  const r = rows[0];
  return r && toPaymentRow(ctx, r);
}

const SELECT_BY_REQUEST_KEY = prepareQuery((db, p: Placeholder<{ sid: string; requestKey: string }>) =>
  db.selectFrom("payments").selectAll().where("sid", "=", p("sid")).where("request_key", "=", p("requestKey")),
);
const SELECT_BY_PID = prepareQuery((db, p: Placeholder<{ pid: string }>) => db.selectFrom("payments").selectAll().where("pid", "=", p("pid")));
const SELECT_BY_SID_PID = prepareQuery((db, p: Placeholder<{ sid: string; pid: string }>) =>
  db.selectFrom("payments").selectAll().where("pid", "=", p("pid")).where("sid", "=", p("sid")),
);
const SELECT_BY_CHARGE_ID = prepareQuery((db, p: Placeholder<{ chargeId: string }>) =>
  db.selectFrom("payments").selectAll().where("charge_id", "=", p("chargeId")),
);

async function first(ctx: QueryContext, q: Promise<{ rows: Selectable<PaymentsTable>[] }>): Promise<PaymentRow | undefined> {
  const r = (await q).rows[0];
  return r && toPaymentRow(ctx, r);
}

export function selectPaymentByRequestKey(ctx: QueryContext, sid: string, requestKey: string): Promise<PaymentRow | undefined> {
  return first(ctx, SELECT_BY_REQUEST_KEY.run(ctx, { sid, requestKey }));
}

export function selectPaymentByPid(ctx: QueryContext, pid: string): Promise<PaymentRow | undefined> {
  return first(ctx, SELECT_BY_PID.run(ctx, { pid }));
}

export function selectPaymentBySidPid(ctx: QueryContext, sid: string, pid: string): Promise<PaymentRow | undefined> {
  return first(ctx, SELECT_BY_SID_PID.run(ctx, { sid, pid }));
}

export function selectPaymentByChargeId(ctx: QueryContext, chargeId: string): Promise<PaymentRow | undefined> {
  return first(ctx, SELECT_BY_CHARGE_ID.run(ctx, { chargeId }));
}

/** Patchable columns, in a fixed order so a patch's shape key is canonical. */
const PATCH_COLUMNS = [
  ["chargeId", "charge_id"],
  ["tokenId", "token_id"],
  ["state", "state"],
  ["univapayStatus", "univapay_status"],
  ["errorCode", "error_code"],
  ["mode", "mode"],
] as const;
type PatchArgs = { [K in (typeof PATCH_COLUMNS)[number][0]]: PaymentPatch[K] } & { pid: string; updatedAt: DbInstant };

/** Shape "chargeId,state|requested,pending": the patched columns, then the states it applies from
 *  (a code constant such as OPEN_STATES, never data). */
const UPDATE_PAYMENT = preparedByShape((shape: string) => {
  const [cols = "", from = ""] = shape.split("|");
  const set = new Set(cols.split(","));
  const fromStates = from === "" ? [] : from.split(",");
  return prepareQuery((db, p: Placeholder<PatchArgs>) => {
    let q = db.updateTable("payments").set(() => {
      const values: Updateable<PaymentsTable> = { updated_at: p("updatedAt") };
      for (const [key, column] of PATCH_COLUMNS) if (set.has(key)) (values as Record<string, unknown>)[column] = p(key);
      return values;
    });
    q = q.where("pid", "=", p("pid"));
    if (fromStates.length > 0) q = q.where("state", "in", fromStates);
    return q.returningAll();
  });
});

export async function updatePaymentRow(
  ctx: QueryContext,
  pid: string,
  patch: PaymentPatch,
  fromStates?: readonly PaymentState[],
): Promise<PaymentRow | undefined> {
  const p = definedOnly(patch);
  const cols = PATCH_COLUMNS.filter(([key]) => p[key] !== undefined).map(([key]) => key);
  const shape = `${cols.join(",")}|${(fromStates ?? []).join(",")}`;
  const { rows } = await UPDATE_PAYMENT(shape).run(ctx, { ...p, pid, updatedAt: ctx.codec.toDb(ctx.now()) } as PatchArgs);
  const r = rows[0];
  return r && toPaymentRow(ctx, r);
}

type SettleArgs = {
  pid: string;
  state: string;
  univapayStatus: string | null;
  chargeId: string | null;
  errorCode: string | null;
  mode: string;
  updatedAt: DbInstant;
  kickbackId: string;
  transition: string;
  url: string;
  query: string;
  now: DbInstant;
};

/**
 * PostgreSQL: the conditional UPDATE and the kickback INSERT as ONE statement (data-modifying
 * CTEs), so settling costs one round trip instead of four (BEGIN, UPDATE, INSERT, COMMIT) and one
 * commit; a single statement is atomic by itself. Shape key: the states it settles from.
 */
const SETTLE_PG = preparedByShape((from: string) =>
  prepareQuery((db, p: Placeholder<SettleArgs>) =>
    db
      .with("upd", (q) =>
        q
          .updateTable("payments")
          .set({ state: p("state"), univapay_status: p("univapayStatus"), charge_id: p("chargeId"), error_code: p("errorCode"), mode: p("mode"), updated_at: p("updatedAt") })
          .where("pid", "=", p("pid"))
          .where("state", "in", from.split(","))
          .returningAll(),
      )
      .with("kb", (q) =>
        q
          .insertInto("kickbacks")
          .columns(["id", "pid", "sid", "transition", "url", "query", "state", "next_attempt_at", "created_at"])
          .expression((eb) =>
            eb
              .selectFrom("upd")
              .select((e) => [
                e.val(p("kickbackId")).as("id"),
                "upd.pid",
                "upd.sid",
                e.val(p("transition")).as("transition"),
                e.val(p("url")).as("url"),
                e.val(p("query")).as("query"),
                e.val("pending").as("state"),
                e.val(p("now")).as("next_attempt_at"),
                e.val(p("now")).as("created_at"),
              ]),
          )
          .onConflict((oc) => oc.columns(["pid", "transition"]).doNothing())
          .returning("id"),
      )
      .selectFrom("upd")
      .selectAll("upd")
      .select((eb) => eb.selectFrom("kb").select((e) => e.fn.countAll<number | string>().as("n")).as("enqueued")),
  ),
);

/**
 * Applies `patch` only while the payment is in one of `fromStates` and, in the same atomic step,
 * enqueues `kickback` (a no-op when (pid, transition) is already queued). Undefined when the
 * payment was in another state: nothing written.
 */
export async function settlePaymentRow(
  ctx: QueryContext,
  pid: string,
  fromStates: readonly PaymentState[],
  patch: SettlePatch,
  kickback: NewKickback,
  now: Date,
): Promise<{ row: PaymentRow; enqueued: boolean } | undefined> {
  if (ctx.dialect === "postgres") {
    const { rows } = await SETTLE_PG(fromStates.join(",")).run(ctx, {
      pid,
      ...patch,
      updatedAt: ctx.codec.toDb(ctx.now()),
      kickbackId: randomUUID(),
      transition: kickback.transition,
      url: kickback.url,
      query: kickback.query,
      now: ctx.codec.toDb(now),
    });
    const r = rows[0];
    return r && { row: toPaymentRow(ctx, r), enqueued: Number(r.enqueued ?? 0) > 0 };
  }
  // SQLite has no data-modifying CTEs: two statements, in the caller's transaction or group.
  const row = await updatePaymentRow(ctx, pid, patch, fromStates);
  if (!row) return undefined;
  return { row, enqueued: await insertKickbackIfAbsent(ctx, kickback, now) };
}
