/**
 * Queries for the reconciler: open payments and operations that have not moved for a while
 * (their webhook may never come), oldest first, and "touch" to send a row to the back of the line.
 */
import type { OperationRow, PaymentRow } from "./store-types";
import { toOperationRow } from "./operation-queries";
import { toPaymentRow } from "./payment-queries";
import type { QueryContext } from "./query-context";

const OPEN_PAYMENT_STATES = ["requested", "pending"];
const OPEN_OPERATION_STATES = ["requested", "pending"];

export async function selectStalePayments(ctx: QueryContext, before: Date, limit: number): Promise<PaymentRow[]> {
  const rows = await ctx.db
    .selectFrom("payments")
    .selectAll()
    .where("state", "in", OPEN_PAYMENT_STATES)
    .where("updated_at", "<", ctx.codec.toDb(before))
    .orderBy("updated_at")
    .limit(limit)
    .execute();
  return rows.map((r) => toPaymentRow(ctx, r));
}

export async function selectStaleOperations(ctx: QueryContext, before: Date, limit: number): Promise<OperationRow[]> {
  const rows = await ctx.db
    .selectFrom("operations")
    .selectAll()
    .where("state", "in", OPEN_OPERATION_STATES)
    .where("updated_at", "<", ctx.codec.toDb(before))
    .orderBy("updated_at")
    .limit(limit)
    .execute();
  return rows.map((r) => toOperationRow(ctx, r));
}

export async function touchPaymentRow(ctx: QueryContext, pid: string): Promise<void> {
  await ctx.db.updateTable("payments").set({ updated_at: ctx.codec.toDb(ctx.now()) }).where("pid", "=", pid).execute();
}

export async function touchOperationRow(ctx: QueryContext, id: string): Promise<void> {
  await ctx.db.updateTable("operations").set({ updated_at: ctx.codec.toDb(ctx.now()) }).where("id", "=", id).execute();
}
