import { advanceSubscription, applyChargeResult, listPayments, nextWakeAt, toApiObject, updateScheduledPayment } from "../../../src/sandbox/subscriptions";
import { body, create, createActive, nextDue, nextRetry, runUntil, tokyo } from "./engine-harness";

const failOn =
  (...dates: string[]) =>
  (d: string) =>
    dates.includes(d) ? ("failed" as const) : ("successful" as const);
const allFail = () => "failed" as const;

describe("creation and the first charge", () => {
  // The doc's own example: created 2024-06-26T01:51:28Z, USD 1250 monthly.
  const now = new Date("2024-06-26T01:51:28.627Z");

  it("is unverified with the first payment due today and charges it at once", () => {
    const { sub, actions } = create(body({ amount: 1250, currency: "USD" }), now);
    const api = toApiObject(sub);
    expect(api).toMatchObject({ status: "unverified", amount: 1250, amount_formatted: 12.5, initial_amount: null, period: "monthly" });
    expect(api["next_payment"]).toMatchObject({
      due_date: "2024-06-26",
      zone_id: "Asia/Tokyo",
      amount: 1250,
      is_paid: false,
      is_last_payment: false,
      retry_date: null,
    });
    expect(actions).toEqual([
      expect.objectContaining({ kind: "charge", amount: 1250, currency: "USD", isFirstCharge: true, authorizationOnly: false, dueAt: now.toISOString() }),
    ]);
    expect(nextWakeAt(sub)).toBeNull(); // the first charge is already in flight
  });

  it("becomes current with the next payment one cycle later on success (GET example: 07-26)", () => {
    const { sub, actions } = create(body({ amount: 1250, currency: "USD" }), now);
    const out = applyChargeResult(sub, actions[0]?.paymentId ?? "", "successful", now);
    expect(out.events.map((e) => e.event)).toEqual(["subscription_payment"]);
    expect(out.sub.status).toBe("current");
    expect(nextDue(out.sub)).toBe("2024-07-26");
    expect(nextWakeAt(out.sub)?.toISOString()).toBe("2024-07-25T22:00:00.000Z"); // 07:00 Tokyo
  });

  it("becomes unconfirmed when the first charge fails and schedules nothing", () => {
    const { sub, actions } = create(body(), now);
    const out = applyChargeResult(sub, actions[0]?.paymentId ?? "", "failed", now);
    expect(out.sub.status).toBe("unconfirmed");
    expect(out.events.map((e) => e.event)).toEqual(["subscription_failure"]);
    expect(nextWakeAt(out.sub)).toBeNull();
  });

  it("charges initial_amount first and amount afterwards", () => {
    const { sub, actions } = create(body({ initial_amount: 500 }), now);
    expect(actions[0]).toMatchObject({ kind: "charge", amount: 500 });
    const active = applyChargeResult(sub, actions[0]?.paymentId ?? "", "successful", now).sub;
    expect(toApiObject(active)).toMatchObject({ initial_amount: 500, next_payment: { amount: 1000, due_date: "2024-07-26" } });
  });

  it("only registers the card when initial_amount is 0", () => {
    const { sub, actions } = create(body({ initial_amount: 0 }), now);
    expect(actions).toEqual([expect.objectContaining({ kind: "verify_card", transactionTokenId: sub.transactionTokenId })]);
    const out = applyChargeResult(sub, actions[0]?.paymentId ?? "", "successful", now);
    expect(out.sub.status).toBe("current");
    expect(out.events).toEqual([]);
    expect(toApiObject(out.sub)["next_payment"]).toMatchObject({ amount: 1000, due_date: "2024-07-26" });
  });

  it("starts the cycle at capture for an auth-only first charge", () => {
    const { sub, actions } = create(body({ first_charge_authorization_only: true, first_charge_capture_after: "P3D" }), now);
    expect(actions[0]).toMatchObject({ authorizationOnly: true, captureAfter: "P3D" });
    const id = actions[0]?.paymentId ?? "";
    const authorized = applyChargeResult(sub, id, "authorized", now).sub;
    expect(authorized.status).toBe("authorized");
    const captured = applyChargeResult(authorized, id, "successful", tokyo("2024-06-29")).sub;
    expect(captured.status).toBe("current");
    expect(nextDue(captured)).toBe("2024-07-29");
  });

  it("completes an installment plan with its single card-company charge", () => {
    const { sub, actions } = create(body({ amount: 30000, installment_plan: { plan_type: "fixed_cycles", fixed_cycles: 3 } }), now);
    expect(actions[0]).toMatchObject({ amount: 30000, installmentPlan: { planType: "fixed_cycles", fixedCycles: 3 } });
    const out = applyChargeResult(sub, actions[0]?.paymentId ?? "", "successful", now);
    expect(out.sub.status).toBe("completed");
    expect(out.events.map((e) => e.event)).toEqual(["subscription_payment", "subscription_completed"]);
  });

  it("throws on a result for a payment that has no charge in flight (a wiring bug)", () => {
    const active = createActive(body(), now);
    expect(() => applyChargeResult(active, "nope", "successful", now)).toThrow(/no charge in flight/);
  });
});

describe("run times", () => {
  it.each([
    ["daily plan", body({ period: "daily" }), "2024-06-27T00:00:00.000Z"],
    ["cyclical P1D", body({ period: undefined, cyclical_period: "P1D" }), "2024-06-27T00:00:00.000Z"],
    ["start_on = creation + 1 day", body({ schedule_settings: { start_on: "2024-06-27" } }), "2024-06-27T00:00:00.000Z"],
    ["start_on = creation + 2 days", body({ schedule_settings: { start_on: "2024-06-28" } }), "2024-06-27T22:00:00.000Z"],
    ["weekly", body({ period: "weekly" }), "2024-07-02T22:00:00.000Z"],
  ])("%s runs at the right local hour", (_name, input, wake) => {
    expect(nextWakeAt(createActive(input, tokyo("2024-06-26")))?.toISOString()).toBe(wake);
  });

  it("uses start_on as the 2nd payment and cycles from it", () => {
    const active = createActive(body({ schedule_settings: { start_on: "2024-07-10" } }), tokyo("2024-06-26"));
    expect(nextDue(active)).toBe("2024-07-10");
    const { sub, log } = runUntil(active, tokyo("2024-09-30"), () => "successful");
    expect(log.map((l) => l.tokyoDate)).toEqual(["2024-07-10", "2024-08-10", "2024-09-10"]);
    expect(nextDue(sub)).toBe("2024-10-10");
  });

  it("keeps month-ends with preserve_end_of_month", () => {
    const keep = createActive(body({ schedule_settings: { start_on: "2024-06-30", preserve_end_of_month: true } }), tokyo("2024-06-10"));
    const plain = createActive(body({ schedule_settings: { start_on: "2024-06-30", preserve_end_of_month: false } }), tokyo("2024-06-10"));
    expect(runUntil(keep, tokyo("2024-09-01"), () => "successful").log.map((l) => l.tokyoDate)).toEqual(["2024-06-30", "2024-07-31", "2024-08-31"]);
    expect(runUntil(plain, tokyo("2024-09-01"), () => "successful").log.map((l) => l.tokyoDate)).toEqual(["2024-06-30", "2024-07-30", "2024-08-30"]);
  });

  it("hands a due charge out once only", () => {
    const active = createActive(body(), tokyo("2024-06-26"));
    const first = advanceSubscription(active, tokyo("2024-07-26", "07:00"));
    expect(first.actions).toHaveLength(1);
    expect(advanceSubscription(first.sub, tokyo("2024-07-26", "07:05")).actions).toEqual([]);
    expect(advanceSubscription(active, tokyo("2024-07-26", "06:59")).actions).toEqual([]);
  });

  it("lists payments newest first", () => {
    const active = createActive(body(), tokyo("2024-06-26"));
    expect(listPayments(active).map((p) => [p["due_date"], p["is_paid"]])).toEqual([
      ["2024-07-26", false],
      ["2024-06-26", true],
    ]);
  });
});

describe("retries", () => {
  const active = createActive(body(), tokyo("2024-05-01"));

  it("retries every 10 days for monthly with 3 attempts and returns to the cycle (doc: 6/1, 6/11, 6/21 ok → 7/1)", () => {
    const { sub, log } = runUntil(active, tokyo("2024-06-30"), failOn("2024-06-01", "2024-06-11"));
    expect(log.map((l) => [l.tokyoDate, l.result, l.statusAfter, l.events.join()])).toEqual([
      ["2024-06-01", "failed", "unpaid", "subscription_failure"],
      ["2024-06-11", "failed", "unpaid", "subscription_failure"],
      ["2024-06-21", "successful", "current", "subscription_payment"],
    ]);
    expect(nextDue(sub)).toBe("2024-07-01");
  });

  it("shows the original due date and the retry date while unpaid", () => {
    const { sub } = runUntil(active, tokyo("2024-06-05"), allFail);
    expect(toApiObject(sub)).toMatchObject({ status: "unpaid", next_payment: { due_date: "2024-06-01", retry_date: "2024-06-11" } });
  });

  it("suspends at once when the retry count (including the first attempt) is used up", () => {
    const { sub, log } = runUntil(active, tokyo("2024-12-31"), allFail);
    expect(log.map((l) => [l.tokyoDate, l.statusAfter])).toEqual([
      ["2024-06-01", "unpaid"],
      ["2024-06-11", "unpaid"],
      ["2024-06-21", "suspended"],
    ]);
    expect(log[2]?.events).toEqual(["subscription_suspended"]);
    expect(nextWakeAt(sub)).toBeNull();
    expect(nextRetry(sub)).toBeNull();
  });

  it("resets the counter after a successful retry", () => {
    const { log } = runUntil(active, tokyo("2024-07-31"), failOn("2024-06-01", "2024-06-11", "2024-07-01", "2024-07-11", "2024-07-21"));
    expect(log.map((l) => [l.tokyoDate, l.statusAfter])).toEqual([
      ["2024-06-01", "unpaid"],
      ["2024-06-11", "unpaid"],
      ["2024-06-21", "current"],
      ["2024-07-01", "unpaid"],
      ["2024-07-11", "unpaid"],
      ["2024-07-21", "suspended"],
    ]);
  });

  it("uses floor(30 ÷ 4) = 7 days when the store retry count is 4 (doc: 1/23 fail → 1/30)", () => {
    const sub4 = createActive(body(), tokyo("2023-12-23"), 4);
    const { sub, log } = runUntil(sub4, tokyo("2024-01-29"), allFail);
    expect(log.map((l) => l.tokyoDate)).toEqual(["2024-01-23"]);
    expect(nextRetry(sub)).toBe("2024-01-30");
  });

  it("uses schedule_settings.retry_interval when given", () => {
    const custom = createActive(body({ schedule_settings: { retry_interval: "P3D" } }), tokyo("2024-05-01"));
    expect(runUntil(custom, tokyo("2024-06-30"), allFail).log.map((l) => l.tokyoDate)).toEqual(["2024-06-01", "2024-06-04", "2024-06-07"]);
  });

  it.each([
    ["a manual date after the retry date wins", "2024-02-05", "2024-02-05"],
    ["the retry date wins over an earlier manual date", "2024-01-25", "2024-01-30"],
  ])("%s", (_name, manual, runDate) => {
    const { sub } = runUntil(createActive(body(), tokyo("2023-12-23"), 4), tokyo("2024-01-24"), allFail);
    const paymentId = String((toApiObject(sub)["next_payment"] as Record<string, unknown>)["id"]);
    const moved = updateScheduledPayment(sub, paymentId, { due_date: manual }, tokyo("2024-01-24"));
    if (!moved.ok) throw new Error(moved.code);
    expect(nextRetry(moved.sub)).toBe(runDate);
    expect(runUntil(moved.sub, tokyo("2024-02-10"), () => "successful").log.map((l) => l.tokyoDate)).toEqual([runDate]);
  });
});

describe("fixed plans", () => {
  it("splits fixed_cycles evenly, counting the first charge, and completes on the total", () => {
    const { sub: created, actions } = create(body({ amount: 10000, subscription_plan: { plan_type: "fixed_cycles", fixed_cycles: 3 } }), tokyo("2024-06-26"));
    expect(actions[0]).toMatchObject({ amount: 3333 });
    const active = applyChargeResult(created, actions[0]?.paymentId ?? "", "successful", tokyo("2024-06-26")).sub;
    expect(toApiObject(active)).toMatchObject({ amount_left: 6667, payments_left: 2, cycles_left: 2, next_payment: { amount: 3333, is_last_payment: false } });
    const { sub, log, events } = runUntil(active, tokyo("2025-12-31"), () => "successful");
    expect(log.map((l) => l.tokyoDate)).toEqual(["2024-07-26", "2024-08-26"]);
    expect(sub.status).toBe("completed");
    expect(events.map((e) => e.event)).toEqual(["subscription_payment", "subscription_payment", "subscription_completed"]);
    expect(listPayments(sub).map((p) => p["amount"])).toEqual([3334, 3333, 3333]);
    expect(toApiObject(sub)).toMatchObject({ amount_left: 0, payments_left: 0, next_payment: null });
  });

  it("charges fixed_cycle_amount until the total, the last charge being the remainder", () => {
    const active = createActive(body({ amount: 10000, subscription_plan: { plan_type: "fixed_cycle_amount", fixed_cycle_amount: 3000 } }), tokyo("2024-06-26"));
    const { sub } = runUntil(active, tokyo("2025-12-31"), () => "successful");
    expect(
      listPayments(sub)
        .reverse()
        .map((p) => [p["amount"], p["is_last_payment"]]),
    ).toEqual([
      [3000, false],
      [3000, false],
      [3000, false],
      [1000, true],
    ]);
    expect(sub.status).toBe("completed");
  });
});
