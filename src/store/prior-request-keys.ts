/**
 * Request keys written before keys became an HMAC (an unkeyed SHA-256 hex, recognisable because
 * it has no ':' while every later key starts with a scheme, "h1:"). For a day after an upgrade a
 * resend may still look them up (UnivaPay replays idempotency keys for 24 h); after that they are
 * retired — replaced by "h0:<row id>" — since an unkeyed hash of a request that held a card number
 * and CVV is an oracle for the CVV.
 */
import { sql } from "kysely";
import type { QueryContext } from "./query-context";

/** When the newest row with a pre-HMAC key was created, if any row still has one. */
export async function newestPriorKeyRow(ctx: QueryContext): Promise<Date | undefined> {
  const q = (table: "payments" | "transitions") =>
    ctx.db
      .selectFrom(table)
      .select((eb) => eb.fn.max("created_at").as("newest"))
      .where("request_key", "not like", "%:%")
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
