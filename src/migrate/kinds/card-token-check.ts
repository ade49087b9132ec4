/**
 * The check of a card token a migrated row stands on (a member's saved card, an auto-billing's
 * card): it exists in the merchant's store, is a card token of a type the use takes, is active and
 * has the merchant's mode.
 */
import type { RowContext } from "../migration-kind";
import { rowFailed, type RowOutcome } from "../row-outcome";
import { lookUp } from "./univapay-lookup";

export interface CardTokenUse {
  /** Token types the use takes (recurring for members and auto-billings). */
  readonly types: readonly string[];
  /** Who needs the token, for the message: "a member", "a created auto-billing". */
  readonly by: string;
}

/** undefined when the token is fit for the use; else the row's answer. May throw as lookUp does. */
export async function checkCardToken(ctx: RowContext, tokenId: string, use: CardTokenUse): Promise<RowOutcome | undefined> {
  const c = ctx.merchant.credentials;
  const got = await lookUp(`token ${tokenId}`, c.storeId, () => ctx.client.getTransactionToken(c, tokenId));
  if (!got.found) return got.outcome;
  const t = got.value;
  if (t.payment_type !== "card") return rowFailed("wrong_type", `token ${tokenId} is a ${t.payment_type} token, not a card`);
  if (!use.types.includes(t.type)) return rowFailed("wrong_type", `token ${tokenId} is ${t.type}; ${use.by} needs ${use.types.join(" or ")}`);
  if (t.active === false) return rowFailed("inactive", `token ${tokenId} is deactivated`);
  if (t.mode !== ctx.merchant.mode) return rowFailed("wrong_mode", `token ${tokenId} is ${t.mode}, the merchant is ${ctx.merchant.mode}`);
  return undefined;
}
