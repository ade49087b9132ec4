/**
 * Request keys of earlier schemes. Those written before keys became an HMAC (an unkeyed SHA-256 hex, recognisable because
 * it has no ':' while every later key starts with a scheme, "h1:"). For a day after an upgrade a
 * resend may still look them up (UnivaPay replays idempotency keys for 24 h); after that they are
 * retired — replaced by "h0:<row id>" — since an unkeyed hash of a request that held a card number
 * and CVV is an oracle for the CVV.
 */
import { sql } from "kysely";
import type { QueryContext } from "./query-context";

/** When the newest row with a key under an earlier scheme (raw-bytes HMAC "h1:", or pre-HMAC) was
 *  created, if any: until a day after it, resends compute those keys too. */
export async function newestPriorKeyRow(ctx: QueryContext): Promise<Date | undefined> {
  const q = (table: "payments" | "transitions") =>
    ctx.db
      .selectFrom(table)
      .select((eb) => eb.fn.max("created_at").as("newest"))
      .where((eb) => eb.or([eb("request_key", "like", "h1:%"), eb("request_key", "not like", "%:%")]))
      .executeTakeFirst();
  const found = [await q("payments"), await q("transitions")].map((r) => r?.newest).filter((v): v is NonNullable<typeof v> => v !== null && v !== undefined);
  if (found.length === 0) return undefined;
  return new Date(Math.max(...found.map((v) => ctx.codec.fromDb(typeof v === "string" ? Number(v) : v).getTime())));
}

/** Retires pre-HMAC keys of rows created before `before`; returns how many rows changed. */
export async function retirePriorKeys(ctx: QueryContext, before: Date): Promise<number> {
  const at = ctx.codec.toDb(before);
  let n = 0;
  for (const [table, id] of [
    ["payments", "pid"],
    ["transitions", "id"],
  ] as const) {
    const r = await ctx.db
      .updateTable(table)
      .set({ request_key: sql<string>`'h0:' || ${sql.ref(id)}` })
      .where("request_key", "not like", "%:%")
      .where("created_at", "<", at)
      .executeTakeFirst();
    n += Number(r.numUpdatedRows ?? 0);
  }
  return n;
}

/**
 * Takes a row's request key away ("h0:<row id>"), so no request finds it by key any more: its
 * replay window is over and the same request is now a new payment. Only if the key is still
 * `requestKey` (a concurrent request may have retired it first); true if this call did.
 */
export async function retireRequestKey(ctx: QueryContext, table: "payments" | "transitions", id: string, requestKey: string): Promise<boolean> {
  const column = table === "payments" ? "pid" : "id";
  const r = await ctx.db
    .updateTable(table)
    .set({ request_key: sql<string>`'h0:' || ${sql.ref(column)}` })
    .where(column, "=", id)
    .where("request_key", "=", requestKey)
    .executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0) > 0;
}
