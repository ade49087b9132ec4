/**
 * A payment is born with its creation transition (id "c-<pid>"), atomically: one statement on
 * PostgreSQL (a data-modifying CTE), two in the caller's group transaction on SQLite. A unique
 * conflict (a repeated request, or a pid already taken) inserts nothing and is told apart by the
 * caller, without an error that would abort a surrounding PostgreSQL transaction.
 */
import { CompiledQuery, type Selectable } from "kysely";
import type { PaymentsTable, TransitionsTable } from "./db-schema";
import { insertPaymentIfAbsent, toPaymentRow } from "./payment-queries";
import { namedStatement } from "./pg-named-statements";
import type { QueryContext } from "./query-context";
import { formatRecurring } from "./recurring-column";
import { creationTransitionId, type NewPayment, type NewTransition, type PaymentRow, type TransitionRow } from "./store-types";
import { insertTransitionIfAbsent, toTransitionRow } from "./transition-queries";

const PAYMENT_COLUMNS =
  "pid, sid, request_key, charge_id, token_id, job, svid, amount, total, sod, state, echo, charset, mode, created_at, updated_at, order_key, recurring";

const CREATE_PG = namedStatement(`
WITH p AS (
  INSERT INTO payments (${PAYMENT_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $25, $26)
  ON CONFLICT DO NOTHING
  RETURNING *
), t AS (
  INSERT INTO transitions (id, pid, sid, kind, job, request_key, resource, univapay_id, state, univapay_status, error_code, echo, created_at, updated_at)
  SELECT 'c-' || p.pid, p.pid, p.sid, $16, $17, $18, $19, $20, $21, $22, $23, $24, $15, $15 FROM p
  RETURNING *
)
SELECT (SELECT to_jsonb(p) FROM p) AS p, (SELECT to_jsonb(t) FROM t) AS t`);

function fromJson<T>(v: unknown): T {
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

/** Inserts both, or nothing (undefined) on a conflict. */
export async function insertPaymentWithCreation(
  ctx: QueryContext,
  pid: string,
  p: NewPayment,
  t: NewTransition,
): Promise<{ payment: PaymentRow; transition: TransitionRow } | undefined> {
  if (ctx.dialect === "sqlite") {
    const payment = await insertPaymentIfAbsent(ctx, pid, p);
    if (!payment) return undefined;
    const transition = await insertTransitionIfAbsent(ctx, creationTransitionId(pid), pid, t);
    if (!transition) throw new Error(`creation transition of ${pid} already exists`);
    return { payment, transition };
  }
  const now = ctx.codec.toDb(ctx.now());
  const r = await ctx.db.executeQuery<{ p: unknown; t: unknown }>(
    CompiledQuery.raw(CREATE_PG, [
      pid,
      p.sid,
      p.requestKey,
      p.chargeId,
      p.tokenId,
      p.job,
      p.svid,
      p.amount,
      p.total,
      p.sod,
      p.state,
      p.echo,
      p.charset,
      p.mode,
      now,
      t.kind,
      t.job,
      t.requestKey,
      t.resource,
      t.univapayId,
      t.state,
      t.univapayStatus,
      t.errorCode,
      t.echo,
      p.orderKey,
      formatRecurring(p.recurring),
    ]),
  );
  const row = r.rows[0];
  if (!row || row.p === null || row.t === null) return undefined;
  return {
    payment: toPaymentRow(ctx, fromJson<Selectable<PaymentsTable>>(row.p)),
    transition: toTransitionRow(ctx, fromJson<Selectable<TransitionsTable>>(row.t)),
  };
}
