/**
 * The ways a migrated auto-billing will behave differently from the old system, one English
 * sentence each with the concrete values, for the operator's drift view. Pure. Always: charge
 * time, resume rule, retry count; when they apply: retry interval, clamped day, due dates.
 */
import type { CompiledRecurring } from "../mapping/mapping-table";
import { billingCycle } from "./billing-cycle";
import { civilDate, type CivilDate } from "./civil-date";
import type { RecurringInput } from "./read-recurring-params";

export interface DriftNote {
  /** snake_case: charge_time, resume, retry_count, retry_interval, day_clamped, dates. */
  readonly code: string;
  /** One English sentence with the concrete values. */
  readonly message: string;
}
import type { RecurringSchedule } from "./schedule-recurring";

export interface DriftFacts {
  readonly input: RecurringInput;
  readonly schedule: RecurringSchedule;
  readonly today: CivilDate;
  /** The legacy retry interval in days (acrd1 or the default) and whether it could be sent. */
  readonly retryDays: number;
  readonly retrySent: boolean;
}

function chargeTime(rec: CompiledRecurring, { schedule, today }: DriftFacts): DriftNote {
  const d = rec.defaults;
  const oneDay = schedule.cycle.unit === "D" && schedule.cycle.count === 1;
  const tomorrow = schedule.startOn !== null && civilDate.daysBetween(today, schedule.startOn) === 1;
  const why = oneDay ? ", as for every one-day cycle" : tomorrow ? `, as start_on ${schedule.startOn} is the day after the first charge` : "";
  const time = oneDay || tomorrow ? d.univapayEarlyChargeTime : d.univapayChargeTime;
  return { code: "charge_time", message: `The old system ran automatic charges from ${d.legacyChargeTime} JST; UnivaPay runs them at ${time} JST${why}.` };
}

const days1 = (n: number): string => (n === 1 ? "1 day" : `${n} days`);

const resume: DriftNote = {
  code: "resume",
  message:
    "Resumed after a missed due date, the old system charged the next day and then followed the cycle; UnivaPay charges on the nearest future cycle date and never charges the missed cycles.",
};

function retryCount(rec: CompiledRecurring, { input }: DriftFacts): DriftNote {
  const n = rec.defaults.univapayRetryAttempts;
  return {
    code: "retry_count",
    message: `The old system retried a failed charge ${input.retryCount} times; UnivaPay's retry count is a store-wide setting (default ${n} attempts including the first, i.e. ${n - 1} retries) that cannot be sent per subscription.`,
  };
}

function retryInterval(rec: CompiledRecurring, { schedule, retryDays, input }: DriftFacts): DriftNote {
  const days = billingCycle.days(schedule.cycle);
  const n = rec.defaults.univapayRetryAttempts;
  const fallback = Math.max(1, Math.floor(days / n));
  const given = input.retryDays === null ? " (its default)" : "";
  return {
    code: "retry_interval",
    message: `The old system retried after ${days1(retryDays)}${given}, which is not shorter than the ${days}-day cycle, so no retry_interval is sent and UnivaPay retries after cycle ÷ retry count (${days1(fallback)} at its default ${n}).`,
  };
}

function dayClamped({ schedule }: DriftFacts, day: number, on: CivilDate): DriftNote {
  return {
    code: "day_clamped",
    message: `acdc1=${day} falls on ${on} because that month has no day ${day}; the old system returned to day ${day} in later months, UnivaPay stays on day ${civilDate.dayOf(on)} (${schedule.univapayDueDates[1]}).`,
  };
}

export function driftNotes(rec: CompiledRecurring, facts: DriftFacts): DriftNote[] {
  const { schedule } = facts;
  const notes = [chargeTime(rec, facts), resume, retryCount(rec, facts)];
  if (!facts.retrySent) notes.push(retryInterval(rec, facts));
  if (schedule.clampedDay !== null && schedule.startOn !== null) notes.push(dayClamped(facts, schedule.clampedDay, schedule.startOn));
  const [l0, l1] = schedule.legacyDueDates;
  const [u0, u1] = schedule.univapayDueDates;
  if (l0 !== u0 || l1 !== u1)
    notes.push({ code: "dates", message: `The old system would have charged automatically on ${l0} and ${l1}; UnivaPay will charge on ${u0} and ${u1}.` });
  return notes;
}
