/**
 * zod schema of a subscription as the state file holds it: the pure engine's SubscriptionState,
 * which is JSON by design (ISO instants, "YYYY-MM-DD" civil dates). Typed against the engine's type
 * so the two cannot drift apart silently. Validation only: no engine rule is re-checked here.
 */
import { z } from "zod";
import { PERIODS } from "../subscriptions/billing-cycle";
import { parseCivilDate, type CivilDate } from "../subscriptions/civil-date";
import type { ScheduledPayment, SubscriptionState } from "../subscriptions/subscription-types";

const Iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { error: "is not an ISO-8601 instant" });
const Civil = z.custom<CivilDate>((v) => typeof v === "string" && parseCivilDate(v) !== null, { error: "is not a YYYY-MM-DD date" });
const Count = z.number().int().positive();

const PaymentSchema: z.ZodType<ScheduledPayment> = z.object({
  id: z.string().min(1),
  index: z.number().int().nonnegative(),
  slot: z.number().int().nonnegative(),
  dueDate: Civil,
  dueDateSetManually: z.boolean(),
  amount: z.number().int().nonnegative(),
  isPaid: z.boolean(),
  isLastPayment: z.boolean(),
  retryDate: Civil.nullable(),
  inFlight: z.boolean(),
  attempts: z.array(z.object({ at: Iso, result: z.enum(["successful", "failed", "authorized"]) })),
  successfulPaymentDate: Civil.nullable(),
  createdOn: Iso,
  updatedOn: Iso,
});

export const SubscriptionStateSchema: z.ZodType<SubscriptionState> = z.object({
  id: z.string().min(1),
  storeId: z.string().min(1),
  mode: z.enum(["test", "live"]),
  transactionTokenId: z.string().min(1),
  amount: z.number().int().nonnegative(),
  currency: z.string(),
  initialAmount: z.number().int().nonnegative().nullable(),
  period: z.enum(PERIODS).nullable(),
  cyclicalPeriod: z.string().nullable(),
  cycle: z.object({ count: Count, unit: z.enum(["day", "week", "month", "year"]) }),
  scheduleSettings: z.object({
    startOn: Civil.nullable(),
    zoneId: z.string().min(1),
    preserveEndOfMonth: z.boolean().nullable(),
    retryInterval: z.string().nullable(),
    terminationMode: z.enum(["immediate", "on_next_payment"]),
  }),
  subscriptionPlan: z
    .discriminatedUnion("planType", [
      z.object({ planType: z.literal("fixed_cycles"), fixedCycles: Count }),
      z.object({ planType: z.literal("fixed_cycle_amount"), fixedCycleAmount: Count }),
    ])
    .nullable(),
  installmentPlan: z
    .discriminatedUnion("planType", [z.object({ planType: z.literal("revolving") }), z.object({ planType: z.literal("fixed_cycles"), fixedCycles: Count })])
    .nullable(),
  firstChargeAuthorizationOnly: z.boolean(),
  firstChargeCaptureAfter: z.string().nullable(),
  onlyDirectCurrency: z.boolean(),
  descriptor: z.string().nullable(),
  metadata: z.record(z.string(), z.json()),
  status: z.enum(["unverified", "authorized", "current", "unpaid", "suspended", "canceled", "unconfirmed", "completed"]),
  createdOn: Iso,
  updatedOn: Iso,
  retryCount: Count,
  runHour: z.number().int().min(0).max(23),
  cycleOrigin: Civil.nullable(),
  originSlot: z.union([z.literal(0), z.literal(1)]),
  failedAttempts: z.number().int().nonnegative(),
  pendingTermination: z.enum(["suspended", "canceled"]).nullable(),
  payments: z.array(PaymentSchema),
});
