/** SQL for member_tokens: legacy upcmemberid → UnivaPay recurring transaction token, per sid. */
import { sql } from "kysely";
import type { MemberTokenRow } from "./store-types";
import { prepareQuery, type Placeholder } from "./prepared-query";
import type { QueryContext } from "./query-context";

const SELECT_MEMBER_TOKEN = prepareQuery((db, p: Placeholder<{ sid: string; memberId: string }>) =>
  db.selectFrom("member_tokens").selectAll().where("sid", "=", p("sid")).where("member_id", "=", p("memberId")),
);

export async function selectMemberToken(ctx: QueryContext, sid: string, memberId: string): Promise<MemberTokenRow | undefined> {
  const r = (await SELECT_MEMBER_TOKEN.run(ctx, { sid, memberId })).rows[0];
  return r && { sid: r.sid, memberId: r.member_id, tokenId: r.token_id, createdAt: ctx.codec.fromDb(r.created_at) };
}

const SELECT_MEMBER_BY_TOKEN = prepareQuery((db, p: Placeholder<{ sid: string; tokenId: string }>) =>
  db.selectFrom("member_tokens").selectAll().where("sid", "=", p("sid")).where("token_id", "=", p("tokenId")).limit(2),
);

/** A member of `sid` other than `memberId` whose card is this token (member_tokens_token_idx). */
export async function selectOtherMemberOfToken(ctx: QueryContext, sid: string, tokenId: string, memberId: string): Promise<MemberTokenRow | undefined> {
  const r = (await SELECT_MEMBER_BY_TOKEN.run(ctx, { sid, tokenId })).rows.find((x) => x.member_id !== memberId);
  return r && { sid: r.sid, memberId: r.member_id, tokenId: r.token_id, createdAt: ctx.codec.fromDb(r.created_at) };
}

/** Upsert: a member re-registering a card replaces the token; created_at keeps the first time. */
export async function upsertMemberToken(ctx: QueryContext, sid: string, memberId: string, tokenId: string): Promise<void> {
  const now = ctx.codec.toDb(ctx.now());
  await ctx.db
    .insertInto("member_tokens")
    .values({ sid, member_id: memberId, token_id: tokenId, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["sid", "member_id"]).doUpdateSet({ token_id: tokenId, updated_at: now }))
    .execute();
}

/** Insert only: a mapping that exists (same token or another) is returned, never replaced. */
export async function insertMemberTokenIfAbsent(
  ctx: QueryContext,
  sid: string,
  memberId: string,
  tokenId: string,
): Promise<{ row: MemberTokenRow; created: boolean }> {
  // One card, one member: another member's token is returned, not mapped a second time. On
  // PostgreSQL two transactions mapping one token could both see no other member; a lock on the
  // token, held to the end of the caller's transaction, makes the second wait and see the first.
  // (SQLite has one writer.) Callers run this inside a transaction (the migrator's row).
  // Advisory locks are per database: the schema is in the key, so two gateways' schemas never wait on each other.
  if (ctx.dialect === "postgres")
    await sql`SELECT pg_advisory_xact_lock(hashtext(${"ccps-gateway:member-token:"} || current_schema() || ${`:${sid}:${tokenId}`}))`.execute(ctx.db);
  const other = await selectOtherMemberOfToken(ctx, sid, tokenId, memberId);
  if (other) return { row: other, created: false };
  const now = ctx.codec.toDb(ctx.now());
  const inserted = await ctx.db
    .insertInto("member_tokens")
    .values({ sid, member_id: memberId, token_id: tokenId, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["sid", "member_id"]).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: { sid, memberId, tokenId, createdAt: ctx.codec.fromDb(inserted.created_at) }, created: true };
  const existing = await selectMemberToken(ctx, sid, memberId);
  if (!existing) throw new Error(`member ${memberId} of ${sid}: insert conflicted but no row`);
  return { row: existing, created: false };
}
