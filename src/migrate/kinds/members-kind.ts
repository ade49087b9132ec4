/**
 * `migrate members`: legacy upcmemberid → UnivaPay recurring transaction token (UnivaPay migrated
 * the old one-touch cards as recurring tokens). After it, memberpay.aspx with that upcmemberid pays
 * with the token as it would for a member registered through the gateway.
 */
import type { MigrationKindModule } from "../migration-kind";
import { rowFailed, type RowOutcome } from "../row-outcome";
import { isUnivapayId } from "../../univapay/univapay-id";
import { MEMBER_ID } from "./legacy-ids";
import { checkCardToken } from "./card-token-check";

interface MemberPlan {
  readonly memberId: string;
  readonly tokenId: string;
}

const same = (memberId: string, tokenId: string): RowOutcome => ({
  status: "unchanged",
  newId: tokenId,
  code: null,
  message: `member ${memberId} is mapped to this token already`,
});
const conflict = (memberId: string, existing: string): RowOutcome =>
  rowFailed("conflict", `member ${memberId} is mapped to token ${existing} already; remove that mapping first to replace it`, existing);

/** One card, one member: a token mapped to another member is not mapped again. */
const inUse = (tokenId: string, holder: string): RowOutcome => rowFailed("in_use", `token ${tokenId} is member ${holder}'s card already`);

export const membersKind: MigrationKindModule<MemberPlan> = {
  kind: "members",
  keyOf: (f) => f["upcmemberid"] ?? "",
  validate(f) {
    const memberId = f["upcmemberid"] ?? "";
    const tokenId = f["tokenId"] ?? "";
    if (!MEMBER_ID.test(memberId))
      return rowFailed("bad_row", memberId === "" ? "upcmemberid is empty" : "upcmemberid must be 1-100 printable ASCII characters");
    if (!isUnivapayId(tokenId))
      return rowFailed("bad_row", tokenId === "" ? "the token id is empty" : `the token id is not a UnivaPay id: ${tokenId.slice(0, 40)}`);
    return undefined;
  },
  async check(ctx, f) {
    const memberId = f["upcmemberid"] ?? "";
    const tokenId = (f["tokenId"] ?? "").toLowerCase();
    const existing = await ctx.store.getMemberToken(ctx.merchant.sid, memberId);
    if (existing) return { ok: false, outcome: existing.tokenId === tokenId ? same(memberId, tokenId) : conflict(memberId, existing.tokenId) };
    const other = await ctx.store.findOtherMemberOfToken(ctx.merchant.sid, tokenId, memberId);
    if (other) return { ok: false, outcome: inUse(tokenId, other.memberId) };
    const refused = await checkCardToken(ctx, tokenId, { types: ctx.table.migration.memberTokenTypes, by: "a member" });
    if (refused) return { ok: false, outcome: refused };
    return { ok: true, plan: { memberId, tokenId }, newId: tokenId };
  },
  async apply(tx, ctx, plan) {
    const r = await tx.addMemberToken(ctx.merchant.sid, plan.memberId, plan.tokenId);
    if (r.created) return { status: "migrated", newId: plan.tokenId, code: null, message: "" };
    if (r.row.memberId !== plan.memberId) return inUse(plan.tokenId, r.row.memberId);
    return r.row.tokenId === plan.tokenId ? same(plan.memberId, plan.tokenId) : conflict(plan.memberId, r.row.tokenId);
  },
};
