/** The UnivaPay token a memberpay request's `upcmemberid` names: a registered member's recurring
 *  token, or a token id sent as is. A missing or unknown member is a legacy failure. */
import { legacyFailure, type LegacyFailure } from "../../mapping";
import type { LegacyRequest } from "../legacy-request";
import type { KindContext } from "../transition-kind";
import { isUnivapayId } from "../../univapay/univapay-id";

export async function memberToken(ctx: KindContext, req: LegacyRequest, failures: LegacyFailure[]): Promise<string | null> {
  const member = req.form.get("upcmemberid");
  if (!member) {
    failures.push(legacyFailure(ctx.table, "member_missing", "upcmemberid is missing", "upcmemberid"));
    return null;
  }
  const token = (await ctx.store.getMemberToken(req.merchant.sid, member))?.tokenId ?? (isUnivapayId(member) ? member : null);
  if (!token) failures.push(legacyFailure(ctx.table, "member_unknown", "upcmemberid is not a known member", "upcmemberid"));
  return token;
}
