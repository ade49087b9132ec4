/**
 * Whether a charge may be made now, before any record exists: the live-mode review (§1.2), the
 * card lock (§1.5), the bounded recurring privilege (§2.1), the daily test cap and the 30-s
 * duplicate rule (§1.5, §1.6). It remembers what the rules need (recent charges, failures) and
 * never changes a resource; PaymentProcessor asks it and applies the answer.
 */
import { badRequest, type ApiError } from "../errors";
import type { ChargeRecord, TokenRecord } from "../state/models";
import { recurringUsageError } from "../state/recurring-usage";
import { liveModeError } from "./store-registry";
import { CardLock } from "./card-lock";
import { ChargeLimits, type ChargeAttempt, type ChargeKind } from "./charge-limits";
import type { EngineDeps } from "./engine-deps";

export interface MoneySpec {
  readonly amount: number;
  readonly currency: string;
}

export class ChargeAdmission {
  private readonly limits: ChargeLimits;
  private readonly locks: CardLock;

  constructor(private readonly deps: EngineDeps) {
    this.limits = new ChargeLimits(deps.options.chargeTooQuick, deps.options.testChargeDailyLimit);
    this.locks = new CardLock(deps.options.cardLock);
  }

  /**
   * POST /charges: throws the first rule the request breaks and records the charge. Returns true
   * when the 30-s rule is reported as a charge failing with 311 (`duplicateChargeAs`).
   */
  admitOneOff(token: TokenRecord, money: MoneySpec, now: number): boolean {
    const err = this.accountAndCardError(token, now) ?? recurringUsageError(token, this.deps.state.chargesOfToken(token.id), now);
    if (err) throw err;
    const attempt = attemptOf(token, "one_off", money);
    const limitError = this.limits.check(attempt, now);
    const asFailed311 = limitError?.code === "CHARGE_TOO_QUICK" && this.deps.options.duplicateChargeAs === "failed-311";
    if (limitError && !asFailed311) throw limitError;
    this.limits.record(token.storeId, token.mode, attempt, now);
    return asFailed311;
  }

  /**
   * POST /subscriptions, before anything is stored. `firstCharge` null = registration only
   * (initial_amount 0), which charges nothing. The 30-s rule is an error here unless it is to show
   * as a failed 311 charge; the daily test cap never applied to subscriptions.
   */
  subscriptionCreateError(token: TokenRecord, firstCharge: MoneySpec | null, now: number): ApiError | null {
    if (firstCharge === null) return liveModeError(this.deps.state.stores.get(token.storeId));
    const err = this.accountAndCardError(token, now);
    if (err) return err;
    if (this.deps.options.duplicateChargeAs === "failed-311") return null;
    return this.limits.isTooQuick(attemptOf(token, "subscription", firstCharge), now) ? badRequest("CHARGE_TOO_QUICK") : null;
  }

  /**
   * A subscription charge being made (the first one or a scheduled run): records it and returns
   * true when it breaks the 30-s rule. No request waits for a scheduled run, so the charge then
   * fails with 311 instead of a 400.
   */
  admitSubscriptionCharge(token: TokenRecord, money: MoneySpec, now: number): boolean {
    const attempt = attemptOf(token, "subscription", money);
    const tooQuick = this.limits.isTooQuick(attempt, now);
    this.limits.record(token.storeId, token.mode, attempt, now);
    return tooQuick;
  }

  /** The 1-yen CVV authorization counts for the daily test cap only. */
  recordCvvAuthorization(token: TokenRecord, now: number): void {
    this.limits.record(token.storeId, token.mode, null, now);
  }

  /**
   * A charge loaded from a state file, in creation order: counts it as admission did when it was
   * made (daily cap, 30-s rule) and feeds a failed settlement to the card lock, so a restart
   * forgets none of these limits.
   */
  replay(charge: ChargeRecord): void {
    const attempt: ChargeAttempt | null = charge.isCvvAuth
      ? null
      : {
          storeId: charge.storeId,
          mode: charge.mode,
          kind: charge.subscriptionId === null ? "one_off" : "subscription",
          cardNumber: charge.payer.cardNumber,
          recurringTokenId: charge.tokenType === "recurring" ? charge.tokenId : null,
          amount: charge.requestedAmount,
          currency: charge.requestedCurrency,
        };
    this.limits.record(charge.storeId, charge.mode, attempt, charge.createdAt);
    this.recordSettlement(charge);
  }

  /** Called when a charge settles: failures feed the card lock. */
  recordSettlement(charge: ChargeRecord): void {
    if (charge.status === "failed") this.locks.recordFailure(charge.payer.cardNumber, charge.mode, charge.updatedAt);
  }

  private accountAndCardError(token: TokenRecord, now: number): ApiError | null {
    return liveModeError(this.deps.state.stores.get(token.storeId)) ?? this.locks.error(token.card.number, token.mode, now);
  }
}

function attemptOf(token: TokenRecord, kind: ChargeKind, money: MoneySpec): ChargeAttempt {
  return {
    storeId: token.storeId,
    mode: token.mode,
    kind,
    cardNumber: token.card.number,
    recurringTokenId: token.type === "recurring" ? token.id : null,
    amount: money.amount,
    currency: money.currency,
  };
}
