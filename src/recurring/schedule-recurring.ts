/**
 * Where the automatic charges fall, in both systems, for one validated auto-billing request:
 * the cycle field and start_on UnivaPay gets, and the first two automatic charge dates the old
 * system would have used and UnivaPay will use. Pure; D is the request's date in Tokyo.
 */
import type { UnivapayPeriod } from "../mapping/recurring-schema";
import { billingCycle, type BillingCycle } from "./billing-cycle";
import { civilDate, type CivilDate } from "./civil-date";
import type { RecurringInput } from "./read-recurring-params";

export interface RecurringSchedule {
  readonly cycle: BillingCycle;
  readonly cycleField: { readonly period: UnivapayPeriod } | { readonly cyclical_period: string };
  /** schedule_settings.start_on (the SECOND payment), null to leave UnivaPay's default. */
  readonly startOn: CivilDate | null;
  readonly preserveEndOfMonth: boolean;
  readonly legacyDueDates: readonly [CivilDate, CivilDate];
  readonly univapayDueDates: readonly [CivilDate, CivilDate];
  /** acdc1 (29 or 30) when start_on was clamped below it to a shorter month's end. */
  readonly clampedDay: number | null;
}

const monthsOf = (c: BillingCycle): number => c.count * (c.unit === "Y" ? 12 : 1);

/** The first date strictly after `d` whose day is `day`, a shorter month's last day counting as it. */
function nextDayOfMonth(d: CivilDate, day: number): CivilDate {
  const here = civilDate.dayOfMonthAfter(d, 0, day);
  return here > d ? here : civilDate.dayOfMonthAfter(d, 1, day);
}

interface Start {
  readonly startOn: CivilDate | null;
  readonly preserveEndOfMonth: boolean;
  readonly legacy: readonly [CivilDate, CivilDate];
  readonly day: number | null;
}

function startOf(input: RecurringInput, cycle: BillingCycle, today: CivilDate): Start {
  const { startOn } = input.code;
  if (startOn.kind === "none") {
    // The old system kept D's day of month (clamped); UnivaPay's default start is one cycle on.
    const legacy = [billingCycle.add(today, cycle, 1), billingCycle.add(today, cycle, 2)] as const;
    // A month-end first charge is kept on month ends (01-31 → 02-28 → 03-31): preserve_end_of_month
    // only acts from a month-end start_on, so it is sent explicitly.
    if (!billingCycle.isMonthBased(cycle) || !civilDate.isLastDayOfMonth(today)) return { startOn: null, preserveEndOfMonth: false, legacy, day: null };
    return { startOn: billingCycle.add(today, cycle, 1, true), preserveEndOfMonth: true, legacy, day: null };
  }
  // The compiler guarantees every parameter a rule names is a required, validated one.
  const n = input.values.get(startOn.from) ?? 1;
  if (startOn.kind === "daysLater") {
    const s = civilDate.addDays(today, n);
    return { startOn: s, preserveEndOfMonth: false, legacy: [s, billingCycle.add(s, cycle, 1)], day: null };
  }
  const s = startOn.kind === "nextDayOfMonth" ? nextDayOfMonth(today, n) : civilDate.dayOfMonthAfter(today, 1, n);
  const monthly = billingCycle.isMonthBased(cycle);
  // The old system returned to day X every time; the 31st means "the last day" in every month.
  const second = monthly ? civilDate.dayOfMonthAfter(s, monthsOf(cycle), n) : billingCycle.add(s, cycle, 1);
  return { startOn: s, preserveEndOfMonth: monthly && n === 31, legacy: [s, second], day: n };
}

/** The cycle of a validated request, and the field UnivaPay gets it as. */
export function cycleOf(input: RecurringInput): Pick<RecurringSchedule, "cycle" | "cycleField"> {
  const { field } = input.code;
  const cycle = field.kind === "period" ? billingCycle.ofPeriod(field.period) : { count: input.values.get(field.count) ?? 1, unit: field.unit };
  return { cycle, cycleField: field.kind === "period" ? { period: field.period } : { cyclical_period: `P${cycle.count}${cycle.unit}` } };
}

/** The day of month the old system returned to each time for this code (acdc1), else null. */
export function legacyDayOf(input: RecurringInput): number | null {
  const { startOn } = input.code;
  return startOn.kind === "nextDayOfMonth" || startOn.kind === "dayOfNextMonth" ? (input.values.get(startOn.from) ?? null) : null;
}

export function scheduleRecurring(input: RecurringInput, today: CivilDate): RecurringSchedule {
  const { cycle, cycleField } = cycleOf(input);
  const start = startOf(input, cycle, today);
  const p = start.preserveEndOfMonth;
  const univapayDueDates =
    start.startOn === null
      ? ([billingCycle.add(today, cycle, 1, p), billingCycle.add(today, cycle, 2, p)] as const)
      : ([start.startOn, billingCycle.add(start.startOn, cycle, 1, p)] as const);
  const clamped = start.startOn !== null && start.day !== null && start.day < 31 && civilDate.dayOf(start.startOn) < start.day;
  return {
    cycle,
    cycleField,
    startOn: start.startOn,
    preserveEndOfMonth: p,
    legacyDueDates: start.legacy,
    univapayDueDates,
    clampedDay: clamped ? start.day : null,
  };
}
