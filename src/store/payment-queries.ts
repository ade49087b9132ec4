/**
 * SQL for the payments table. pid is minted by the caller (store-ops); the insert swallows any
 * unique conflict so the caller can tell an idempotent repeat from a pid collision without an
 * error (an error would abort a surrounding PostgreSQL transaction).
 */
import type { Insertable, Selectable, Updateable } from "kysely";
import type { LegacyCharset } from "../domain/legacy-charset";
import type { Mode } from "../domain/mode";
import type { NewPayment, PaymentPatch, PaymentRow, PaymentState } from "./store-types";
import type { DbInstant, PaymentsTable } from "./db-schema";
import { prepareQuery, preparedByShape, type Placeholder } from "./prepared-query";
import { definedOnly, type QueryContext } from "./query-context";
import { formatRecurring, parseRecurring } from "./recurring-column";

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
    orderKey: r.order_key,
    recurring: parseRecurring(r.recurring),
    state: r.state as PaymentState,
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
      order_key: p("order_key"),
      recurring: p("recurring"),
      state: p("state"),
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
    order_key: p.orderKey,
    recurring: formatRecurring(p.recurring),
    state: p.state,
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

/** Patchable columns, in a fixed order so a patch's shape key is canonical. */
const PATCH_COLUMNS = [
  ["chargeId", "charge_id"],
  ["tokenId", "token_id"],
  ["state", "state"],
  ["mode", "mode"],
  ["recurring", "recurring"],
] as const;
type PatchArgs = { [K in Exclude<(typeof PATCH_COLUMNS)[number][0], "recurring">]: PaymentPatch[K] } & {
  recurring?: string | null;
  pid: string;
  updatedAt: DbInstant;
};

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
  const args = { ...p, ...(p.recurring !== undefined ? { recurring: formatRecurring(p.recurring) } : {}), pid, updatedAt: ctx.codec.toDb(ctx.now()) };
  const { rows } = await UPDATE_PAYMENT(shape).run(ctx, args as PatchArgs);
  const r = rows[0];
  return r && toPaymentRow(ctx, r);
}

/** Payment states that hold (or may still come to hold) the order's money: the predicate of
 *  migration 8's unique index, written the same way so the planner uses it. */
export const LIVE_ORDER_STATES: readonly PaymentState[] = ["requested", "pending", "authorized", "captured"];

const SELECT_ORDER_HOLDER = prepareQuery((db, p: Placeholder<{ sid: string; orderKey: string }>) =>
  db
    .selectFrom("payments")
    .selectAll()
    .where("sid", "=", p("sid"))
    .where("order_key", "=", p("orderKey"))
    .where("state", "in", [...LIVE_ORDER_STATES]),
);

/** The one payment holding this order (unique by migration 8), if any. */
export function selectOrderHolder(ctx: QueryContext, sid: string, orderKey: string): Promise<PaymentRow | undefined> {
  return first(ctx, SELECT_ORDER_HOLDER.run(ctx, { sid, orderKey }));
}

/** The holder gives the order up (its guard window is over); true if this call did it. */
export async function releaseOrderKey(ctx: QueryContext, pid: string, orderKey: string): Promise<boolean> {
  const r = await ctx.db.updateTable("payments").set({ order_key: null }).where("pid", "=", pid).where("order_key", "=", orderKey).executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0) > 0;
}
