/**
 * Renders the state as UnivaPay's JSON: the subscription object of §2.5 (field order as in
 * the doc examples `:12779-12816`, plus the SDK's plan and "left" fields) and the
 * scheduled-payment objects of `/payments` (`:13273-13402`).
 */
import { formatAmount } from "./money-format";
import { nextPaymentOf, runDateOf } from "./payment-schedule";
import { planAmounts } from "./plan-amounts";
import type { ScheduledPayment, SubscriptionState } from "./subscription-types";

export function toApiObject(sub: SubscriptionState): Record<string, unknown> {
  const next = sub.status === "canceled" || sub.status === "completed" ? null : nextPaymentOf(sub);
  const left = leftOf(sub);
  return {
    id: sub.id,
    store_id: sub.storeId,
    transaction_token_id: sub.transactionTokenId,
    amount: sub.amount,
    currency: sub.currency,
    amount_formatted: formatAmount(sub.amount, sub.currency),
    initial_amount: sub.initialAmount,
    initial_amount_formatted: sub.initialAmount === null ? null : formatAmount(sub.initialAmount, sub.currency),
    subsequent_cycles_start: null,
    schedule_settings: {
      start_on: sub.scheduleSettings.startOn,
      zone_id: sub.scheduleSettings.zoneId,
      preserve_end_of_month: sub.scheduleSettings.preserveEndOfMonth,
      retry_interval: sub.scheduleSettings.retryInterval,
      termination_mode: sub.scheduleSettings.terminationMode,
    },
    only_direct_currency: sub.onlyDirectCurrency,
    first_charge_capture_after: sub.firstChargeCaptureAfter,
    first_charge_authorization_only: sub.firstChargeAuthorizationOnly,
    status: sub.status,
    metadata: sub.metadata,
    mode: sub.mode,
    created_on: sub.createdOn,
    period: sub.period,
    cyclical_period: sub.cyclicalPeriod,
    subscription_plan:
      sub.subscriptionPlan === null
        ? null
        : sub.subscriptionPlan.planType === "fixed_cycles"
          ? { plan_type: "fixed_cycles", fixed_cycles: sub.subscriptionPlan.fixedCycles }
          : { plan_type: "fixed_cycle_amount", fixed_cycle_amount: sub.subscriptionPlan.fixedCycleAmount },
    installment_plan:
      sub.installmentPlan === null
        ? null
        : sub.installmentPlan.planType === "revolving"
          ? { plan_type: "revolving" }
          : { plan_type: "fixed_cycles", fixed_cycles: sub.installmentPlan.fixedCycles },
    descriptor: sub.descriptor,
    amount_left: left?.amount ?? null,
    amount_left_formatted: left === null ? null : formatAmount(left.amount, sub.currency),
    payments_left: left?.payments ?? null,
    cycles_left: left?.payments ?? null,
    next_payment: next === null ? null : { ...toPaymentObject(sub, next), retry_date: retryDateShown(sub, next) },
  };
}

/** `/payments` list items, newest due date first like every UnivaPay list (`:1790`, example `:13370-13397`). */
export function listPayments(sub: SubscriptionState): Record<string, unknown>[] {
  return [...sub.payments].sort((a, b) => (a.dueDate === b.dueDate ? b.index - a.index : a.dueDate < b.dueDate ? 1 : -1)).map((p) => toPaymentObject(sub, p));
}

/** One scheduled payment; `retry_date` and `terminate_with_status` are SDK fields. */
export function toPaymentObject(sub: SubscriptionState, p: ScheduledPayment): Record<string, unknown> {
  const isNext = nextPaymentOf(sub)?.id === p.id;
  return {
    id: p.id,
    due_date: p.dueDate,
    zone_id: sub.scheduleSettings.zoneId,
    amount: p.amount,
    currency: sub.currency,
    amount_formatted: formatAmount(p.amount, sub.currency),
    is_paid: p.isPaid,
    is_last_payment: p.isLastPayment,
    created_on: p.createdOn,
    updated_on: p.updatedOn,
    retry_date: isNext ? retryDateShown(sub, p) : null,
    successful_payment_date: p.successfulPaymentDate,
    terminate_with_status: isNext ? sub.pendingTermination : null,
  };
}

/** Shown only while actually waiting for a retry; a paused-and-resumed one shows none (`:10705`). */
function retryDateShown(sub: SubscriptionState, p: ScheduledPayment): string | null {
  return p.retryDate === null || sub.status !== "unpaid" ? null : runDateOf(p);
}

/** Remaining amount and payment count of a limited plan; null for unlimited ones [INFERRED: cycles_left = payments_left]. */
function leftOf(sub: SubscriptionState): { amount: number; payments: number } | null {
  const plan = planAmounts(sub);
  if (!plan) return null;
  const paid = sub.payments.filter((p) => p.isPaid);
  const paidTotal = paid.reduce((s, p) => s + p.amount, 0);
  return { amount: plan.reduce((s, a) => s + a, 0) - paidTotal, payments: plan.length - paid.length };
}
