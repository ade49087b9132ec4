/**
 * The closed lists of statuses, transitions and outcomes the status maps must cover. Kept as
 * `as const` arrays so compiled maps can be checked with `satisfies Record<…>` and the loader can
 * reject a mappings/statuses.yaml that misses or invents a status. Constants only.
 */

/** UnivaPay charge statuses (univapay-api.md §3). */
export const CHARGE_STATUSES = ["pending", "awaiting", "authorized", "successful", "failed", "error", "canceled"] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

/** Cancel (void) statuses (univapay-api.md §2.3, §3). */
export const CANCEL_STATUSES = ["pending", "successful", "failed", "error"] as const;
export type CancelStatus = (typeof CANCEL_STATUSES)[number];

/** Refund statuses (univapay-api.md §2.4, §3). */
export const REFUND_STATUSES = ["pending", "successful", "failed", "error"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** A recurring token's CVV authorisation (the 1-yen auth) statuses (univapay-api.md §2.1, §3). */
export const CVV_AUTH_STATUSES = ["pending", "current", "failed", "inactive"] as const;
export type CvvAuthStatus = (typeof CVV_AUTH_STATUSES)[number];

/** Legacy transitions a charge can be driven through; each is also the kickback `job`. */
export const TRANSITIONS = ["AUTH", "CAPTURE", "SALES", "CANCEL"] as const;
export type Transition = (typeof TRANSITIONS)[number];

export const OUTCOMES = ["success", "failure", "pending"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function isOneOf<T extends string>(list: readonly T[], s: string): s is T {
  return (list as readonly string[]).includes(s);
}
