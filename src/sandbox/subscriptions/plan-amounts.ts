/**
 * Amounts of each payment. For `subscription_plan` and `installment_plan` the request
 * `amount` is the TOTAL (`:7355-7362`); for unlimited subscriptions it is the per-cycle
 * amount. The first payment uses `initial_amount` when given.
 */
import type { InstallmentPlan, SubscriptionPlan } from "./subscription-types";

export interface PlanTerms {
  readonly amount: number;
  readonly initialAmount: number | null;
  readonly subscriptionPlan: SubscriptionPlan | null;
  readonly installmentPlan: InstallmentPlan | null;
}

/**
 * Every payment of a limited plan, first to last; null for an unlimited subscription.
 * - fixed_cycles N: the count includes the first charge; each = floor(total ÷ N) and the
 *   last one also takes the remainder so the plan charges exactly the total [INFERRED].
 * - fixed_cycle_amount A: ceil(total ÷ A) charges of A, the last one only the remainder (`:7931`).
 * - A given initial_amount is the first charge and counts toward the total [INFERRED]; the rest
 *   of the total is split over the remaining payments by the same rule.
 * - Installments are one card-company charge of the whole amount (the issuer splits it).
 */
export function planAmounts(terms: PlanTerms): readonly number[] | null {
  if (terms.installmentPlan) return [terms.amount];
  const plan = terms.subscriptionPlan;
  if (!plan) return null;
  const head = terms.initialAmount === null ? [] : [terms.initialAmount];
  const rest = terms.amount - (terms.initialAmount ?? 0);
  if (plan.planType === "fixed_cycles") {
    const n = plan.fixedCycles - head.length;
    return [...head, ...splitEvenly(rest, n)];
  }
  return [...head, ...splitByChunk(rest, plan.fixedCycleAmount)];
}

function splitEvenly(total: number, n: number): number[] {
  if (n <= 0) return [];
  const each = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? total - each * (n - 1) : each));
}

function splitByChunk(total: number, chunk: number): number[] {
  const out: number[] = [];
  for (let left = total; left > 0; left -= chunk) out.push(Math.min(chunk, left));
  return out;
}

/** Amount of payment number `index` (0 = first charge). */
export function paymentAmount(terms: PlanTerms, index: number): number {
  const plan = planAmounts(terms);
  if (plan) return plan[index] ?? 0;
  return index === 0 ? (terms.initialAmount ?? terms.amount) : terms.amount;
}

/** True when `index` is the final payment of a limited plan; unlimited plans never end. */
export function isLastPaymentIndex(terms: PlanTerms, index: number): boolean {
  const plan = planAmounts(terms);
  return plan !== null && index >= plan.length - 1;
}
