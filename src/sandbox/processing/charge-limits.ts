/**
 * Per-store charge limits that need memory: the 1,440 test charges per day cap
 * (RESOURCE_LIMIT_REACHED, §1.5) and the 30-second duplicate rule of §1.6 with its subscription
 * extensions: same recurring token or card + same amount; for subscriptions also any amount when
 * (a) two subscription charges hit the same card in a row, or (b) a recurring token alternates
 * one-off and subscription charges. Days are Japan calendar days, the merchant's business day.
 */
import { badRequest, type ApiError } from "../errors";
import { CHARGE_TOO_QUICK_MS } from "../state/charge-rules";
import type { Mode } from "../state/models";

const DAY_MS = 24 * 60 * 60 * 1000;
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

export type ChargeKind = "one_off" | "subscription";

/** One charge about to be made, as the limits see it. */
export interface ChargeAttempt {
  readonly storeId: string;
  readonly mode: Mode;
  readonly kind: ChargeKind;
  readonly cardNumber: string;
  /** The token id when it is a recurring token (the rule then keys on the token, not the card). */
  readonly recurringTokenId: string | null;
  readonly amount: number;
  readonly currency: string;
}

export class ChargeLimits {
  private readonly lastSameAmount = new Map<string, number>();
  private readonly lastSubscriptionOnCard = new Map<string, number>();
  private readonly lastOnRecurringToken = new Map<string, { readonly at: number; readonly kind: ChargeKind }>();
  private readonly daily = new Map<string, number>();

  constructor(
    private readonly tooQuick: "live-only" | "always" | "off",
    private readonly testDailyLimit: number | null,
  ) {}

  /** The daily cap, then the 30-s rule; records nothing. */
  check(a: ChargeAttempt, now: number): ApiError | null {
    if (this.overDailyLimit(a.storeId, a.mode, now)) return badRequest("RESOURCE_LIMIT_REACHED");
    return this.isTooQuick(a, now) ? badRequest("CHARGE_TOO_QUICK") : null;
  }

  /** The 30-s rule of §1.6 (in the modes the `chargeTooQuick` option covers). */
  isTooQuick(a: ChargeAttempt, now: number): boolean {
    const applies = this.tooQuick === "always" || (this.tooQuick === "live-only" && a.mode === "live");
    if (!applies) return false;
    const recent = (at: number | undefined): boolean => at !== undefined && now - at < CHARGE_TOO_QUICK_MS;
    if (recent(this.lastSameAmount.get(sameAmountKey(a)))) return true;
    if (a.kind === "subscription" && recent(this.lastSubscriptionOnCard.get(cardKey(a)))) return true;
    const onToken = a.recurringTokenId === null ? undefined : this.lastOnRecurringToken.get(a.recurringTokenId);
    return onToken !== undefined && onToken.kind !== a.kind && recent(onToken.at);
  }

  /** Counts a charge; `null` counts it for the daily cap only (the CVV authorization). */
  record(storeId: string, mode: Mode, a: ChargeAttempt | null, now: number): void {
    if (mode === "test") {
      const k = dayKey(storeId, now);
      this.daily.set(k, (this.daily.get(k) ?? 0) + 1);
    }
    if (a === null) return;
    this.lastSameAmount.set(sameAmountKey(a), now);
    if (a.kind === "subscription") this.lastSubscriptionOnCard.set(cardKey(a), now);
    if (a.recurringTokenId !== null) this.lastOnRecurringToken.set(a.recurringTokenId, { at: now, kind: a.kind });
  }

  private overDailyLimit(storeId: string, mode: Mode, now: number): boolean {
    return mode === "test" && this.testDailyLimit !== null && (this.daily.get(dayKey(storeId, now)) ?? 0) >= this.testDailyLimit;
  }
}

/** The recurring token, or the card for one-time and subscription tokens. */
function sameAmountKey(a: ChargeAttempt): string {
  const who = a.recurringTokenId !== null ? `token:${a.recurringTokenId}` : `card:${a.cardNumber}`;
  return `${a.storeId}|${who}|${a.amount}|${a.currency}`;
}

function cardKey(a: ChargeAttempt): string {
  return `${a.storeId}|${a.cardNumber}`;
}

function dayKey(storeId: string, now: number): string {
  return `${storeId}|${Math.floor((now + JST_OFFSET_MS) / DAY_MS)}`;
}
