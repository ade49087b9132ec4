/**
 * Validation of the POST /subscriptions and PATCH bodies (§2.5). Each field has its own zod
 * schema and is checked on its own, then cross-field rules run on the fields that passed,
 * so one response lists EVERY bad field (house style §3.4), not just the first. Reasons
 * reuse UnivaPay's own codes (SDK `APIError.ts`) where one fits.
 */
import { z } from "zod";
import { cycleOfPeriod, durationDays, isMonthBased, parseIsoDuration, PERIODS, type Cycle, type Period } from "./billing-cycle";
import { addDays, compareCivil, parseCivilDate, type CivilDate } from "./civil-date";
import { isValidTimeZone, zonedDateOf } from "./zoned-time";
import type { FieldError, InstallmentPlan, SubscriptionPlan, TerminationMode } from "./subscription-types";
import { planAmounts } from "./plan-amounts";

export const DEFAULT_ZONE_ID = "Asia/Tokyo";
export const INSTALLMENT_CYCLES = [3, 5, 6, 10, 12, 15, 18, 20, 24] as const;
/** Next dates can be set at most 999 days ahead (changelog `:4677`). */
export const MAX_DAYS_AHEAD = 999;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const uuid = z.string({ error: "INVALID_FORMAT_UUID" }).regex(UUID, { error: "INVALID_FORMAT_UUID" });
const positiveAmount = z.number({ error: "INVALID_AMOUNT" }).int({ error: "INVALID_AMOUNT" }).positive({ error: "INVALID_AMOUNT" });
const initialAmount = z
  .number({ error: "INVALID_SUBSCRIPTION_INITIAL_AMOUNT" })
  .int({ error: "INVALID_SUBSCRIPTION_INITIAL_AMOUNT" })
  .min(0, { error: "INVALID_SUBSCRIPTION_INITIAL_AMOUNT" });
const currency = z
  .string({ error: "INVALID_FORMAT_CURRENCY" })
  .regex(/^[A-Za-z]{3}$/, { error: "INVALID_FORMAT_CURRENCY" })
  .transform((c) => c.toUpperCase());
const period = z.enum(PERIODS, { error: "INVALID_SUBSCRIPTION_PERIOD" });
const cyclicalPeriod = z.string({ error: "INVALID_SUBSCRIPTION_PERIOD" }).refine((s) => parseIsoDuration(s) !== null, { error: "INVALID_SUBSCRIPTION_PERIOD" });
const civilDateText = z
  .string({ error: "INVALID_FORMAT_DATE" })
  .refine((s) => parseCivilDate(s) !== null, { error: "INVALID_FORMAT_DATE" })
  .transform((s) => s as CivilDate);
const zoneId = z.string({ error: "INVALID_FORMAT" }).refine(isValidTimeZone, { error: "INVALID_TIME_ZONE" });
const bool = z.boolean({ error: "INVALID_FORMAT" });
const retryInterval = z
  .string({ error: "INVALID_DURATION" })
  .refine((s) => parseIsoDuration(s, ["day", "week", "month"]) !== null, { error: "INVALID_DURATION" });
const terminationMode = z.enum(["immediate", "on_next_payment"], { error: "INVALID_FORMAT" });
const captureAfter = z.string({ error: "INVALID_DURATION" }).regex(/^P[1-6]D$/, { error: "INVALID_DURATION" });
const metadata = z.record(z.string(), z.unknown(), { error: "INVALID_FORMAT_OBJECT" });
const object = z.record(z.string(), z.unknown(), { error: "INVALID_FORMAT_OBJECT" });

/** Collects field errors while reading values out of an unknown body. */
class FieldReader {
  readonly errors: FieldError[] = [];

  /** Absent and JSON null both mean "not given" for optional fields. */
  read<T>(body: Readonly<Record<string, unknown>>, key: string, schema: z.ZodType<T>, path: string, required = false): T | undefined {
    const raw = body[key];
    if (raw === undefined || raw === null) {
      if (required) this.fail(path, "REQUIRED_VALUE");
      return undefined;
    }
    const r = schema.safeParse(raw);
    if (r.success) return r.data;
    this.fail(path, r.error.issues[0]?.message ?? "INVALID_FORMAT");
    return undefined;
  }

  fail(field: string, reason: string): void {
    this.errors.push({ field, reason });
  }
}

export interface CreateInput {
  readonly transactionTokenId: string;
  readonly amount: number;
  readonly currency: string;
  readonly initialAmount: number | null;
  readonly period: Period | null;
  readonly cyclicalPeriod: string | null;
  readonly cycle: Cycle;
  readonly startOn: CivilDate | null;
  readonly zoneId: string;
  readonly preserveEndOfMonth: boolean | null;
  readonly retryInterval: string | null;
  readonly terminationMode: TerminationMode;
  readonly subscriptionPlan: SubscriptionPlan | null;
  readonly installmentPlan: InstallmentPlan | null;
  readonly firstChargeAuthorizationOnly: boolean;
  readonly firstChargeCaptureAfter: string | null;
  readonly onlyDirectCurrency: boolean;
  readonly descriptor: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Validates a create body; `now` decides "today" in the zone for start_on checks. */
export function validateCreateInput(input: unknown, now: Date): Validated<CreateInput> {
  const r = new FieldReader();
  const parsedBody = object.safeParse(input);
  if (!parsedBody.success) return { ok: false, errors: [{ field: "body", reason: "INVALID_FORMAT_OBJECT" }] };
  const body = parsedBody.data;

  const transactionTokenId = r.read(body, "transaction_token_id", uuid, "transaction_token_id", true);
  const amount = r.read(body, "amount", positiveAmount, "amount", true);
  const cur = r.read(body, "currency", currency, "currency", true);
  const initial = r.read(body, "initial_amount", initialAmount, "initial_amount");
  const per = r.read(body, "period", period, "period");
  const cyc = r.read(body, "cyclical_period", cyclicalPeriod, "cyclical_period");
  const periodGiven = body["period"] !== undefined && body["period"] !== null;
  const cyclicalGiven = body["cyclical_period"] !== undefined && body["cyclical_period"] !== null;
  if (!periodGiven && !cyclicalGiven) r.fail("period", "REQUIRED_VALUE");
  if (periodGiven && cyclicalGiven) r.fail("cyclical_period", "NOT_ALLOWED");
  const cycleDuration = cyc !== undefined ? parseIsoDuration(cyc) : null;
  const cycle: Cycle | null = per !== undefined ? cycleOfPeriod(per) : cycleDuration;

  const schedule = r.read(body, "schedule_settings", object, "schedule_settings") ?? {};
  const startOn = r.read(schedule, "start_on", civilDateText, "schedule_settings.start_on");
  const zone = r.read(schedule, "zone_id", zoneId, "schedule_settings.zone_id") ?? DEFAULT_ZONE_ID;
  const preserve = r.read(schedule, "preserve_end_of_month", bool, "schedule_settings.preserve_end_of_month");
  const retry = r.read(schedule, "retry_interval", retryInterval, "schedule_settings.retry_interval");
  const termination = r.read(schedule, "termination_mode", terminationMode, "schedule_settings.termination_mode");

  if (startOn !== undefined) {
    // start_on is the SECOND payment: it must come after today's first charge.
    const today = zonedDateOf(now, zone);
    if (compareCivil(startOn, today) <= 0 || compareCivil(startOn, addDays(today, MAX_DAYS_AHEAD)) > 0) {
      r.fail("schedule_settings.start_on", "INVALID_SUBSCRIPTION_START_ON");
    }
  }
  if (preserve === true && cycle && !isMonthBased(cycle)) r.fail("schedule_settings.preserve_end_of_month", "MUST_BE_MONTH_BASED_TO_SET");
  if (retry !== undefined && cycle) {
    const d = parseIsoDuration(retry);
    if (d && durationDays(d) >= durationDays(cycle)) r.fail("schedule_settings.retry_interval", "INVALID_DURATION");
  }

  const subscriptionPlan = readSubscriptionPlan(r, body);
  const installmentPlan = readInstallmentPlan(r, body);
  if (subscriptionPlan && installmentPlan) r.fail("installment_plan", "NOT_ALLOWED");
  if (installmentPlan) {
    // Installments are a monthly card-company plan charged once (`:12716`, `:10649`).
    if (per !== undefined && per !== "monthly") r.fail("period", "INSTALLMENT_PROCESSOR_PERIOD_NOT_SUPPORTED");
    if (cyc !== undefined) r.fail("cyclical_period", "INSTALLMENT_PROCESSOR_PERIOD_NOT_SUPPORTED");
    if (initial !== undefined) r.fail("initial_amount", "INSTALLMENT_INVALID_INITIAL_AMOUNT");
  }
  if (subscriptionPlan && amount !== undefined) checkPlanFits(r, subscriptionPlan, amount, initial ?? null);

  const authOnly = r.read(body, "first_charge_authorization_only", bool, "first_charge_authorization_only") ?? false;
  const capture = r.read(body, "first_charge_capture_after", captureAfter, "first_charge_capture_after");
  if (capture !== undefined && !authOnly) r.fail("first_charge_capture_after", "NOT_ALLOWED");
  if (authOnly && initial === 0) r.fail("first_charge_authorization_only", "NOT_ALLOWED");
  const onlyDirect = r.read(body, "only_direct_currency", bool, "only_direct_currency") ?? false;
  const descriptor = r.read(body, "descriptor", z.string({ error: "INVALID_FORMAT" }), "descriptor");
  const meta = r.read(body, "metadata", metadata, "metadata") ?? {};

  if (r.errors.length > 0 || transactionTokenId === undefined || amount === undefined || cur === undefined || cycle === null) {
    return { ok: false, errors: r.errors };
  }
  return {
    ok: true,
    value: {
      transactionTokenId,
      amount,
      currency: cur,
      initialAmount: initial ?? null,
      period: per ?? null,
      cyclicalPeriod: cyc ?? null,
      cycle,
      startOn: startOn ?? null,
      zoneId: zone,
      preserveEndOfMonth: preserve ?? null,
      retryInterval: retry ?? null,
      terminationMode: termination ?? "immediate",
      subscriptionPlan,
      installmentPlan,
      firstChargeAuthorizationOnly: authOnly,
      firstChargeCaptureAfter: capture ?? null,
      onlyDirectCurrency: onlyDirect,
      descriptor: descriptor ?? null,
      metadata: meta,
    },
  };
}

function readSubscriptionPlan(r: FieldReader, body: Readonly<Record<string, unknown>>): SubscriptionPlan | null {
  const plan = r.read(body, "subscription_plan", object, "subscription_plan");
  if (!plan) return null;
  const type = r.read(plan, "plan_type", z.enum(["fixed_cycles", "fixed_cycle_amount"], { error: "INVALID_FORMAT" }), "subscription_plan.plan_type", true);
  if (type === "fixed_cycles") {
    // One fixed cycle would be a one-off charge; the SDK has NEED_AT_LEAST_TWO_CYCLES [INFERRED].
    const cycles = r.read(
      plan,
      "fixed_cycles",
      z.number({ error: "INVALID_SUBSCRIPTION_CYCLES" }).int({ error: "INVALID_SUBSCRIPTION_CYCLES" }).min(2, { error: "NEED_AT_LEAST_TWO_CYCLES" }),
      "subscription_plan.fixed_cycles",
      true,
    );
    return cycles === undefined ? null : { planType: type, fixedCycles: cycles };
  }
  if (type === "fixed_cycle_amount") {
    const each = r.read(plan, "fixed_cycle_amount", positiveAmount, "subscription_plan.fixed_cycle_amount", true);
    return each === undefined ? null : { planType: type, fixedCycleAmount: each };
  }
  return null;
}

function readInstallmentPlan(r: FieldReader, body: Readonly<Record<string, unknown>>): InstallmentPlan | null {
  const plan = r.read(body, "installment_plan", object, "installment_plan");
  if (!plan) return null;
  const type = r.read(plan, "plan_type", z.enum(["revolving", "fixed_cycles"], { error: "INSTALLMENT_INVALID_PLAN_TYPE" }), "installment_plan.plan_type", true);
  if (type === "revolving") return { planType: type };
  if (type === "fixed_cycles") {
    const cycles = r.read(
      plan,
      "fixed_cycles",
      z
        .number({ error: "INSTALLMENT_INVALID_CYCLES_COUNT" })
        .refine((n) => (INSTALLMENT_CYCLES as readonly number[]).includes(n), { error: "INSTALLMENT_INVALID_CYCLES_COUNT" }),
      "installment_plan.fixed_cycles",
      true,
    );
    return cycles === undefined ? null : { planType: type, fixedCycles: cycles };
  }
  return null;
}

/** Every payment of a plan must be at least 1 and there must be two or more of them [INFERRED]. */
function checkPlanFits(r: FieldReader, plan: SubscriptionPlan, amount: number, initial: number | null): void {
  if (initial !== null && initial > amount) {
    r.fail("initial_amount", "INVALID_SUBSCRIPTION_INITIAL_AMOUNT");
    return;
  }
  const amounts = planAmounts({ amount, initialAmount: initial, subscriptionPlan: plan, installmentPlan: null }) ?? [];
  const field = plan.planType === "fixed_cycles" ? "subscription_plan.fixed_cycles" : "subscription_plan.fixed_cycle_amount";
  if (amounts.length < 2) r.fail(field, "NEED_AT_LEAST_TWO_CYCLES");
  else if (amounts.slice(initial === null ? 0 : 1).some((a) => a <= 0)) r.fail(field, "INVALID_SUBSCRIPTION_CYCLES");
}

export interface PatchInput {
  readonly transactionTokenId?: string;
  readonly amount?: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly status?: "suspended" | "unpaid" | "current";
  readonly terminationMode?: TerminationMode;
}

/** Validates a PATCH body. Schedule settings other than termination_mode are fixed after create. */
export function validatePatchInput(input: unknown): Validated<PatchInput> {
  const r = new FieldReader();
  const parsedBody = object.safeParse(input);
  if (!parsedBody.success) return { ok: false, errors: [{ field: "body", reason: "INVALID_FORMAT_OBJECT" }] };
  const body = parsedBody.data;
  const transactionTokenId = r.read(body, "transaction_token_id", uuid, "transaction_token_id");
  const amount = r.read(body, "amount", positiveAmount, "amount");
  const meta = r.read(body, "metadata", metadata, "metadata");
  const status = r.read(body, "status", z.enum(["suspended", "unpaid", "current"], { error: "INVALID_FORMAT" }), "status");
  const schedule = r.read(body, "schedule_settings", object, "schedule_settings") ?? {};
  const termination = r.read(schedule, "termination_mode", terminationMode, "schedule_settings.termination_mode");
  for (const key of Object.keys(schedule)) {
    if (key !== "termination_mode") r.fail(`schedule_settings.${key}`, "NOT_ALLOWED");
  }
  if (r.errors.length > 0) return { ok: false, errors: r.errors };
  return {
    ok: true,
    value: {
      ...(transactionTokenId !== undefined && { transactionTokenId }),
      ...(amount !== undefined && { amount }),
      ...(meta !== undefined && { metadata: meta }),
      ...(status !== undefined && { status }),
      ...(termination !== undefined && { terminationMode: termination }),
    },
  };
}
