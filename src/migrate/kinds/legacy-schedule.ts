/**
 * Where an auto-billing brought over from the old system charges next, in both systems, when its
 * next legacy billing date is known (the migrator's `nextDate`): the UnivaPay subscription starts
 * its charges on that very date (schedule_settings.start_on, with a zero-yen first payment so
 * nothing is charged at creation), and keeps the old cycle after it. Pure.
 */
import { billingCycle, type BillingCycle } from "../../recurring/billing-cycle";
import { civilDate, type CivilDate } from "../../recurring/civil-date";
import type { RecurringInput } from "../../recurring/read-recurring-params";
import { cycleOf, legacyDayOf } from "../../recurring/schedule-recurring";
import type { UnivapayPeriod } from "../../mapping/recurring-schema";

export interface MigratedSchedule {
  readonly cycle: BillingCycle;
  readonly cycleField: { readonly period: UnivapayPeriod } | { readonly cyclical_period: string };
  readonly startOn: CivilDate;
  readonly preserveEndOfMonth: boolean;
  /** The next two automatic charges: the old system's, and UnivaPay's. */
  readonly legacyDueDates: readonly [CivilDate, CivilDate];
  readonly univapayDueDates: readonly [CivilDate, CivilDate];
  /** acdc1 (29 or 30) when nextDate is a shorter month's end below it: UnivaPay stays on that day. */
  readonly clampedDay: number | null;
}

const monthsOf = (c: BillingCycle): number => c.count * (c.unit === "Y" ? 12 : 1);

export function migratedSchedule(input: RecurringInput, nextDate: CivilDate): MigratedSchedule {
  const { cycle, cycleField } = cycleOf(input);
  const monthly = billingCycle.isMonthBased(cycle);
  const day = legacyDayOf(input);
  // A day-of-month code returned to its day every time (31 = the month's last day); any other code
  // kept the first charge's day, which a month-end next date stands for.
  const preserveEndOfMonth = monthly && (day === null ? civilDate.isLastDayOfMonth(nextDate) : day === 31);
  const legacySecond =
    monthly && day !== null ? civilDate.dayOfMonthAfter(nextDate, monthsOf(cycle), day) : billingCycle.add(nextDate, cycle, 1, preserveEndOfMonth);
  return {
    cycle,
    cycleField,
    startOn: nextDate,
    preserveEndOfMonth,
    legacyDueDates: [nextDate, legacySecond],
    univapayDueDates: [nextDate, billingCycle.add(nextDate, cycle, 1, preserveEndOfMonth)],
    clampedDay: monthly && day !== null && day < 31 && civilDate.dayOf(nextDate) < day ? day : null,
  };
}

/** "2027-04-10", "2027/4/10" or "20270410" → a date; undefined when it is none of them or not real. */
export function parseLegacyDate(text: string): CivilDate | undefined {
  const m = /^(\d{4})[-/]?(\d{1,2})[-/]?(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!/^\d{8}$/.test(text.trim()) && !/[-/]/.test(text)) return undefined;
  const iso = `${String(y).padStart(4, "0")}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  const back = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(back.getTime()) && back.toISOString().slice(0, 10) === iso ? (iso as CivilDate) : undefined;
}
