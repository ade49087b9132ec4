/**
 * Pure rules of the card state machines (§2.2–2.4, §3): which requests are allowed in which state,
 * and what a settlement turns a pending resource into. Returns ApiErrors instead of throwing so the
 * rules are easy to test; the processor applies the results.
 */
import { ApiError, badRequest } from "../errors";
import { TEST_FAILURES, type CardBehaviour } from "../test-cards";
import type { ChargeRecord, ChargeStatus, ChildStatus, PaymentError, RefundRecord, TokenRecord } from "./models";

/** one_time and subscription tokens live 5 minutes (§2.1). */
export const SHORT_TOKEN_TTL_MS = 5 * 60 * 1000;
/** Same card/recurring token + same amount within this window → CHARGE_TOO_QUICK (§1.6). */
export const CHARGE_TOO_QUICK_MS = 30 * 1000;

export const FINAL_CHARGE_STATUSES: ReadonlySet<ChargeStatus> = new Set(["successful", "failed", "error", "canceled"]);
export const FINAL_CHILD_STATUSES: ReadonlySet<ChildStatus> = new Set(["successful", "failed", "error"]);

export function tokenChargeError(token: TokenRecord, now: number): ApiError | null {
  if (token.type === "subscription") return badRequest("NON_SUBSCRIPTION_PAYMENT");
  if (token.type === "one_time") {
    if (!token.active) return badRequest("TRANSACTION_ALREADY_PROCESSED");
    if (now - token.createdAt >= SHORT_TOKEN_TTL_MS) return badRequest("TRANSACTION_TOKEN_EXPIRED");
    return null;
  }
  if (!token.active) return badRequest("RECURRING_TOKEN_DISABLED");
  if (token.cvvAuthorize.enabled) {
    return token.cvvAuthorize.status === "current" ? null : badRequest("CVV_AUTHORIZATION_NOT_COMPLETED");
  }
  // Never charged and never CVV-authorized: the CVV expired 5 minutes after it was given (§2.1).
  if (token.lastUsedAt === null && now - token.cvvSuppliedAt >= SHORT_TOKEN_TTL_MS) return badRequest("RECURRING_USAGE_REQUIRES_CVV");
  return null;
}

/** Key of the 30-s duplicate rule: the recurring token, or the card for one-time tokens. */
export function duplicateKey(token: TokenRecord, amount: number, currency: string): string {
  const who = token.type === "recurring" ? `token:${token.id}` : `card:${token.card.number}`;
  return `${token.storeId}|${who}|${amount}|${currency}`;
}

export interface Settlement {
  readonly status: ChargeStatus;
  readonly error: PaymentError | null;
  readonly chargedAmount: number;
}

/** What a pending charge becomes once the (simulated) acquirer answers. */
export function settleCharge(c: ChargeRecord, card: CardBehaviour): Settlement {
  if (c.pendingOp === "capture") {
    return { status: "successful", error: null, chargedAmount: c.chargedAmount ?? c.requestedAmount };
  }
  if (c.forcedError) return { status: "failed", error: c.forcedError, chargedAmount: c.requestedAmount };
  if (card.chargeFails) return { status: "failed", error: TEST_FAILURES.charge, chargedAmount: c.requestedAmount };
  return { status: c.capture ? "successful" : "authorized", error: null, chargedAmount: c.requestedAmount };
}

export function captureError(c: ChargeRecord, amount: number, currency: string): ApiError | null {
  if (c.isCvvAuth) return badRequest("AUTH_NOT_SUPPORTED");
  if (c.status !== "authorized" || c.cancelPending) return badRequest("ALREADY_CAPTURED");
  if (currency.toUpperCase() !== c.requestedCurrency) return badRequest("CURRENCY_MUST_MATCH_CHARGE");
  if (amount > (c.authorizedAmount ?? c.requestedAmount)) return badRequest("CAPTURE_AMOUNT_TOO_LARGE");
  return null;
}

export function cancelError(c: ChargeRecord): ApiError | null {
  if ((c.status !== "authorized" && c.status !== "awaiting") || c.cancelPending) return badRequest("CANCEL_NOT_ALLOWED");
  return null;
}

/** Refunds still pending count against the charge, so two concurrent partials can't over-refund. */
export function refundError(c: ChargeRecord, refunds: readonly RefundRecord[], amount: number, currency: string): ApiError | null {
  if (c.status !== "successful") return badRequest("CANNOT_REFUND_UNSUCCESSFUL_CHARGE");
  if (currency.toUpperCase() !== c.chargedCurrency) return badRequest("CURRENCY_MUST_MATCH_CHARGE");
  const charged = c.chargedAmount ?? 0;
  if (amount > charged) return badRequest("REFUND_NOT_WITHIN_BOUNDS");
  const committed = refunds.filter((r) => r.status === "pending" || r.status === "successful").reduce((s, r) => s + r.amount, 0);
  if (committed + amount > charged) return badRequest("REFUND_EXCEEDS_CHARGE_AMOUNT");
  return null;
}

export function settleRefund(card: CardBehaviour): { status: ChildStatus; error: PaymentError | null } {
  return card.refundFails ? { status: "failed", error: TEST_FAILURES.refund } : { status: "successful", error: null };
}

export function settleCancel(card: CardBehaviour): { status: ChildStatus; error: PaymentError | null } {
  return card.cancelFails ? { status: "failed", error: TEST_FAILURES.cancel } : { status: "successful", error: null };
}
