/** SQL for the operations table (follow-up SALES/CANCEL requests on an existing pid). */
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import type { NewOperation, OperationPatch, OperationRow } from "./store-types";
import type { OperationsTable } from "./db-schema";
import { definedOnly, type QueryContext } from "./query-context";

export function toOperationRow(ctx: QueryContext, r: Selectable<OperationsTable>): OperationRow {
  return {
    id: r.id,
    pid: r.pid,
    sid: r.sid,
    requestKey: r.request_key,
    job: r.job,
    kind: r.kind as OperationRow["kind"],
    univapayId: r.univapay_id,
    state: r.state as OperationRow["state"],
    errorCode: r.error_code,
    echo: r.echo,
    createdAt: ctx.codec.fromDb(r.created_at),
    updatedAt: ctx.codec.fromDb(r.updated_at),
  };
}

/** Returns the inserted row, or undefined when (sid, request_key) already exists. */
export async function insertOperationIfAbsent(ctx: QueryContext, o: NewOperation): Promise<OperationRow | undefined> {
  const now = ctx.codec.toDb(ctx.now());
  const r = await ctx.db
    .insertInto("operations")
    .values({
      id: randomUUID(),
      pid: o.pid,
      sid: o.sid,
      request_key: o.requestKey,
      job: o.job,
      kind: o.kind,
      univapay_id: o.univapayId,
      state: o.state,
      error_code: o.errorCode,
      echo: o.echo,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(["sid", "request_key"]).doNothing())
    .returningAll()
    .executeTakeFirst();
  return r && toOperationRow(ctx, r);
}

export async function selectOperationByRequestKey(ctx: QueryContext, sid: string, requestKey: string): Promise<OperationRow | undefined> {
  const r = await ctx.db.selectFrom("operations").selectAll().where("sid", "=", sid).where("request_key", "=", requestKey).executeTakeFirst();
  return r && toOperationRow(ctx, r);
}

export async function selectOperationById(ctx: QueryContext, id: string): Promise<OperationRow | undefined> {
  const r = await ctx.db.selectFrom("operations").selectAll().where("id", "=", id).executeTakeFirst();
  return r && toOperationRow(ctx, r);
}

export async function selectOperationByUnivapayId(ctx: QueryContext, univapayId: string): Promise<OperationRow | undefined> {
  const r = await ctx.db.selectFrom("operations").selectAll().where("univapay_id", "=", univapayId).executeTakeFirst();
  return r && toOperationRow(ctx, r);
}

export async function selectOperationsByPid(ctx: QueryContext, pid: string): Promise<OperationRow[]> {
  const rows = await ctx.db.selectFrom("operations").selectAll().where("pid", "=", pid).orderBy("created_at").orderBy("id").execute();
  return rows.map((r) => toOperationRow(ctx, r));
}

export async function updateOperationRow(ctx: QueryContext, id: string, patch: OperationPatch): Promise<OperationRow | undefined> {
  const p = definedOnly(patch);
  const r = await ctx.db
    .updateTable("operations")
    .set({
      ...(p.univapayId !== undefined && { univapay_id: p.univapayId }),
      ...(p.state !== undefined && { state: p.state }),
      ...(p.errorCode !== undefined && { error_code: p.errorCode }),
      updated_at: ctx.codec.toDb(ctx.now()),
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return r && toOperationRow(ctx, r);
}
