import { cancelSubscription, listPayments, nextWakeAt, patchSubscription, toApiObject, type SubscriptionState } from "../../../src/sandbox/subscriptions";
import { body, create, createActive, nextDue, nextRetry, runUntil, tokyo, TOKEN_ID } from "./engine-harness";

const NEW_TOKEN = "11ef3362-3700-c54a-9baa-6f7e6527c9d9";

function patch(sub: SubscriptionState, p: unknown, now: Date): SubscriptionState {
  const r = patchSubscription(sub, p, now);
  if (!r.ok) throw new Error(`patch failed: ${r.code} ${JSON.stringify(r.errors ?? [])}`);
  return r.sub;
}

describe("pause and resume", () => {
  // Doc: monthly on the 1st, 8/1 charged, paused 8/15 with next 9/1.
  const active = createActive(body(), tokyo("2024-08-01"));
  const paused = patchSubscription(active, { status: "suspended" }, tokyo("2024-08-15"));

  it("pauses at once with termination_mode immediate", () => {
    expect(paused).toMatchObject({ ok: true, events: [expect.objectContaining({ event: "subscription_suspended" })] });
    if (!paused.ok) return;
    expect(paused.sub.status).toBe("suspended");
    expect(nextWakeAt(paused.sub)).toBeNull();
  });

  it.each([["unpaid"], ["current"]])("resumes with status=%s to the nearest future cycle date, skipping missed ones (10/2 → 11/1)", (status) => {
    if (!paused.ok) throw new Error();
    const resumed = patch(paused.sub, { status }, tokyo("2024-10-02"));
    expect(toApiObject(resumed)).toMatchObject({ status: "unpaid", next_payment: { due_date: "2024-11-01", retry_date: null } });
    const { log } = runUntil(resumed, tokyo("2024-11-30"), () => "successful");
    expect(log.map((l) => [l.tokyoDate, l.statusAfter])).toEqual([["2024-11-01", "current"]]);
  });

  it("keeps a next date that is still ahead", () => {
    if (!paused.ok) throw new Error();
    expect(nextDue(patch(paused.sub, { status: "unpaid" }, tokyo("2024-08-20")))).toBe("2024-09-01");
  });

  it("charges immediately when resumed on the cycle day (doc: paused with next 2/1, resumed 2/1)", () => {
    const jan = createActive(body(), tokyo("2024-01-01"));
    const p = patch(jan, { status: "suspended" }, tokyo("2024-01-23"));
    const same = patch(p, { status: "current" }, tokyo("2024-02-01", "13:00"));
    expect(nextDue(same)).toBe("2024-02-01");
    expect(nextWakeAt(same)!.getTime()).toBeLessThanOrEqual(tokyo("2024-02-01", "13:00").getTime());
    expect(nextDue(patch(p, { status: "current" }, tokyo("2024-02-02")))).toBe("2024-03-01");
  });

  it("does not charge twice on the resume day when a charge already ran that day", () => {
    // Retry count 1: the 9/1 failure suspends at once; resumed the same afternoon.
    const one = createActive(body(), tokyo("2024-08-01"), 1);
    const { sub: suspended, log } = runUntil(one, tokyo("2024-09-01", "12:00"), () => "failed");
    expect(log.map((l) => l.statusAfter)).toEqual(["suspended"]);
    expect(nextDue(patch(suspended, { status: "unpaid" }, tokyo("2024-09-01", "15:00")))).toBe("2024-10-01");
  });

  it("drops the retry date when a subscription paused during retry-wait is resumed", () => {
    const monthly = createActive(body(), tokyo("2024-05-01"));
    const { sub: unpaid } = runUntil(monthly, tokyo("2024-06-05"), () => "failed");
    expect(nextRetry(unpaid)).toBe("2024-06-11");
    const resumed = patch(patch(unpaid, { status: "suspended" }, tokyo("2024-06-05")), { status: "unpaid" }, tokyo("2024-06-08"));
    expect(toApiObject(resumed)).toMatchObject({ status: "unpaid", next_payment: { due_date: "2024-07-01", retry_date: null } });
    expect(resumed.failedAttempts).toBe(0);
  });

  it("appends unpaid cycles to the end of a fixed-count plan (doc: 5 cycles from 8/1, paused 8/15, resumed 10/2)", () => {
    const plan = createActive(body({ amount: 5000, subscription_plan: { plan_type: "fixed_cycles", fixed_cycles: 5 } }), tokyo("2024-08-01"));
    const resumed = patch(patch(plan, { status: "suspended" }, tokyo("2024-08-15")), { status: "unpaid" }, tokyo("2024-10-02"));
    const { sub, log } = runUntil(resumed, tokyo("2025-12-31"), () => "successful");
    expect(log.map((l) => l.tokyoDate)).toEqual(["2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01"]);
    expect(sub.status).toBe("completed");
    expect(listPayments(sub).map((p) => [p["due_date"], p["is_last_payment"]])[0]).toEqual(["2025-02-01", true]);
  });
});

describe("termination_mode on_next_payment", () => {
  const active = createActive(body({ schedule_settings: { termination_mode: "on_next_payment" } }), tokyo("2024-08-01"));

  it("defers a pause to the next run date and skips that charge", () => {
    const pending = patch(active, { status: "suspended" }, tokyo("2024-08-15"));
    expect(pending.status).toBe("current");
    expect(listPayments(pending)[0]).toMatchObject({ due_date: "2024-09-01", terminate_with_status: "suspended" });
    const { sub, log } = runUntil(pending, tokyo("2024-12-31"), () => "successful");
    expect(log.map((l) => [l.tokyoDate, l.result, l.events.join()])).toEqual([["2024-09-01", "terminated", "subscription_suspended"]]);
    expect(sub.status).toBe("suspended");
  });

  it("defers DELETE the same way, ending canceled", () => {
    const r = cancelSubscription(active, tokyo("2024-08-15"));
    if (!r.ok) throw new Error(r.code);
    expect(r.events).toEqual([]);
    const { sub, events } = runUntil(r.sub, tokyo("2024-12-31"), () => "successful");
    expect(sub.status).toBe("canceled");
    expect(events.map((e) => e.event)).toEqual(["subscription_canceled"]);
  });

  it("counts a retry date as the next run date", () => {
    const retrying = runUntil(createActive(body(), tokyo("2024-05-01")), tokyo("2024-06-05"), () => "failed").sub;
    const pending = patch(retrying, { status: "suspended", schedule_settings: { termination_mode: "on_next_payment" } }, tokyo("2024-06-05"));
    const { log } = runUntil(pending, tokyo("2024-12-31"), () => "successful");
    expect(log.map((l) => [l.tokyoDate, l.statusAfter])).toEqual([["2024-06-11", "suspended"]]);
  });

  it("withdraws a deferred pause when resumed before it takes effect", () => {
    const back = patch(patch(active, { status: "suspended" }, tokyo("2024-08-15")), { status: "current" }, tokyo("2024-08-20"));
    expect(runUntil(back, tokyo("2024-09-30"), () => "successful").log.map((l) => l.result)).toEqual(["successful"]);
  });

  it("still suspends at once when retries run out", () => {
    const sub = createActive(body({ schedule_settings: { termination_mode: "on_next_payment" } }), tokyo("2024-05-01"));
    const { log } = runUntil(sub, tokyo("2024-12-31"), () => "failed");
    expect(log.map((l) => l.statusAfter)).toEqual(["unpaid", "unpaid", "suspended"]);
  });
});

describe("cancel and PATCH rules", () => {
  const active = createActive(body(), tokyo("2024-08-01"));

  it("cancels permanently: final, no schedule, no further changes", () => {
    const r = cancelSubscription(active, tokyo("2024-08-15"));
    if (!r.ok) throw new Error(r.code);
    expect(r.events.map((e) => e.event)).toEqual(["subscription_canceled"]);
    expect(toApiObject(r.sub)).toMatchObject({ status: "canceled", next_payment: null });
    expect(nextWakeAt(r.sub)).toBeNull();
    expect(patchSubscription(r.sub, { status: "unpaid" }, tokyo("2024-08-16"))).toEqual({ ok: false, code: "CANNOT_CHANGE_CANCELED_SUBSCRIPTION" });
    expect(patchSubscription(r.sub, { metadata: { a: 1 } }, tokyo("2024-08-16"))).toEqual({ ok: false, code: "CANNOT_CHANGE_CANCELED_SUBSCRIPTION" });
    expect(cancelSubscription(r.sub, tokyo("2024-08-16"))).toEqual({ ok: false, code: "SUBSCRIPTION_ALREADY_CANCELED" });
  });

  it("refuses an amount change on fixed plans and applies it to the next payment otherwise", () => {
    const plan = createActive(body({ subscription_plan: { plan_type: "fixed_cycles", fixed_cycles: 2 } }), tokyo("2024-08-01"));
    expect(patchSubscription(plan, { amount: 2000 }, tokyo("2024-08-02"))).toEqual({ ok: false, code: "CANNOT_CHANGE_INSTALLMENT_AMOUNT" });
    const changed = patch(active, { amount: 2000, metadata: { plan: "gold" } }, tokyo("2024-08-02"));
    expect(toApiObject(changed)).toMatchObject({ amount: 2000, metadata: { plan: "gold" }, next_payment: { amount: 2000 } });
  });

  it("changes the token only in unconfirmed, unpaid, current or suspended", () => {
    const { sub: unverified } = create(body(), tokyo("2024-08-01"));
    expect(patchSubscription(unverified, { transaction_token_id: NEW_TOKEN }, tokyo("2024-08-01"))).toEqual({ ok: false, code: "CANNOT_CHANGE_TOKEN" });
    expect(patch(active, { transaction_token_id: NEW_TOKEN }, tokyo("2024-08-02")).transactionTokenId).toBe(NEW_TOKEN);
    expect(active.transactionTokenId).toBe(TOKEN_ID); // the input state is never mutated
  });

  it("refuses pause/resume while the first charge is still processing", () => {
    const { sub: unverified } = create(body(), tokyo("2024-08-01"));
    expect(patchSubscription(unverified, { status: "suspended" }, tokyo("2024-08-01"))).toEqual({ ok: false, code: "SUBSCRIPTION_PROCESSING" });
  });

  it("reports validation errors as VALIDATION_ERROR with every field", () => {
    expect(patchSubscription(active, { amount: "x", status: "paused" }, tokyo("2024-08-02"))).toEqual({
      ok: false,
      code: "VALIDATION_ERROR",
      errors: [
        { field: "amount", reason: "INVALID_AMOUNT" },
        { field: "status", reason: "INVALID_FORMAT" },
      ],
    });
  });
});
