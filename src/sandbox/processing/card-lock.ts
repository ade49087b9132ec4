/**
 * The card lock of §1.5 (`:20806-20807`): 5 or more failed charges on one card within 30 minutes
 * lock it for 2 hours, and charge requests then get 403 CARD_LOCKED. The lock follows the card
 * number across stores (it is the card that is locked, like the platform-wide IP lock). Times are
 * sandbox time. The doc names no mode, so by default it applies in test mode too.
 */
import { forbidden, type ApiError } from "../errors";
import type { Mode } from "../state/models";

export const CARD_LOCK_FAILURES = 5;
export const CARD_LOCK_WINDOW_MS = 30 * 60 * 1000;
export const CARD_LOCK_DURATION_MS = 2 * 60 * 60 * 1000;

export type CardLockScope = "always" | "live-only" | "off";

export class CardLock {
  private readonly failures = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();

  constructor(private readonly scope: CardLockScope) {}

  /** A charge on `cardNumber` settled `failed` at `at`. */
  recordFailure(cardNumber: string, mode: Mode, at: number): void {
    if (!this.applies(mode)) return;
    const recent = (this.failures.get(cardNumber) ?? []).filter((t) => at - t < CARD_LOCK_WINDOW_MS);
    recent.push(at);
    this.failures.set(cardNumber, recent);
    if (recent.length >= CARD_LOCK_FAILURES) this.lockedUntil.set(cardNumber, at + CARD_LOCK_DURATION_MS);
  }

  error(cardNumber: string, mode: Mode, now: number): ApiError | null {
    if (!this.applies(mode)) return null;
    const until = this.lockedUntil.get(cardNumber);
    return until !== undefined && now < until ? forbidden("CARD_LOCKED") : null;
  }

  private applies(mode: Mode): boolean {
    return this.scope === "always" || (this.scope === "live-only" && mode === "live");
  }
}
