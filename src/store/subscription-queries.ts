/**
 * SQL for the subscriptions table (legacy auto-billings, migration 9). acid is minted by the
 * caller; the insert swallows unique conflicts so a repeat (same first payment) and an acid
 * collision are told apart without an error that would abort a PostgreSQL transaction.
 */
import type { Selectable, Updateable } from "kysely";
import type { SubscriptionsTable } from "./db-schema";
import { definedOnly, type QueryContext } from "./query-context";
import type { NewSubscription, SubscriptionOrigin, SubscriptionPatch, SubscriptionRow, SubscriptionStatus } from "./store-types";

export function toSubscriptionRow(ctx: QueryContext, r: Selectable<SubscriptionsTable>): SubscriptionRow {
  return {
    acid: r.acid,
    sid: r.sid,
    firstPid: r.first_pid,
    subscriptionId: r.subscription_id,
    tokenId: r.token_id,
    actp: r.actp,
    acdc: r.acdc,
    acmc: r.acmc,
    cycleAmount: Number(r.cycle_amount),
    automaticCharges: r.automatic_charges === null ? null : Number(r.automatic_charges),
    status: r.status as SubscriptionStatus,
    nextDueOn: r.next_due_on,
    syncAfter: r.sync_after === null ? null : ctx.codec.fromDb(r.sync_after),
    drift: r.drift,
    origin: r.origin as SubscriptionOrigin,
    cyclesAfter: r.cycles_after,
    createBody: r.create_body ?? null,
    createdAt: ctx.codec.fromDb(r.created_at),
    updatedAt: ctx.codec.fromDb(r.updated_at),
  };
}

/** The inserted row, or undefined when the acid or the first payment already has a row. */
export async function insertSubscriptionIfAbsent(ctx: QueryContext, acid: string, s: NewSubscription): Promise<SubscriptionRow | undefined> {
  const now = ctx.codec.toDb(ctx.now());
  const r = await ctx.db
    .insertInto("subscriptions")
    .values({
      acid,
      sid: s.sid,
      first_pid: s.firstPid,
      subscription_id: s.subscriptionId,
      token_id: s.tokenId,
      actp: s.actp,
      acdc: s.acdc,
      acmc: s.acmc,
      cycle_amount: s.cycleAmount,
      automatic_charges: s.automaticCharges,
      status: s.status,
      next_due_on: s.nextDueOn,
      sync_after: s.syncAfter === null ? null : ctx.codec.toDb(s.syncAfter),
      drift: s.drift,
      origin: s.origin,
      cycles_after: s.cyclesAfter,
      create_body: s.createBody ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  return r && toSubscriptionRow(ctx, r);
}

export async function selectSubscriptionBy(
  ctx: QueryContext,
  where: { acid: string; sid?: string } | { firstPid: string } | { subscriptionId: string },
): Promise<SubscriptionRow | undefined> {
  let q = ctx.db.selectFrom("subscriptions").selectAll();
  if ("acid" in where) {
    q = q.where("acid", "=", where.acid);
    if (where.sid !== undefined) q = q.where("sid", "=", where.sid);
  } else if ("firstPid" in where) q = q.where("first_pid", "=", where.firstPid);
  else q = q.where("subscription_id", "=", where.subscriptionId);
  const r = await q.executeTakeFirst();
  return r && toSubscriptionRow(ctx, r);
}

export async function updateSubscriptionRow(ctx: QueryContext, acid: string, patch: SubscriptionPatch): Promise<SubscriptionRow | undefined> {
  const p = definedOnly(patch);
  const values: Updateable<SubscriptionsTable> = { updated_at: ctx.codec.toDb(ctx.now()) };
  if (p.subscriptionId !== undefined) values.subscription_id = p.subscriptionId;
  if (p.tokenId !== undefined) values.token_id = p.tokenId;
  if (p.status !== undefined) values.status = p.status;
  if (p.nextDueOn !== undefined) values.next_due_on = p.nextDueOn;
  if (p.cycleAmount !== undefined) values.cycle_amount = p.cycleAmount;
  if ("syncAfter" in patch) values.sync_after = patch.syncAfter == null ? null : ctx.codec.toDb(patch.syncAfter);
  const r = await ctx.db.updateTable("subscriptions").set(values).where("acid", "=", acid).returningAll().executeTakeFirst();
  return r && toSubscriptionRow(ctx, r);
}

export async function selectSubscriptionsToSync(ctx: QueryContext, now: Date, limit: number): Promise<SubscriptionRow[]> {
  const rows = await ctx.db
    .selectFrom("subscriptions")
    .selectAll()
    .where("sync_after", "is not", null)
    .where("sync_after", "<=", ctx.codec.toDb(now))
    .orderBy("sync_after")
    .limit(limit)
    .execute();
  return rows.map((r) => toSubscriptionRow(ctx, r));
}

/** The rows of an imported auto-billing UnivaPay never created (see StoreOps.discardImportedAutoBilling). */
export async function deleteUncreatedImport(ctx: QueryContext, sid: string, acid: string): Promise<boolean> {
  const row = await selectSubscriptionBy(ctx, { acid, sid });
  if (!row || row.origin === "gateway" || row.subscriptionId !== null) return false;
  await ctx.db.deleteFrom("subscriptions").where("acid", "=", acid).execute();
  const anchor = await ctx.db.selectFrom("payments").select(["pid", "state"]).where("pid", "=", row.firstPid).executeTakeFirst();
  if (anchor?.state === "imported") {
    await ctx.db.deleteFrom("transitions").where("pid", "=", row.firstPid).execute();
    await ctx.db.deleteFrom("payments").where("pid", "=", row.firstPid).execute();
  }
  return true;
}
