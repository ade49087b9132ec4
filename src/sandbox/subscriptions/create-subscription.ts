/**
 * POST /subscriptions. Builds the initial state (`unverified`, next payment due today in
 * zone_id) and hands back the first charge to run at once (`:12797`, `:12806`).
 */
import { isDailyCycle } from "./billing-cycle";
import { addDays, compareCivil } from "./civil-date";
import { derivePaymentId } from "./payment-id";
import { isLastPaymentIndex, paymentAmount } from "./plan-amounts";
import { validateCreateInput } from "./subscription-schema";
import type { EngineAction, FieldError, SubscriptionEvent, SubscriptionState } from "./subscription-types";
import { zonedDateOf } from "./zoned-time";
import { firstChargeAction } from "./charge-actions";

export interface CreateContext {
  readonly id: string;
  readonly storeId: string;
  readonly mode: "test" | "live";
  readonly now: Date;
  /** Store setting 一般設定 > 決済サービス > 全体設定; default 3 including the first attempt (`:222-229`). */
  readonly retryCount?: number;
}

export type CreateResult =
  { ok: true; sub: SubscriptionState; actions: EngineAction[]; events: SubscriptionEvent[] } | { ok: false; code: "VALIDATION_ERROR"; errors: FieldError[] };

export const DEFAULT_RETRY_COUNT = 3;

export function createSubscription(input: unknown, ctx: CreateContext): CreateResult {
  const retryCount = ctx.retryCount ?? DEFAULT_RETRY_COUNT;
  if (!Number.isInteger(retryCount) || retryCount < 1) throw new Error(`retryCount must be a positive integer, got ${retryCount}`);
  const v = validateCreateInput(input, ctx.now);
  if (!v.ok) return { ok: false, code: "VALIDATION_ERROR", errors: v.errors };
  const req = v.value;
  const now = ctx.now.toISOString();
  const today = zonedDateOf(ctx.now, req.zoneId);
  // 09:00 instead of 07:00 for daily plans and for start_on = creation + 1 day (`:314-317`);
  // applied to every later run of the subscription [INFERRED: the doc does not say "only the 2nd"].
  const startsTomorrow = req.startOn !== null && compareCivil(req.startOn, addDays(today, 1)) === 0;
  const runHour = isDailyCycle(req.cycle) || startsTomorrow ? 9 : 7;

  const base: SubscriptionState = {
    id: ctx.id,
    storeId: ctx.storeId,
    mode: ctx.mode,
    transactionTokenId: req.transactionTokenId,
    amount: req.amount,
    currency: req.currency,
    initialAmount: req.initialAmount,
    period: req.period,
    cyclicalPeriod: req.cyclicalPeriod,
    cycle: req.cycle,
    scheduleSettings: {
      startOn: req.startOn,
      zoneId: req.zoneId,
      preserveEndOfMonth: req.preserveEndOfMonth,
      retryInterval: req.retryInterval,
      terminationMode: req.terminationMode,
    },
    subscriptionPlan: req.subscriptionPlan,
    installmentPlan: req.installmentPlan,
    firstChargeAuthorizationOnly: req.firstChargeAuthorizationOnly,
    firstChargeCaptureAfter: req.firstChargeCaptureAfter,
    onlyDirectCurrency: req.onlyDirectCurrency,
    descriptor: req.descriptor,
    metadata: req.metadata,
    status: "unverified",
    createdOn: now,
    updatedOn: now,
    retryCount,
    runHour,
    // With start_on the grid is fixed now (slot 1 = start_on); otherwise it starts on the
    // day the first charge succeeds, which differs from today only for auth-only first charges.
    cycleOrigin: req.startOn,
    originSlot: req.startOn === null ? 0 : 1,
    failedAttempts: 0,
    pendingTermination: null,
    payments: [],
  };
  const sub: SubscriptionState = {
    ...base,
    payments: [
      {
        id: derivePaymentId(ctx.id, 0),
        index: 0,
        slot: 0,
        dueDate: today,
        dueDateSetManually: false,
        amount: paymentAmount(base, 0),
        isPaid: false,
        isLastPayment: isLastPaymentIndex(base, 0),
        retryDate: null,
        inFlight: true,
        attempts: [],
        successfulPaymentDate: null,
        createdOn: now,
        updatedOn: now,
      },
    ],
  };
  const first = sub.payments[0];
  const actions = first ? [firstChargeAction(sub, first, now)] : [];
  return { ok: true, sub, actions, events: [{ event: "subscription_created", subscriptionId: sub.id, paymentId: null, at: now }] };
}
