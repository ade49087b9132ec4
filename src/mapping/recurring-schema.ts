/**
 * zod schema for mappings/recurring.yaml (shape only): the legacy 自動課金 cycle codes (actp1),
 * parameter ranges, defaults and error keys. Which parameter may feed which field is checked in
 * compile-recurring.ts, where the messages can name the entry. Pure.
 */
import { z } from "zod";

import { ErrorKeySchema } from "./mapping-schema";

/** UnivaPay's named `period` values (univapay-api §2.5; bimonthly is in the object and SDK). */
export const UNIVAPAY_PERIODS = ["daily", "weekly", "biweekly", "monthly", "bimonthly", "quarterly", "semiannually", "annually"] as const;
export type UnivapayPeriod = (typeof UNIVAPAY_PERIODS)[number];

/** The parameters a cycle code may read for its count, start offset or day of month. */
export const CYCLE_PARAMS = ["acdc1", "acmc1"] as const;
export type CycleParam = (typeof CYCLE_PARAMS)[number];

/** Every legacy auto-billing parameter; each has one error key in the file. */
export const RECURRING_PARAMS = ["actp1", "acdc1", "acmc1", "acam1", "acrm1", "acrt1", "acrd1"] as const;
export type RecurringParam = (typeof RECURRING_PARAMS)[number];

/** What a cycle parameter's number means; each kind has one range in `ranges`. */
export const RANGE_KINDS = ["dayOfMonth", "days", "months"] as const;
export type RangeKind = (typeof RANGE_KINDS)[number];

const Note = z.string().min(1).optional();
const Int = z.number().int();
const Range = z.strictObject({ min: Int, max: Int, note: Note });
const Time = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM");
const Param = z.enum(CYCLE_PARAMS);

const StartOnSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("daysLater"), days: Param }),
  z.strictObject({ kind: z.literal("nextDayOfMonth"), day: Param }),
  z.strictObject({ kind: z.literal("dayOfNextMonth"), day: Param }),
]);
export type StartOnInput = z.infer<typeof StartOnSchema>;

const CycleSchema = z.strictObject({
  period: z.enum(UNIVAPAY_PERIODS).optional(),
  cyclical: z.strictObject({ unit: z.enum(["D", "M"]), count: Param }).optional(),
  startOn: StartOnSchema.optional(),
  /** Required parameters → the kind of number each carries. */
  params: z.partialRecord(Param, z.enum(RANGE_KINDS)).optional(),
  note: z.string().min(1),
});
export type CycleInput = z.infer<typeof CycleSchema>;

export const RecurringFileSchema = z.strictObject({
  note: Note,
  defaults: z.strictObject({
    note: Note,
    // The planner's civil-date arithmetic is JST (no DST); another zone would need other code.
    zoneId: z.literal("Asia/Tokyo"),
    legacyRetryIntervalDays: Int.min(1),
    legacyRetryCount: Int.min(0),
    legacyChargeTime: Time,
    univapayChargeTime: Time,
    univapayEarlyChargeTime: Time,
    univapayRetryAttempts: Int.min(1),
  }),
  ranges: z.strictObject({ dayOfMonth: Range, days: Range, months: Range }),
  limits: z.strictObject({ acrm1: Range, acrt1: Range, acrd1: Range }),
  errors: z.strictObject({
    note: Note,
    actp1: ErrorKeySchema,
    acdc1: ErrorKeySchema,
    acmc1: ErrorKeySchema,
    acam1: ErrorKeySchema,
    acrm1: ErrorKeySchema,
    acrt1: ErrorKeySchema,
    acrd1: ErrorKeySchema,
  }),
  // Codes are compared as the text the merchant sends ("4", not "04").
  cycles: z.record(z.string().regex(/^[0-9]+$/, "must be a cycle code (digits)"), CycleSchema),
});
export type RecurringFile = z.infer<typeof RecurringFileSchema>;
