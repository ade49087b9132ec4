/**
 * Claiming due rows of the two queues — the kickback outbox and the webhook inbox — with one
 * discipline: a claim is one UPDATE … WHERE id IN (due ids) RETURNING * (on PostgreSQL the inner
 * select is FOR UPDATE SKIP LOCKED, so concurrent claimers get disjoint rows; on SQLite one
 * statement is already atomic), it names the claiming worker (locked_by; completion applies only
 * while that worker still holds the row), and it counts the attempt, so a row whose processing
 * kills its worker every time still runs out of attempts.
 */
import type { Selectable } from "kysely";
import type { DbInstant, KickbacksTable, WebhookEventsTable } from "./db-schema";
import { prepareQuery, preparedByShape, type Placeholder } from "./prepared-query";
import type { QueryContext } from "./query-context";

export type QueueTable = "kickbacks" | "webhook_events";
type RowOf<T extends QueueTable> = T extends "kickbacks" ? Selectable<KickbacksTable> : Selectable<WebhookEventsTable>;

type ClaimArgs = { workerId: string; now: DbInstant; lockedUntil: DbInstant; limit: number };

/** Due = pending, next_attempt_at <= now, and unlocked or lock expired (a crashed worker). */
const CLAIM_DUE = preparedByShape((table: QueueTable) =>
  prepareQuery((db, p: Placeholder<ClaimArgs>, dialect) => {
    // Both tables have the queue columns this statement touches, under the same names; Kysely is
    // shown the outbox's type for either, and the rows are typed per table by the caller.
    const t = table as "kickbacks";
    const due = db
      .selectFrom(t)
      .select("id")
      .where("state", "=", "pending")
      .where("next_attempt_at", "<=", p("now"))
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", p("now"))]))
      .orderBy("next_attempt_at")
      .limit(p("limit"));
    return db
      .updateTable(t)
      .set((eb) => ({ locked_by: p("workerId"), locked_until: p("lockedUntil"), attempts: eb("attempts", "+", 1) }))
      .where("id", "in", dialect === "postgres" ? due.forUpdate().skipLocked() : due)
      .returningAll();
  }),
);

/** Claims up to `limit` due rows of `table` for `workerId`, in due order. */
export async function claimDueRows<T extends QueueTable>(
  ctx: QueryContext,
  table: T,
  workerId: string,
  now: Date,
  limit: number,
  lockMs: number,
): Promise<Array<RowOf<T>>> {
  const { rows } = await CLAIM_DUE(table).run(ctx, {
    workerId,
    now: ctx.codec.toDb(now),
    lockedUntil: ctx.codec.toDb(new Date(now.getTime() + lockMs)),
    limit,
  });
  // RETURNING order is unspecified: restore the due order.
  const typed = rows as unknown as Array<RowOf<T>>;
  return typed.sort((a, b) => ctx.codec.fromDb(a.next_attempt_at).getTime() - ctx.codec.fromDb(b.next_attempt_at).getTime());
}
