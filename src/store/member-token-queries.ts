/** SQL for member_tokens: legacy upcmemberid → UnivaPay recurring transaction token, per sid. */
import type { MemberTokenRow } from "./store-types";
import type { QueryContext } from "./query-context";

export async function selectMemberToken(ctx: QueryContext, sid: string, memberId: string): Promise<MemberTokenRow | undefined> {
  const r = await ctx.db.selectFrom("member_tokens").selectAll().where("sid", "=", sid).where("member_id", "=", memberId).executeTakeFirst();
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
