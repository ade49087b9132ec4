/**
 * Token checks for subscriptions that the pure engine leaves to the server (§2.1, §2.5): which
 * tokens may back a subscription, store ownership, the single-use subscription token (whose use
 * lifts the one-active-token-per-card block), and the CVV authorization that a registration-only
 * first payment (initial_amount = 0) needs. Pure: returns an ApiError instead of throwing.
 */
import { ApiError, badRequest, notFound } from "../errors";
import { SHORT_TOKEN_TTL_MS, tokenChargeError } from "../state/charge-rules";
import type { TokenRecord } from "../state/models";

/**
 * `charge`: the first payment is charged now. `verify`: initial_amount = 0, the card is only
 * checked through the token's CVV authorization. `change`: PATCH transaction_token_id.
 */
export type SubscriptionTokenUse = "charge" | "verify" | "change";

export function subscriptionTokenError(token: TokenRecord | undefined, storeId: string, use: SubscriptionTokenUse, now: number): ApiError | null {
  if (!token) return notFound();
  if (token.storeId !== storeId) return badRequest("TOKEN_FOR_WRONG_STORE");
  if (token.type === "one_time") return badRequest("NOT_SUBSCRIPTION_TOKEN");
  if (token.type === "subscription") {
    // "カード登録のみ … セキュリティコード認証の併用必須": only recurring tokens carry a CVV authorization.
    if (use === "verify") return badRequest("NOT_RECURRING_TOKEN");
    if (!token.active) return badRequest("TRANSACTION_ALREADY_PROCESSED");
    if (now - token.createdAt >= SHORT_TOKEN_TTL_MS) return badRequest("TRANSACTION_TOKEN_EXPIRED");
    return null;
  }
  if (!token.active) return badRequest("RECURRING_TOKEN_DISABLED");
  if (use === "verify") {
    // A CVV authorization still pending is fine: the subscription stays unverified until it settles.
    const s = token.cvvAuthorize.status;
    return token.cvvAuthorize.enabled && (s === "pending" || s === "current") ? null : badRequest("CVV_AUTHORIZATION_NOT_COMPLETED");
  }
  // The first charge runs now, so the one-off recurring rules (CVV expiry, CVV auth) apply to it.
  return use === "charge" ? tokenChargeError(token, now) : null;
}
