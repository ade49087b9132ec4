/**
 * The legacy 自動課金 plan sent with a first payment (actp1, acdc1, acmc1, acam1, acrm1, acrt1,
 * acrd1) → the schedule and amount fields of POST /subscriptions, declared per cycle code in
 * mappings/recurring.yaml, plus where the two systems' charges will differ. Pure: `now` is
 * injected; never imports the sandbox (the simulator of UnivaPay stays separate).
 */
import { legacyFailure, type MappingTable, type Result } from "../mapping";
import type { ParamSource } from "../mapping/param-source";
import type { UnivapayPeriod } from "../mapping/recurring-schema";
import { billingCycle } from "./billing-cycle";
import { civilDate } from "./civil-date";
import { driftNotes, type DriftNote } from "./drift-notes";
import { readRecurringParams, type RecurringInput } from "./read-recurring-params";
import { scheduleRecurring } from "./schedule-recurring";

export type { DriftNote } from "./drift-notes";

type ScheduleSettings = {
  readonly zone_id: "Asia/Tokyo";
  readonly start_on?: string;
  readonly preserve_end_of_month?: boolean;
  readonly retry_interval?: string;
};

export interface RecurringPlan {
  readonly actp: string;
  readonly acdc: string | null;
  readonly acmc: string | null;
  readonly cycleAmount: number;
  readonly automaticCharges: number | null;
  /** POST /subscriptions fields; the caller adds transaction_token_id, currency, metadata, … */
  readonly body: {
    readonly amount: number;
    readonly initial_amount: number;
    readonly period?: UnivapayPeriod;
    readonly cyclical_period?: string;
    readonly schedule_settings: ScheduleSettings;
    readonly subscription_plan?: { readonly plan_type: "fixed_cycles"; readonly fixed_cycles: number };
  };
  /** The first two AUTOMATIC charge dates (YYYY-MM-DD, JST) of the old system and of UnivaPay. */
  readonly legacyDueDates: readonly [string, string];
  readonly univapayDueDates: readonly [string, string];
  readonly drift: readonly DriftNote[];
}

/** True when the request asks for auto-billing (actp1 present and non-empty). */
export function isRecurringRequest(params: ParamSource): boolean {
  const v = params.get("actp1");
  return v !== undefined && v !== "";
}

/**
 * Amounts: unlimited → amount = acam1 per cycle; N automatic charges → a fixed_cycles plan of
 * N + 1 (UnivaPay counts the first charge) whose amount is the TOTAL incl. the first charge.
 */
function amountsOf(input: RecurringInput, initialAmount: number) {
  const n = input.automaticCharges;
  if (n === null) return { amount: input.cycleAmount, initial_amount: initialAmount };
  const total = initialAmount + n * input.cycleAmount;
  return { amount: total, initial_amount: initialAmount, subscription_plan: { plan_type: "fixed_cycles" as const, fixed_cycles: n + 1 } };
}

/**
 * `initialAmount` is the first payment (Σ siamN + sisfN), already validated by the caller. All
 * failures of the request are returned together, each with its recurring.yaml error key.
 */
export function planRecurring(table: MappingTable, params: ParamSource, opts: { now: Date; initialAmount: number }): Result<RecurringPlan> {
  if (!Number.isSafeInteger(opts.initialAmount) || opts.initialAmount < 0)
    return { ok: false, failures: [legacyFailure(table, "internal", `initialAmount ${opts.initialAmount} is not a whole yen amount`)] };
  const read = readRecurringParams(table, params);
  if (!read.ok) return read;
  const input = read.value;
  const rec = table.recurring;
  const amounts = amountsOf(input, opts.initialAmount);
  const plan = amounts.subscription_plan ? { subscription_plan: amounts.subscription_plan } : {};
  if (!Number.isSafeInteger(amounts.amount))
    return { ok: false, failures: [legacyFailure(table, rec.errors.acrm1, `the plan total ${amounts.amount} is not a safe integer`, "acrm1")] };

  const today = civilDate.tokyoDateOf(opts.now);
  const schedule = scheduleRecurring(input, today);
  const retryDays = input.retryDays ?? rec.defaults.legacyRetryIntervalDays;
  // UnivaPay refuses a retry_interval that is not shorter than the cycle (month = 30 days).
  const retrySent = retryDays < billingCycle.days(schedule.cycle);
  const settings: ScheduleSettings = {
    zone_id: rec.defaults.zoneId,
    ...(schedule.startOn !== null ? { start_on: schedule.startOn } : {}),
    ...(schedule.preserveEndOfMonth ? { preserve_end_of_month: true } : {}),
    ...(retrySent ? { retry_interval: `P${retryDays}D` } : {}),
  };
  return {
    ok: true,
    value: {
      actp: input.actp,
      acdc: input.acdc,
      acmc: input.acmc,
      cycleAmount: input.cycleAmount,
      automaticCharges: input.automaticCharges,
      body: { amount: amounts.amount, initial_amount: amounts.initial_amount, ...schedule.cycleField, schedule_settings: settings, ...plan },
      legacyDueDates: schedule.legacyDueDates,
      univapayDueDates: schedule.univapayDueDates,
      drift: driftNotes(rec, { input, schedule, today, retryDays, retrySent }),
    },
  };
}
