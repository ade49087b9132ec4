import fc from "fast-check";
import { listPayments, patchSubscription, type SubscriptionState } from "../../../src/sandbox/subscriptions";
import { body, createActive, runUntil, tokyo } from "./engine-harness";

const periods = ["daily", "weekly", "biweekly", "monthly", "bimonthly", "quarterly", "semiannually", "annually"] as const;

const planArb = fc.oneof(
  fc.record({ plan_type: fc.constant("fixed_cycles"), fixed_cycles: fc.integer({ min: 2, max: 12 }) }),
  // Given as a divisor of the total so that plans stay at most 12 payments long.
  fc.record({ plan_type: fc.constant("fixed_cycle_amount"), divisor: fc.integer({ min: 2, max: 12 }), extra: fc.integer({ min: 0, max: 99 }) }),
);

const caseArb = fc.record({
  period: fc.constantFrom(...periods),
  total: fc.integer({ min: 5000, max: 100000 }),
  plan: planArb,
  createdDay: fc.integer({ min: 0, max: 730 }),
  // Per-run outcomes, cycled; failures exercise retries, suspension and resume.
  outcomes: fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
  retryCount: fc.integer({ min: 1, max: 4 }),
  preserve: fc.boolean(),
});

function dayFrom(offset: number): string {
  return new Date(Date.UTC(2023, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
}

/** Runs to completion, resuming each time retries run out, bounded so the test terminates. */
function runToEnd(start: SubscriptionState, outcomes: readonly boolean[]): SubscriptionState {
  let sub = start;
  let n = 0;
  const outcome = () => (outcomes[n++ % outcomes.length] ? ("successful" as const) : ("failed" as const));
  for (let round = 0; round < 1000 && sub.status !== "completed"; round += 1) {
    sub = runUntil(sub, tokyo("2100-01-01"), outcome).sub;
    if (sub.status === "suspended") {
      const resumeAt = new Date(Date.parse(sub.updatedOn) + 3 * 86_400_000);
      const r = patchSubscription(sub, { status: "unpaid" }, resumeAt);
      if (!r.ok) throw new Error(r.code);
      sub = r.sub;
    }
  }
  return sub;
}

describe("subscription engine properties", () => {
  it("keeps due dates strictly increasing and a completed plan charges exactly its total", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const createdOn = dayFrom(c.createdDay);
        const plan =
          c.plan.plan_type === "fixed_cycles"
            ? c.plan
            : { plan_type: "fixed_cycle_amount", fixed_cycle_amount: Math.floor(c.total / c.plan.divisor) + c.plan.extra };
        const input = body({
          period: c.period,
          amount: c.total,
          subscription_plan: plan,
          ...(c.preserve &&
            ["monthly", "bimonthly", "quarterly", "semiannually", "annually"].includes(c.period) && { schedule_settings: { preserve_end_of_month: true } }),
        });
        const sub = runToEnd(createActive(input, tokyo(createdOn), c.retryCount), c.outcomes.includes(true) ? c.outcomes : [...c.outcomes, true]);

        const dates = listPayments(sub)
          .map((p) => String(p["due_date"]))
          .reverse();
        for (let i = 1; i < dates.length; i += 1) expect((dates[i] ?? "") > (dates[i - 1] ?? "")).toBe(true);

        expect(sub.status).toBe("completed");
        const paid = sub.payments.filter((p) => p.isPaid);
        expect(paid.reduce((s, p) => s + p.amount, 0)).toBe(c.total);
        expect(paid.filter((p) => p.isLastPayment)).toHaveLength(1);
        expect(sub.payments[sub.payments.length - 1]?.isLastPayment).toBe(true);
      }),
      { numRuns: 150, seed: 20240626 },
    );
  });
});
