/**
 * Calendar dates ("YYYY-MM-DD") in Asia/Tokyo, the unit both billing systems schedule in. All
 * arithmetic runs on UTC midnights, so no host time zone can shift a date; Japan has no DST, so
 * the JST date of an instant is a fixed +9 h offset. Written for the gateway on purpose: the
 * sandbox has its own copy and the two must stay independent.
 */

/** A checked "YYYY-MM-DD" string. */
export type CivilDate = string & { readonly __civilDate: unique symbol };

const DAY_MS = 86_400_000;
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

const fromUtcMs = (ms: number): CivilDate => new Date(ms).toISOString().slice(0, 10) as CivilDate;
const toUtcMs = (d: CivilDate): number => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));

export const civilDate = {
  /** The date in Tokyo at instant `now` (2027-01-31T15:30Z is already 2027-02-01 there). */
  tokyoDateOf: (now: Date): CivilDate => fromUtcMs(now.getTime() + JST_OFFSET_MS),
  dayOf: (d: CivilDate): number => Number(d.slice(8, 10)),
  addDays: (d: CivilDate, days: number): CivilDate => fromUtcMs(toUtcMs(d) + days * DAY_MS),
  daysBetween: (a: CivilDate, b: CivilDate): number => Math.round((toUtcMs(b) - toUtcMs(a)) / DAY_MS),
  isLastDayOfMonth: (d: CivilDate): boolean => civilDate.dayOf(civilDate.addDays(d, 1)) === 1,
  /**
   * Day `day` of the month `months` after d's month, clamped to that month's last day (day 31 of
   * February is its 28th/29th, never 3 March).
   */
  dayOfMonthAfter: (d: CivilDate, months: number, day: number): CivilDate => {
    const index = Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 1 + months;
    const [year, month] = [Math.floor(index / 12), index % 12];
    const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return fromUtcMs(Date.UTC(year, month, Math.min(day, last)));
  },
  /** Whole months later, keeping d's day clamped; with `toMonthEnd`, always the last day. */
  addMonths: (d: CivilDate, months: number, toMonthEnd = false): CivilDate => civilDate.dayOfMonthAfter(d, months, toMonthEnd ? 31 : civilDate.dayOf(d)),
};
