/**
 * The check of a card token a migrated row stands on (a member's saved card, an auto-billing's
 * card): it exists in the merchant's store, is a card token of a type the use takes, is active and
 * has the merchant's mode.
 */
import type { RowContext } from "../migration-kind";
import { rowFailed, type RowOutcome } from "../row-outcome";
import { lookUp } from "./univapay-lookup";
import type { TransactionToken } from "../../univapay/univapay-types";

/** The answer for a card UnivaPay would not take a zero-yen registration on, found by a GET or by the create. */
export function noCvvAuthorization(tokenId: string, by: string): RowOutcome {
  return rowFailed(
    "wrong_type",
    `token ${tokenId} has no completed CVV authorization (CVV_AUTHORIZATION_NOT_COMPLETED); ${by} charges nothing at creation and needs one: the customer registers the card again`,
  );
}

export interface CardTokenUse {
  /** Token types the use takes (recurring for members and auto-billings). */
  readonly types: readonly string[];
  /** Who needs the token, for the message: "a member", "a created auto-billing". */
  readonly by: string;
  /**
   * A zero-yen registration (a subscription created with initial_amount 0) stands on the card's
   * CVV authorization: UnivaPay refuses it (CVV_AUTHORIZATION_NOT_COMPLETED) unless it is enabled
   * and pending or current (api §2.5).
   */
  readonly needsCvvAuthorization?: boolean;
}

/** The token's data.cvv_authorize as UnivaPay shows it (absent on tokens made without one). */
function cvvAuthorizationOf(t: TransactionToken): { enabled?: boolean; status?: string | null } {
  const data = t.data as { cvv_authorize?: { enabled?: boolean; status?: string | null } | null } | null | undefined;
  return data?.cvv_authorize ?? {};
}

/** Whether UnivaPay takes a zero-yen registration on this card (as the create would answer). */
export function cvvAuthorized(t: TransactionToken): boolean {
  const a = cvvAuthorizationOf(t);
  return a.enabled === true && (a.status === "pending" || a.status === "current");
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
  if (use.needsCvvAuthorization && !cvvAuthorized(t)) return noCvvAuthorization(tokenId, use.by);
  return undefined;
}
