/**
 * Calendar dates without a time or zone ("YYYY-MM-DD"), the unit UnivaPay uses for
 * `due_date`, `retry_date` and `schedule_settings.start_on`. All arithmetic runs on UTC
 * midnights so that no host time zone or DST can shift a date.
 */

/** A "YYYY-MM-DD" string that has been checked by `parseCivilDate`. */
export type CivilDate = string & { readonly __civilDate: unique symbol };

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Returns the date, or null when the text is not a real calendar date (e.g. 2024-02-30). */
export function parseCivilDate(text: string): CivilDate | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return text as CivilDate;
}

/** Builds a date from parts; month is 1-based. Out-of-range days roll over like Date.UTC. */
export function civilDate(year: number, month: number, day: number): CivilDate {
  return fromUtcMs(Date.UTC(year, month - 1, day));
}

export function civilParts(date: CivilDate): { year: number; month: number; day: number } {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isLastDayOfMonth(date: CivilDate): boolean {
  const { year, month, day } = civilParts(date);
  return day === daysInMonth(year, month);
}

export function addDays(date: CivilDate, days: number): CivilDate {
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/**
 * Adds whole months. A day that does not exist in the target month is clamped to its last
 * day (01-31 + 1 month = 02-28/29), never rolled into the following month. With
 * `stickToMonthEnd` the result is always the target month's last day.
 */
export function addMonths(date: CivilDate, months: number, stickToMonthEnd = false): CivilDate {
  const { year, month, day } = civilParts(date);
  const index = year * 12 + (month - 1) + months;
  const ty = Math.floor(index / 12);
  const tm = (index % 12) + 1;
  const last = daysInMonth(ty, tm);
  return civilDate(ty, tm, stickToMonthEnd ? last : Math.min(day, last));
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: CivilDate, b: CivilDate): number {
  return Math.round((toUtcMs(b) - toUtcMs(a)) / DAY_MS);
}

/** ISO strings of equal length compare correctly as text; the sign follows `a - b`. */
export function compareCivil(a: CivilDate, b: CivilDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxCivil(a: CivilDate, b: CivilDate): CivilDate {
  return compareCivil(a, b) >= 0 ? a : b;
}

function toUtcMs(date: CivilDate): number {
  const { year, month, day } = civilParts(date);
  return Date.UTC(year, month - 1, day);
}

function fromUtcMs(ms: number): CivilDate {
  return new Date(ms).toISOString().slice(0, 10) as CivilDate;
}
