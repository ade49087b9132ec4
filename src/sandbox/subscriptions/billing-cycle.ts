/**
 * Billing cycles: the named `period` values and ISO-8601 `cyclical_period` durations are
 * both reduced to one `Cycle`, so scheduling code never branches on which field was sent.
 */
import { addDays, addMonths, isLastDayOfMonth, type CivilDate } from "./civil-date";

export const PERIODS = ["daily", "weekly", "biweekly", "monthly", "bimonthly", "quarterly", "semiannually", "annually"] as const;
export type Period = (typeof PERIODS)[number];

/** Years are kept apart from months only so that `cycleDays` can count a year as 365 days. */
export type DurationUnit = "day" | "week" | "month" | "year";
export interface IsoDuration {
  readonly count: number;
  readonly unit: DurationUnit;
}
export interface Cycle {
  readonly count: number;
  readonly unit: DurationUnit;
}

const UNIT_BY_LETTER: Readonly<Record<string, DurationUnit>> = { D: "day", W: "week", M: "month", Y: "year" };

/**
 * Parses a single-unit ISO-8601 duration ("P10D", "P2W", "P1M", "P1Y"). Compound forms
 * ("P1M15D") and time parts are rejected: UnivaPay only documents the single-unit forms.
 */
export function parseIsoDuration(text: string, allowed: readonly DurationUnit[] = ["day", "week", "month", "year"]): IsoDuration | null {
  const m = /^P([1-9]\d{0,3})([DWMY])$/.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  const unit = UNIT_BY_LETTER[m[2]];
  if (unit === undefined || !allowed.includes(unit)) return null;
  return { count: Number(m[1]), unit };
}

const PERIOD_CYCLES: Readonly<Record<Period, Cycle>> = {
  daily: { count: 1, unit: "day" },
  weekly: { count: 1, unit: "week" },
  biweekly: { count: 2, unit: "week" },
  monthly: { count: 1, unit: "month" },
  bimonthly: { count: 2, unit: "month" },
  quarterly: { count: 3, unit: "month" },
  semiannually: { count: 6, unit: "month" },
  annually: { count: 1, unit: "year" },
};

export function cycleOfPeriod(period: Period): Cycle {
  return PERIOD_CYCLES[period];
}

/** Month- and year-based cycles are the only ones where `preserve_end_of_month` means anything. */
export function isMonthBased(cycle: Cycle): boolean {
  return cycle.unit === "month" || cycle.unit === "year";
}

/** "Daily plan" for the 09:00 rule: any cycle of exactly one day, named or ISO. */
export function isDailyCycle(cycle: Cycle): boolean {
  return cycle.unit === "day" && cycle.count === 1;
}

/**
 * Length in days used for the default retry interval and for "retry_interval < cycle".
 * The doc fixes a month at 30 days whatever the calendar (`:209-213`); a year is taken as
 * 365 days [INFERRED], a week as 7.
 */
export function durationDays(d: IsoDuration | Cycle): number {
  const per = d.unit === "day" ? 1 : d.unit === "week" ? 7 : d.unit === "month" ? 30 : 365;
  return d.count * per;
}

/** Adds `n` whole durations to a date (see `addMonths` for month-end clamping). */
export function addDuration(date: CivilDate, d: IsoDuration | Cycle, n = 1, stickToMonthEnd = false): CivilDate {
  switch (d.unit) {
    case "day":
      return addDays(date, d.count * n);
    case "week":
      return addDays(date, 7 * d.count * n);
    case "month":
      return addMonths(date, d.count * n, stickToMonthEnd);
    case "year":
      return addMonths(date, 12 * d.count * n, stickToMonthEnd);
  }
}

/**
 * The date `n` cycles after `origin`. Always computed from the origin, not step by step,
 * so a 31st-of-month origin returns to the 31st after a short month instead of drifting to
 * the 28th. `preserveEndOfMonth` only acts when the origin itself is a month's last day.
 */
export function addCycles(origin: CivilDate, cycle: Cycle, n: number, preserveEndOfMonth: boolean): CivilDate {
  const stick = preserveEndOfMonth && isMonthBased(cycle) && isLastDayOfMonth(origin);
  return addDuration(origin, cycle, n, stick);
}
