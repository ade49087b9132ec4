/**
 * The bounded recurring privilege of §2.1 (`:4803-4807`): a token with `usage_limit` may make one
 * charge per period. "使用可能な間隔" (the interval it may be used at) reads as a rolling period
 * from the last charge: daily 24 h, weekly 7 days, monthly/annually one calendar month/year.
 * Charges that took no money (failed, error, canceled) and the CVV authorization do not use the
 * period. A charge inside it gets 400 RECURRING_TOKEN_DISABLED, the documented code for "no
 * privilege to use the recurring token" (the docs and the SDK name no code for this case). Pure.
 */
import { addUtcMonths } from "../add-utc-months";
import { badRequest, type ApiError } from "../errors";
import type { ChargeRecord, ChargeStatus, TokenRecord, UsageLimit } from "./models";

const DAY_MS = 86_400_000;
const USES_THE_PERIOD: ReadonlySet<ChargeStatus> = new Set(["pending", "awaiting", "authorized", "successful"]);

/** The first instant a charge is allowed again after one made at `lastChargeAt`. */
export function usagePeriodEnd(lastChargeAt: number, limit: UsageLimit): number {
  switch (limit) {
    case "daily":
      return lastChargeAt + DAY_MS;
    case "weekly":
      return lastChargeAt + 7 * DAY_MS;
    case "monthly":
      return addUtcMonths(lastChargeAt, 1);
    case "annually":
      return addUtcMonths(lastChargeAt, 12);
  }
}

export function recurringUsageError(token: TokenRecord, chargesOfToken: readonly ChargeRecord[], now: number): ApiError | null {
  if (token.type !== "recurring" || token.usageLimit === null) return null;
  const last = chargesOfToken
    .filter((c) => c.tokenId === token.id && !c.isCvvAuth && USES_THE_PERIOD.has(c.status))
    .reduce<number | null>((max, c) => (max === null || c.createdAt > max ? c.createdAt : max), null);
  return last !== null && now < usagePeriodEnd(last, token.usageLimit) ? badRequest("RECURRING_TOKEN_DISABLED") : null;
}
