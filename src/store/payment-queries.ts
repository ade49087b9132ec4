/**
 * SQL for the payments table. pid is minted by the caller (store-ops); the insert swallows any
 * unique conflict so the caller can tell an idempotent repeat from a pid collision without an
 * error (an error would abort a surrounding PostgreSQL transaction).
 */
import type { Selectable } from "kysely";
import type { LegacyCharset, Mode, NewPayment, PaymentPatch, PaymentRow, PaymentState } from "./store-types";
import type { PaymentsTable } from "./db-schema";
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

/** Returns the inserted row, or undefined when (sid, request_key) or pid already exists. */
export async function insertPaymentIfAbsent(ctx: QueryContext, pid: string, p: NewPayment): Promise<PaymentRow | undefined> {
  const now = ctx.codec.toDb(ctx.now());
  const r = await ctx.db
    .insertInto("payments")
    .values({
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
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  return r && toPaymentRow(ctx, r);
}

export async function selectPaymentByRequestKey(ctx: QueryContext, sid: string, requestKey: string): Promise<PaymentRow | undefined> {
  const r = await ctx.db.selectFrom("payments").selectAll().where("sid", "=", sid).where("request_key", "=", requestKey).executeTakeFirst();
  return r && toPaymentRow(ctx, r);
}

export async function selectPaymentByPid(ctx: QueryContext, pid: string): Promise<PaymentRow | undefined> {
  const r = await ctx.db.selectFrom("payments").selectAll().where("pid", "=", pid).executeTakeFirst();
  return r && toPaymentRow(ctx, r);
}

export async function selectPaymentBySidPid(ctx: QueryContext, sid: string, pid: string): Promise<PaymentRow | undefined> {
  const r = await ctx.db.selectFrom("payments").selectAll().where("pid", "=", pid).where("sid", "=", sid).executeTakeFirst();
  return r && toPaymentRow(ctx, r);
}

export async function selectPaymentByChargeId(ctx: QueryContext, chargeId: string): Promise<PaymentRow | undefined> {
  const r = await ctx.db.selectFrom("payments").selectAll().where("charge_id", "=", chargeId).executeTakeFirst();
  return r && toPaymentRow(ctx, r);
}

export async function updatePaymentRow(
  ctx: QueryContext,
  pid: string,
  patch: PaymentPatch,
  fromStates?: readonly PaymentState[],
): Promise<PaymentRow | undefined> {
  const p = definedOnly(patch);
  const r = await ctx.db
    .updateTable("payments")
    .set({
      ...(p.chargeId !== undefined && { charge_id: p.chargeId }),
      ...(p.tokenId !== undefined && { token_id: p.tokenId }),
      ...(p.state !== undefined && { state: p.state }),
      ...(p.univapayStatus !== undefined && { univapay_status: p.univapayStatus }),
      ...(p.errorCode !== undefined && { error_code: p.errorCode }),
      updated_at: ctx.codec.toDb(ctx.now()),
    })
    .where("pid", "=", pid)
    .$if(fromStates !== undefined, (q) => q.where("state", "in", fromStates as PaymentState[]))
    .returningAll()
    .executeTakeFirst();
  return r && toPaymentRow(ctx, r);
}
