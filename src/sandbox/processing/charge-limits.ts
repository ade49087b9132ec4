/**
 * Per-store charge limits that need memory: the 30-second duplicate rule (CHARGE_TOO_QUICK, §1.6)
 * and the 1,440 test charges per day cap (RESOURCE_LIMIT_REACHED, §1.5). Days are Japan calendar
 * days, the merchant's business day.
 */
import { badRequest, type ApiError } from "../errors";
import { CHARGE_TOO_QUICK_MS } from "../state/charge-rules";
import type { Mode } from "../state/models";

const DAY_MS = 24 * 60 * 60 * 1000;
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

export class ChargeLimits {
  private readonly lastCharge = new Map<string, number>();
  private readonly daily = new Map<string, number>();

  constructor(
    private readonly tooQuick: "live-only" | "always" | "off",
    private readonly testDailyLimit: number | null,
  ) {}

  /** Checks both limits without recording anything. */
  check(storeId: string, mode: Mode, duplicateKey: string | null, now: number): ApiError | null {
    if (mode === "test" && this.testDailyLimit !== null && (this.daily.get(dayKey(storeId, now)) ?? 0) >= this.testDailyLimit) {
      return badRequest("RESOURCE_LIMIT_REACHED");
    }
    const applies = this.tooQuick === "always" || (this.tooQuick === "live-only" && mode === "live");
    const last = duplicateKey === null ? undefined : this.lastCharge.get(duplicateKey);
    if (applies && last !== undefined && now - last < CHARGE_TOO_QUICK_MS) return badRequest("CHARGE_TOO_QUICK");
    return null;
  }

  record(storeId: string, mode: Mode, duplicateKey: string | null, now: number): void {
    if (mode === "test") {
      const k = dayKey(storeId, now);
      this.daily.set(k, (this.daily.get(k) ?? 0) + 1);
    }
    if (duplicateKey !== null) this.lastCharge.set(duplicateKey, now);
  }
}

function dayKey(storeId: string, now: number): string {
  return `${storeId}|${Math.floor((now + JST_OFFSET_MS) / DAY_MS)}`;
}
