/**
 * A billing cycle reduced to count × unit, whether UnivaPay gets it as a named `period` or as a
 * `cyclical_period`, so the schedule code never branches on which field is sent.
 */
import type { UnivapayPeriod } from "../mapping/recurring-schema";
import { civilDate, type CivilDate } from "./civil-date";

export interface BillingCycle {
  readonly count: number;
  readonly unit: "D" | "W" | "M" | "Y";
}

const PERIOD_CYCLES = {
  daily: { count: 1, unit: "D" },
  weekly: { count: 1, unit: "W" },
  biweekly: { count: 2, unit: "W" },
  monthly: { count: 1, unit: "M" },
  bimonthly: { count: 2, unit: "M" },
  quarterly: { count: 3, unit: "M" },
  semiannually: { count: 6, unit: "M" },
  annually: { count: 1, unit: "Y" },
} as const satisfies Record<UnivapayPeriod, BillingCycle>;

/** UnivaPay's day length of a cycle, for "retry_interval < cycle": a month is 30 days (§7), a year 365. */
const UNIT_DAYS = { D: 1, W: 7, M: 30, Y: 365 } as const;

export const billingCycle = {
  ofPeriod: (period: UnivapayPeriod): BillingCycle => PERIOD_CYCLES[period],
  days: (c: BillingCycle): number => c.count * UNIT_DAYS[c.unit],
  isMonthBased: (c: BillingCycle): boolean => c.unit === "M" || c.unit === "Y",
  /**
   * The date n cycles after `origin`, computed from the origin rather than step by step (so the
   * 31st comes back after February). With `preserveEndOfMonth`, a month-end origin stays on month
   * ends — UnivaPay's preserve_end_of_month (univapay-api §2.5).
   */
  add: (origin: CivilDate, c: BillingCycle, n: number, preserveEndOfMonth = false): CivilDate => {
    if (!billingCycle.isMonthBased(c)) return civilDate.addDays(origin, n * billingCycle.days(c));
    const months = n * c.count * (c.unit === "Y" ? 12 : 1);
    return civilDate.addMonths(origin, months, preserveEndOfMonth && civilDate.isLastDayOfMonth(origin));
  },
};
