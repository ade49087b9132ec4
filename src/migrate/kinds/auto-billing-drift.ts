/**
 * How an auto-billing brought over by the migrator will behave differently from the old one, one
 * English sentence per difference with the concrete values (the drift report, and the drift note
 * the auto-billing row keeps). The always-true differences (charge time, resume rule, retry count)
 * are the recurring issue's; the rest depend on the row: retry interval, dates, count semantics, a
 * clamped day, and for a created subscription the zero-yen registration at creation. Pure.
 */
import type { CompiledRecurring } from "../../mapping/mapping-table";
import { billingCycle, type BillingCycle } from "../../recurring/billing-cycle";
import type { CivilDate } from "../../recurring/civil-date";
import type { DriftNote } from "../../recurring/drift-notes";
import type { MigratedSchedule } from "./legacy-schedule";

const days = (n: number): string => (n === 1 ? "1 day" : `${n} days`);

export interface CommonDriftFacts {
  readonly cycle: BillingCycle | null;
  /** acrt / acrd as the legacy row had them (null: not given, the legacy default applied). */
  readonly retryCount: number | null;
  readonly retryDays: number | null;
}

/** The differences every migrated auto-billing has, whichever way it came over. */
export function commonDrift(rec: CompiledRecurring, f: CommonDriftFacts): DriftNote[] {
  const d = rec.defaults;
  const oneDay = f.cycle !== null && f.cycle.unit === "D" && f.cycle.count === 1;
  const time = oneDay ? d.univapayEarlyChargeTime : d.univapayChargeTime;
  const n = d.univapayRetryAttempts;
  const retries = f.retryCount ?? d.legacyRetryCount;
  const notes: DriftNote[] = [
    {
      code: "charge_time",
      message: `The old system ran automatic charges from ${d.legacyChargeTime} JST; UnivaPay runs them at ${time} JST${oneDay ? ", as for every one-day cycle" : ""}.`,
    },
    {
      code: "resume",
      message:
        "Resumed after a missed due date, the old system charged the next day and then followed the cycle; UnivaPay charges on the nearest future cycle date and never charges the missed cycles.",
    },
    {
      code: "retry_count",
      message: `The old system retried a failed charge ${retries} times; UnivaPay's retry count is a store-wide setting (default ${n} attempts including the first, i.e. ${n - 1} retries) that cannot be sent per subscription.`,
    },
  ];
  if (f.cycle !== null) {
    const legacyDays = f.retryDays ?? d.legacyRetryIntervalDays;
    const cycleDays = billingCycle.days(f.cycle);
    if (legacyDays >= cycleDays) {
      notes.push({
        code: "retry_interval",
        message: `The old system retried after ${days(legacyDays)}, which is not shorter than the ${cycleDays}-day cycle, so UnivaPay retries after cycle ÷ retry count (${days(Math.max(1, Math.floor(cycleDays / n)))} at its default ${n}).`,
      });
    }
  }
  return notes;
}

/** `--create`: the subscription made from the legacy schedule. */
export function createdDrift(rec: CompiledRecurring, s: MigratedSchedule, f: CommonDriftFacts & { readonly automaticCharges: number | null }): DriftNote[] {
  const notes = commonDrift(rec, f);
  notes.push({
    code: "registration",
    message: `Created with a zero-yen first payment: UnivaPay charges nothing at creation (the card's CVV authorization stands as the check) and charges first on ${s.startOn}, the old system's next date.`,
  });
  if (f.automaticCharges !== null) {
    notes.push({
      code: "count",
      message: `The old system had ${f.automaticCharges} automatic charges left; UnivaPay counts its zero-yen first payment as a cycle, so the plan is ${f.automaticCharges + 1} fixed cycles, which charges ${f.automaticCharges} times.`,
    });
  }
  if (s.clampedDay !== null) {
    notes.push({
      code: "day_clamped",
      message: `acdc=${s.clampedDay} falls on ${s.startOn} because that month has no day ${s.clampedDay}; the old system returned to day ${s.clampedDay} in later months, UnivaPay stays on the day it starts from (${s.univapayDueDates[1]}).`,
    });
  }
  const [l0, l1] = s.legacyDueDates;
  const [u0, u1] = s.univapayDueDates;
  if (l0 !== u0 || l1 !== u1)
    notes.push({ code: "dates", message: `The old system would have charged on ${l0} and ${l1}; UnivaPay will charge on ${u0} and ${u1}.` });
  return notes;
}

/** An existing subscription mapped to its acid: what the row says of the old schedule against UnivaPay's. */
export function mappedDrift(
  rec: CompiledRecurring,
  f: CommonDriftFacts & { readonly legacyNext: CivilDate | null; readonly univapayNext: string | null; readonly automaticCharges: number | null },
): DriftNote[] {
  const notes = commonDrift(rec, f);
  if (f.legacyNext !== null && f.univapayNext !== null && f.legacyNext !== f.univapayNext) {
    notes.push({ code: "dates", message: `The old system's next charge was ${f.legacyNext}; UnivaPay's next charge is ${f.univapayNext}.` });
  }
  if (f.automaticCharges !== null) {
    notes.push({
      code: "count",
      message: `The old system had ${f.automaticCharges} automatic charges left; UnivaPay ends the subscription by its own plan, which the migrator does not change: compare the two in UnivaPay's console.`,
    });
  }
  return notes;
}
