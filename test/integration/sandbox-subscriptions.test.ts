/* Subscriptions over real HTTP on the sandbox's manual clock: the pure engine wired to real
 * charges (test cards decide), the clock (07:00 Asia/Tokyo runs, retries) and webhooks. */
import { createManualClock, createSandbox, type Sandbox } from "../../src/sandbox/sandbox";
import { createSandboxClient, type SandboxClient } from "../../src/sandbox/testing/sandbox-client";
import { startWebhookReceiver, type WebhookReceiver } from "../../src/sandbox/testing/webhook-receiver";

const DAY = 86_400_000;
const SUBSCRIPTION_EVENTS = [
  "subscription_created",
  "subscription_payment",
  "subscription_failure",
  "subscription_suspended",
  "subscription_canceled",
  "subscription_completed",
  "charge_finished",
];
const OK_CARD = "4000020000000000";
const FAIL_CARD = "4111111111111111";

type Json = Record<string, unknown>;

describe("sandbox subscriptions over HTTP", () => {
  let sandbox: Sandbox;
  let api: SandboxClient;
  let receiver: WebhookReceiver;
  let storeId: string;
  let base: string;

  beforeEach(async () => {
    // 2025-01-06T00:00Z = 09:00 in Tokyo.
    sandbox = createSandbox({ clock: createManualClock(), rateLimits: false });
    base = (await sandbox.listen(0)).url;
    api = createSandboxClient(base, sandbox.demo);
    storeId = sandbox.demo.storeId;
    receiver = await startWebhookReceiver([200]);
    const hook = await api.request("POST", "/webhooks", { body: { url: receiver.url, triggers: SUBSCRIPTION_EVENTS } });
    expect(hook.status).toBe(201);
  });

  afterEach(async () => {
    await sandbox.close();
    await receiver.close();
  });

  async function token(card: string, type: "subscription" | "recurring" | "one_time" = "subscription", data: Json = {}): Promise<string> {
    const res = await api.request("POST", "/tokens", {
      body: {
        payment_type: "card",
        type,
        email: "hanako@example.com",
        data: { cardholder: "HANAKO YAMADA", card_number: card, exp_month: 12, exp_year: 2099, cvv: "123", ...data },
      },
    });
    expect(res.status).toBe(201);
    return String(res.body?.["id"]);
  }

  async function subscribe(extra: Json = {}, card = OK_CARD): Promise<Json> {
    const res = await api.request("POST", "/subscriptions", {
      body: { transaction_token_id: await token(card), amount: 1000, currency: "JPY", period: "monthly", ...extra },
    });
    expect(res.status).toBe(201);
    return res.body as Json;
  }

  const get = async (path: string): Promise<Json> => {
    const res = await api.request("GET", path);
    expect(res.status).toBe(200);
    return res.body as Json;
  };
  const sub = (id: unknown): Promise<Json> => get(`/stores/${storeId}/subscriptions/${String(id)}`);
  const items = (page: Json): Json[] => page["items"] as Json[];
  const chargesOf = async (id: unknown): Promise<Json[]> => items(await get(`/stores/${storeId}/subscriptions/${String(id)}/charges?cursor_direction=asc`));
  const events = (): string[] => receiver.received.map((r) => String(r.body["event"]));
  const lastEvent = (name: string): Json | undefined => [...receiver.received].reverse().find((r) => r.body["event"] === name)?.body;
  /** Settles the first charge (settleDelayMs 200) and delivers the webhooks it fired. */
  const settle = (): Promise<void> => sandbox.clock.advance(1000);

  it("charges the first payment at once, becomes current, and fires subscription_payment with the subscription", async () => {
    const created = await subscribe({ metadata: { "univapay-customer-id": "c-1", plan: "gold" } });
    expect(created).toMatchObject({
      status: "unverified",
      amount: 1000,
      period: "monthly",
      mode: "test",
      store_id: storeId,
      next_payment: { due_date: "2025-01-06", is_paid: false },
    });
    await settle();
    expect(await sub(created["id"])).toMatchObject({ status: "current", next_payment: { due_date: "2025-02-06", amount: 1000, is_paid: false } });
    expect(events()).toEqual(["subscription_created", "subscription_payment"]);
    expect(lastEvent("subscription_created")?.["data"]).toMatchObject({ id: created["id"], status: "unverified" });
    expect(lastEvent("subscription_payment")?.["data"]).toMatchObject({ id: created["id"], status: "current", metadata: { plan: "gold" } });
    const [charge] = await chargesOf(created["id"]);
    expect(charge).toMatchObject({
      subscription_id: created["id"],
      status: "successful",
      charged_amount: 1000,
      transaction_token_type: "subscription",
      metadata: { "univapay-customer-id": "c-1", plan: "gold" },
      created_on: "2025-01-06T00:00:00.000Z",
    });
  });

  it("runs the second charge one month later at 07:00 Asia/Tokyo and lists payments and charges", async () => {
    const created = await subscribe();
    await settle();
    await sandbox.clock.advance(31 * DAY);
    const charges = await chargesOf(created["id"]);
    expect(charges.map((c) => [c["created_on"], c["status"]])).toEqual([
      ["2025-01-06T00:00:00.000Z", "successful"],
      ["2025-02-05T22:00:00.000Z", "successful"], // 2025-02-06 07:00 JST
    ]);
    expect(await sub(created["id"])).toMatchObject({ status: "current", next_payment: { due_date: "2025-03-06" } });
    expect(events().filter((e) => e === "subscription_payment")).toHaveLength(2);
    expect(events()).not.toContain("charge_finished"); // I12: reported through subscription_* only

    const payments = await get(`/stores/${storeId}/subscriptions/${String(created["id"])}/payments`);
    expect(payments["has_more"]).toBe(false);
    expect(items(payments).map((p) => [p["due_date"], p["is_paid"]])).toEqual([
      ["2025-03-06", false],
      ["2025-02-06", true],
      ["2025-01-06", true],
    ]);
    const paid = items(payments)[1];
    expect(await get(`/stores/${storeId}/subscriptions/${String(created["id"])}/payments/${String(paid?.["id"])}`)).toMatchObject({
      due_date: "2025-02-06",
      successful_payment_date: "2025-02-06",
    });
    const ofPayment = await get(`/stores/${storeId}/subscriptions/${String(created["id"])}/payments/${String(paid?.["id"])}/charges`);
    expect(items(ofPayment).map((c) => c["created_on"])).toEqual(["2025-02-05T22:00:00.000Z"]);
    expect((await api.request("GET", `/stores/${storeId}/subscriptions/${String(created["id"])}/payments/00000000-0000-0000-0000-000000000000`)).status).toBe(
      404,
    );
  });

  it("becomes unconfirmed when the first charge fails (recurring token on 4111…1111: error 309) and never runs again", async () => {
    const res = await api.request("POST", "/subscriptions", {
      body: { transaction_token_id: await token(FAIL_CARD, "recurring"), amount: 500, currency: "JPY", period: "weekly" },
    });
    expect(res.status).toBe(201);
    await settle();
    const id = res.body?.["id"];
    expect(await sub(id)).toMatchObject({ status: "unconfirmed" });
    expect(events()).toEqual(["subscription_created", "subscription_failure"]);
    expect(lastEvent("subscription_failure")?.["data"]).toMatchObject({ status: "unconfirmed" });
    await sandbox.clock.advance(30 * DAY);
    const charges = await chargesOf(id);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ status: "failed", transaction_token_type: "recurring", error: { code: 309 } });
  });

  it("retries a card that starts failing every 10 days (30 ÷ 3), then suspends with subscription_suspended", async () => {
    const created = await subscribe();
    await settle();
    const id = String(created["id"]);
    // A subscription token: a test-mode recurring one would vanish after a month (§6) before the retries.
    const patched = await api.request("PATCH", `/stores/${storeId}/subscriptions/${id}`, { body: { transaction_token_id: await token(FAIL_CARD) } });
    expect(patched.status).toBe(200);

    await sandbox.clock.advance(31 * DAY); // 02-06 fails
    expect(await sub(id)).toMatchObject({ status: "unpaid", next_payment: { due_date: "2025-02-06", retry_date: "2025-02-16" } });
    expect(lastEvent("subscription_failure")?.["data"]).toMatchObject({ status: "unpaid" });
    await sandbox.clock.advance(10 * DAY); // 02-16 fails
    expect(await sub(id)).toMatchObject({ status: "unpaid", next_payment: { retry_date: "2025-02-26" } });
    await sandbox.clock.advance(10 * DAY); // 02-26 fails: 3 attempts incl. the first → suspended
    expect(await sub(id)).toMatchObject({ status: "suspended", next_payment: { retry_date: null } });
    expect(events().slice(2)).toEqual(["subscription_failure", "subscription_failure", "subscription_suspended"]);
    expect(lastEvent("subscription_suspended")?.["data"]).toMatchObject({ id, status: "suspended" });

    await sandbox.clock.advance(60 * DAY);
    const charges = await chargesOf(id);
    expect(charges.map((c) => [c["created_on"], c["status"]])).toEqual([
      ["2025-01-06T00:00:00.000Z", "successful"],
      ["2025-02-05T22:00:00.000Z", "failed"],
      ["2025-02-15T22:00:00.000Z", "failed"],
      ["2025-02-25T22:00:00.000Z", "failed"],
    ]);
  });

  it("suspends and resumes by PATCH: resumed before the due date it charges on that date", async () => {
    const id = String((await subscribe())["id"]);
    await settle();
    const suspended = await api.request("PATCH", `/stores/${storeId}/subscriptions/${id}`, { body: { status: "suspended" } });
    expect(suspended.body).toMatchObject({ status: "suspended" });
    await sandbox.clock.advance(10 * DAY);
    expect(lastEvent("subscription_suspended")?.["data"]).toMatchObject({ id, status: "suspended" });
    const resumed = await api.request("PATCH", `/stores/${storeId}/subscriptions/${id}`, { body: { status: "unpaid" } });
    expect(resumed.body).toMatchObject({ status: "unpaid", next_payment: { due_date: "2025-02-06", retry_date: null } });
    await sandbox.clock.advance(22 * DAY);
    expect(await sub(id)).toMatchObject({ status: "current", next_payment: { due_date: "2025-03-06" } });
    expect(await chargesOf(id)).toHaveLength(2);
  });

  it("resumed after a missed due date skips to the next cycle date without charging (status current accepted too)", async () => {
    const id = String((await subscribe())["id"]);
    await settle();
    await api.request("PATCH", `/stores/${storeId}/subscriptions/${id}`, { body: { status: "suspended" } });
    await sandbox.clock.advance(40 * DAY); // past 02-06
    expect(await chargesOf(id)).toHaveLength(1);
    const resumed = await api.request("PATCH", `/stores/${storeId}/subscriptions/${id}`, { body: { status: "current" } });
    expect(resumed.body).toMatchObject({ status: "unpaid", next_payment: { due_date: "2025-03-06" } });
    await sandbox.clock.advance(DAY);
    expect(await chargesOf(id)).toHaveLength(1);
  });

  it("cancels with DELETE (204), fires subscription_canceled, stops charging and refuses later changes", async () => {
    const id = String((await subscribe())["id"]);
    await settle();
    const del = await api.request("DELETE", `/stores/${storeId}/subscriptions/${id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    await sandbox.clock.advance(40 * DAY);
    expect(await sub(id)).toMatchObject({ status: "canceled", next_payment: null });
    expect(lastEvent("subscription_canceled")?.["data"]).toMatchObject({ id, status: "canceled" });
    expect(await chargesOf(id)).toHaveLength(1);
    const patch = await api.request("PATCH", `/stores/${storeId}/subscriptions/${id}`, { body: { amount: 2000 } });
    expect(patch.status).toBe(400);
    expect(patch.body).toMatchObject({ code: "CANNOT_CHANGE_CANCELED_SUBSCRIPTION" });
    expect((await api.request("DELETE", `/stores/${storeId}/subscriptions/${id}`)).body).toMatchObject({ code: "SUBSCRIPTION_ALREADY_CANCELED" });
  });

  it("completes a fixed_cycles plan after its last payment with subscription_completed", async () => {
    const id = String((await subscribe({ amount: 3000, subscription_plan: { plan_type: "fixed_cycles", fixed_cycles: 3 } }))["id"]);
    await settle();
    expect(await sub(id)).toMatchObject({ status: "current", payments_left: 2, amount_left: 2000 });
    await sandbox.clock.advance(60 * DAY);
    expect(await sub(id)).toMatchObject({ status: "completed", next_payment: null, payments_left: 0, amount_left: 0 });
    expect(events().filter((e) => e.startsWith("subscription_"))).toEqual([
      "subscription_created",
      "subscription_payment",
      "subscription_payment",
      "subscription_payment",
      "subscription_completed",
    ]);
    expect(lastEvent("subscription_completed")?.["data"]).toMatchObject({ id, status: "completed" });
    expect((await chargesOf(id)).map((c) => c["charged_amount"])).toEqual([1000, 1000, 1000]);
  });

  it("holds a polling GET while unverified and returns once the first charge settles", async () => {
    const created = await subscribe();
    const held = new Promise((r) => sandbox.onPollHeld(r));
    const poll = api.request("GET", `/stores/${storeId}/subscriptions/${String(created["id"])}?polling=true`);
    expect(await held).toBe(created["id"]);
    await sandbox.clock.advance(200);
    expect((await poll).body).toMatchObject({ status: "current" });
  });

  it("captures an auth-only first charge after first_charge_capture_after and starts the cycle on that day", async () => {
    const id = String((await subscribe({ first_charge_authorization_only: true, first_charge_capture_after: "P2D" }))["id"]);
    await settle();
    expect(await sub(id)).toMatchObject({ status: "authorized" });
    expect((await chargesOf(id))[0]).toMatchObject({ status: "authorized" });
    await sandbox.clock.advance(2 * DAY);
    expect(await sub(id)).toMatchObject({ status: "current", next_payment: { due_date: "2025-02-08" } });
    expect((await chargesOf(id))[0]).toMatchObject({ status: "successful", charged_amount: 1000 });
    expect(events()).toEqual(["subscription_created", "subscription_payment"]);
  });

  it("registers the card only for initial_amount 0 with a CVV-authorized recurring token", async () => {
    const tokenId = await token(OK_CARD, "recurring", { cvv_authorize: { enabled: true, currency: "JPY" } });
    const res = await api.request("POST", "/subscriptions", {
      body: { transaction_token_id: tokenId, amount: 800, initial_amount: 0, currency: "JPY", period: "monthly" },
    });
    expect(res.status).toBe(201);
    await settle(); // the CVV authorization settles, then the subscription
    expect(await sub(res.body?.["id"])).toMatchObject({ status: "current", next_payment: { due_date: "2025-02-06", amount: 800 } });
    expect(await chargesOf(res.body?.["id"])).toEqual([]);
    expect(events()).toEqual(["subscription_created"]);
  });

  it("checks the token: type, store, single use, CVV authorization, and validates the body like the rest of the API", async () => {
    const create = (body: Json) => api.request("POST", "/subscriptions", { body: { amount: 1000, currency: "JPY", period: "monthly", ...body } });
    const oneTime = await create({ transaction_token_id: await token(OK_CARD, "one_time") });
    expect([oneTime.status, oneTime.body?.["code"]]).toEqual([400, "NOT_SUBSCRIPTION_TOKEN"]);

    const other = sandbox.createStore({ name: "other", mode: "test", pci: true, recurringPrivilege: "infinite" });
    const otherToken = await createSandboxClient(base, other).request("POST", "/tokens", {
      body: {
        payment_type: "card",
        type: "subscription",
        email: "a@example.com",
        data: { cardholder: "TARO YAMADA", card_number: OK_CARD, exp_month: 12, exp_year: 2099, cvv: "123" },
      },
    });
    expect((await create({ transaction_token_id: otherToken.body?.["id"] })).body?.["code"]).toBe("TOKEN_FOR_WRONG_STORE");

    const subToken = await token("4242424242424242");
    expect((await create({ transaction_token_id: subToken })).status).toBe(201);
    expect((await create({ transaction_token_id: subToken })).body?.["code"]).toBe("TRANSACTION_ALREADY_PROCESSED");
    // Using the subscription token lifted the one-active-subscription-token-per-card block.
    expect(await token("4242424242424242")).toEqual(expect.any(String));

    // A rejected create does not use the token, so each case below needs a card of its own.
    const unused = await token(OK_CARD);
    expect((await create({ transaction_token_id: unused, initial_amount: 0 })).body?.["code"]).toBe("NOT_RECURRING_TOKEN");
    expect(
      (
        await api.request("POST", "/tokens", {
          body: {
            payment_type: "card",
            type: "subscription",
            email: "a@example.com",
            data: { cardholder: "TARO YAMADA", card_number: OK_CARD, exp_month: 12, exp_year: 2099, cvv: "123" },
          },
        })
      ).status,
    ).toBe(409);
    expect((await create({ transaction_token_id: await token(OK_CARD, "recurring"), initial_amount: 0 })).body?.["code"]).toBe(
      "CVV_AUTHORIZATION_NOT_COMPLETED",
    );

    const bad = await create({
      transaction_token_id: await token("5555555555554444"),
      period: undefined,
      schedule_settings: { zone_id: "Mars/Base" },
      metadata: { deep: { x: 1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: "VALIDATION_ERROR", errors: [{ field: "deep", reason: "NESTED_JSON_NOT_ALLOWED" }] });
    const bad2 = await create({ transaction_token_id: await token("6011111111111117"), period: undefined, schedule_settings: { zone_id: "Mars/Base" } });
    expect(bad2.body?.["errors"]).toEqual(
      expect.arrayContaining([
        { field: "period", reason: "REQUIRED_VALUE" },
        { field: "zone_id", reason: "INVALID_TIME_ZONE" },
      ]),
    );
    expect((await api.request("GET", `/stores/${storeId}/subscriptions/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    expect((await api.request("GET", `/stores/${other.storeId}/subscriptions`)).status).toBe(403);
  });

  it("lists subscriptions newest first with list-only fields and status/statuses[]/search/mode filters", async () => {
    const a = String((await subscribe({ metadata: { customer: "alice-01" } }))["id"]);
    const b = String((await subscribe({ metadata: { customer: "bob-02" } }))["id"]);
    await settle();
    await api.request("PATCH", `/stores/${storeId}/subscriptions/${a}`, { body: { status: "suspended" } });
    const all = await get("/subscriptions");
    expect(all).toMatchObject({ has_more: false, total_hits: 2 });
    expect(items(all).map((s) => s["id"])).toEqual([b, a]);
    expect(items(all)[0]).toMatchObject({
      store_name: "Sandbox demo store",
      payment_type: "card",
      next_payment_date: "2025-02-06",
      user_data: { type: "charge", cardholder_name: "HANAKO YAMADA", brand: "visa" },
    });
    const ids = async (q: string): Promise<unknown[]> => items(await get(`/stores/${storeId}/subscriptions?${q}`)).map((s) => s["id"]);
    expect(await ids("status=suspended")).toEqual([a]);
    expect(await ids("statuses[]=current&statuses[]=suspended")).toEqual([b, a]);
    expect(await ids("search=BOB")).toEqual([b]);
    expect(await ids("mode=live")).toEqual([]);
    expect(await ids(`limit=10&cursor=${b}`)).toEqual([a]);
    expect((await api.request("GET", "/subscriptions?status=nope")).status).toBe(400);
  });

  it("moves the next payment with PATCH …/payments/{id} (due_date) and runs it on the new date", async () => {
    const id = String((await subscribe())["id"]);
    await settle();
    const next = (await sub(id))["next_payment"] as Json;
    const moved = await api.request("PATCH", `/stores/${storeId}/subscriptions/${id}/payments/${String(next["id"])}`, { body: { due_date: "2025-01-20" } });
    expect(moved.body).toMatchObject({ id: next["id"], due_date: "2025-01-20" });
    await sandbox.clock.advance(14 * DAY); // 2025-01-20T00:00Z, past 07:00 JST on the 20th
    expect((await chargesOf(id)).map((c) => c["created_on"])).toEqual(["2025-01-06T00:00:00.000Z", "2025-01-19T22:00:00.000Z"]);
  });
});
