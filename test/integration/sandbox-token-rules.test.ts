/* Card and token rules over real HTTP on the manual clock: the §1.5 card lock, DELETE of a
 * recurring token still used by a subscription, the bounded recurring privilege, the one-month
 * life of test-mode recurring tokens (§6), the 30-s rule for subscription charges (§1.6) and live
 * mode before account review. */
import { createManualClock, createSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/sandbox";
import type { SandboxCredentials } from "../../src/sandbox/processing/store-registry";
import { createSandboxClient, type ApiResponse, type SandboxClient } from "../../src/sandbox/testing/sandbox-client";
import { startWebhookReceiver } from "../../src/sandbox/testing/webhook-receiver";

type Json = Record<string, unknown>;
const MIN = 60_000;
const DAY = 86_400_000;
const OK_CARD = "4000020000000000";
const FAIL_CARD = "4111111111111111";

describe("sandbox card and token rules over HTTP", () => {
  const open: Sandbox[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  async function start(
    opts: SandboxOptions = {},
    creds?: (s: Sandbox) => SandboxCredentials,
  ): Promise<{ sandbox: Sandbox; api: SandboxClient; url: string; storeId: string }> {
    const sandbox = createSandbox({ clock: createManualClock(), rateLimits: false, ...opts });
    open.push(sandbox);
    const { url } = await sandbox.listen(0);
    const c = creds ? creds(sandbox) : sandbox.demo;
    return { sandbox, api: createSandboxClient(url, c), url, storeId: c.storeId };
  }

  async function tokenOf(api: SandboxClient, card: string, type = "one_time", extra: Json = {}): Promise<string> {
    const res = await api.request("POST", "/tokens", {
      body: {
        payment_type: "card",
        type,
        email: "taro@example.com",
        data: { cardholder: "TARO YAMADA", card_number: card, exp_month: 12, exp_year: 2099, cvv: "123" },
        ...extra,
      },
    });
    expect(res.status).toBe(201);
    return String(res.body?.["id"]);
  }

  const chargeOn = (api: SandboxClient, tokenId: string, amount = 1000): Promise<ApiResponse> =>
    api.request("POST", "/charges", { body: { transaction_token_id: tokenId, amount, currency: "JPY" } });

  const subscribe = (api: SandboxClient, tokenId: string, amount = 1000): Promise<ApiResponse> =>
    api.request("POST", "/subscriptions", { body: { transaction_token_id: tokenId, amount, currency: "JPY", period: "monthly" } });

  it("locks a card for 2 h after 5 failed charges within 30 min (403 CARD_LOCKED), other cards unaffected", async () => {
    const { sandbox, api } = await start();
    for (let i = 0; i < 4; i++) {
      expect((await chargeOn(api, await tokenOf(api, FAIL_CARD))).status).toBe(201);
      await sandbox.clock.advance(MIN);
    }
    await sandbox.clock.advance(26 * MIN);
    expect((await chargeOn(api, await tokenOf(api, FAIL_CARD))).status).toBe(201);
    await sandbox.clock.advance(200); // fails 30 min after the first failure, which so leaves the window: 4 in it
    expect((await chargeOn(api, await tokenOf(api, FAIL_CARD))).status).toBe(201);
    await sandbox.clock.advance(200); // 5th failure within 30 min

    const locked = await chargeOn(api, await tokenOf(api, FAIL_CARD));
    expect(locked.status).toBe(403);
    expect(locked.body).toEqual({ status: "error", code: "CARD_LOCKED", errors: [] });
    expect((await chargeOn(api, await tokenOf(api, OK_CARD))).status).toBe(201);
    await sandbox.clock.advance(2 * 60 * MIN - 1000);
    expect((await chargeOn(api, await tokenOf(api, FAIL_CARD))).status).toBe(403);
    await sandbox.clock.advance(1000);
    expect((await chargeOn(api, await tokenOf(api, FAIL_CARD))).status).toBe(201);
  });

  it("does not lock test cards with cardLock: live-only", async () => {
    const { sandbox, api } = await start({ cardLock: "live-only" });
    for (let i = 0; i < 6; i++) {
      expect((await chargeOn(api, await tokenOf(api, FAIL_CARD))).status).toBe(201);
      await sandbox.clock.advance(200);
    }
  });

  it("refuses to DELETE a recurring token that a live subscription uses (ONGOING_SUBSCRIPTIONS_EXIST_FOR_TOKEN)", async () => {
    const { sandbox, api, storeId } = await start();
    const recurring = await tokenOf(api, OK_CARD, "recurring");
    const sub = await subscribe(api, recurring);
    expect(sub.status).toBe(201);
    await sandbox.clock.advance(200);
    const refused = await api.request("DELETE", `/stores/${storeId}/tokens/${recurring}`);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: "ONGOING_SUBSCRIPTIONS_EXIST_FOR_TOKEN" });
    expect((await api.request("GET", `/stores/${storeId}/tokens/${recurring}`)).status).toBe(200);

    // A subscription token stays deletable: the doc says its subscription then stops working.
    const subToken = await tokenOf(api, "5555555555554444", "subscription");
    expect((await subscribe(api, subToken)).status).toBe(201);
    expect((await api.request("DELETE", `/stores/${storeId}/tokens/${subToken}`)).status).toBe(204);

    expect((await api.request("DELETE", `/stores/${storeId}/subscriptions/${String(sub.body?.["id"])}`)).status).toBe(204);
    expect((await api.request("DELETE", `/stores/${storeId}/tokens/${recurring}`)).status).toBe(204);
  });

  it("allows one charge per usage_limit period with the bounded privilege (else RECURRING_TOKEN_DISABLED)", async () => {
    const { sandbox, api } = await start({}, (s) => s.createStore({ name: "bounded", mode: "test", pci: true, recurringPrivilege: "bounded" }));
    const daily = await tokenOf(api, OK_CARD, "recurring", { usage_limit: "daily" });
    expect((await chargeOn(api, daily, 100)).status).toBe(201);
    await sandbox.clock.advance(DAY - 1);
    const again = await chargeOn(api, daily, 200);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: "RECURRING_TOKEN_DISABLED" });
    await sandbox.clock.advance(1);
    expect((await chargeOn(api, daily, 200)).status).toBe(201);

    // A failed charge took no money, so it does not use the period.
    const failing = await tokenOf(api, FAIL_CARD, "recurring", { usage_limit: "monthly" });
    expect((await chargeOn(api, failing, 300)).status).toBe(201);
    await sandbox.clock.advance(200);
    expect((await chargeOn(api, failing, 400)).status).toBe(201);
  });

  it("removes a test-mode recurring token after one month: charges 404, refunds REFUND_NOT_ALLOWED, recurring_token_deleted", async () => {
    const { sandbox, api, storeId } = await start();
    const receiver = await startWebhookReceiver([200]);
    try {
      expect((await api.request("POST", "/webhooks", { body: { url: receiver.url, triggers: ["recurring_token_deleted"] } })).status).toBe(201);
      const recurring = await tokenOf(api, OK_CARD, "recurring");
      const oneTime = await tokenOf(api, "5555555555554444");
      const viaRecurring = await chargeOn(api, recurring);
      const viaOneTime = await chargeOn(api, oneTime);
      await sandbox.clock.advance(200);
      const refund = (c: ApiResponse): Promise<ApiResponse> =>
        api.request("POST", `/stores/${storeId}/charges/${String(c.body?.["id"])}/refunds`, { body: { amount: 100, currency: "JPY" } });
      expect((await refund(viaRecurring)).status).toBe(201);

      await sandbox.clock.advance(31 * DAY - 400); // 2025-01-06 + 1 month = 02-06, less than a tick
      expect((await api.request("GET", `/stores/${storeId}/tokens/${recurring}`)).status).toBe(200);
      await sandbox.clock.advance(200);
      expect((await api.request("GET", `/stores/${storeId}/tokens/${recurring}`)).status).toBe(404);
      expect((await chargeOn(api, recurring)).status).toBe(404);
      const refused = await refund(viaRecurring);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: "REFUND_NOT_ALLOWED" });
      expect((await refund(viaOneTime)).status).toBe(201);
      const [deleted] = await receiver.waitFor(1);
      expect(deleted?.body).toMatchObject({ event: "recurring_token_deleted", data: { id: recurring, active: false } });
    } finally {
      await receiver.close();
    }
  });

  it("keeps live-mode recurring tokens, and test ones with testRecurringTokenExpiry: false", async () => {
    const live = await start({}, (s) => s.createStore({ name: "live", mode: "live", pci: true, recurringPrivilege: "infinite" }));
    const liveToken = await tokenOf(live.api, "5555555555554444", "recurring");
    const kept = await start({ testRecurringTokenExpiry: false });
    const testToken = await tokenOf(kept.api, OK_CARD, "recurring");
    await live.sandbox.clock.advance(40 * DAY);
    await kept.sandbox.clock.advance(40 * DAY);
    expect((await live.api.request("GET", `/stores/${live.storeId}/tokens/${liveToken}`)).status).toBe(200);
    expect((await kept.api.request("GET", `/stores/${kept.storeId}/tokens/${testToken}`)).status).toBe(200);
  });

  it("applies the 30-s rule to subscription charges of any amount on the same card or alternating on a recurring token", async () => {
    const { sandbox, api } = await start({ chargeTooQuick: "always" });
    expect((await subscribe(api, await tokenOf(api, OK_CARD, "subscription"), 1000)).status).toBe(201);
    const second = await tokenOf(api, OK_CARD, "subscription");
    const quick = await subscribe(api, second, 2000);
    expect(quick.status).toBe(400);
    expect(quick.body).toMatchObject({ code: "CHARGE_TOO_QUICK" });
    await sandbox.clock.advance(30_000);
    expect((await subscribe(api, second, 2000)).status).toBe(201);

    const recurring = await tokenOf(api, "5555555555554444", "recurring");
    expect((await chargeOn(api, recurring, 700)).status).toBe(201);
    expect((await subscribe(api, recurring, 800)).body).toMatchObject({ code: "CHARGE_TOO_QUICK" });
    await sandbox.clock.advance(30_000);
    expect((await subscribe(api, recurring, 800)).status).toBe(201);
    expect((await chargeOn(api, recurring, 900)).body).toMatchObject({ code: "CHARGE_TOO_QUICK" });
    await sandbox.clock.advance(30_000);
    expect((await chargeOn(api, recurring, 900)).status).toBe(201);
  });

  it("fails the second of two subscription runs on one card at the same instant with 311", async () => {
    const { sandbox, api, storeId } = await start({ chargeTooQuick: "always" });
    const first = await subscribe(api, await tokenOf(api, OK_CARD, "subscription"), 1000);
    await sandbox.clock.advance(30_000);
    const second = await subscribe(api, await tokenOf(api, OK_CARD, "subscription"), 2000);
    expect(second.status).toBe(201);
    await sandbox.clock.advance(32 * DAY); // both run at 07:00 Tokyo on 02-06
    const charges = async (s: ApiResponse): Promise<Json[]> =>
      (await api.request("GET", `/stores/${storeId}/subscriptions/${String(s.body?.["id"])}/charges`)).body?.["items"] as Json[];
    const [a, b] = [await charges(first), await charges(second)];
    expect(a.map((c) => c["status"])).toEqual(["successful", "successful"]);
    expect(b.map((c) => c["status"])).toEqual(["failed", "successful"]);
    expect(b[0]).toMatchObject({ error: { code: 311 } });
    expect(b[0]?.["created_on"]).toBe(a[0]?.["created_on"]);
  });

  it("answers LIVE_MODE_NOT_ENABLED_WHEN_UNVERIFIED for a live store created unverified", async () => {
    const { api, url } = await start({}, (s) =>
      s.createStore({ name: "unreviewed", mode: "live", pci: true, recurringPrivilege: "infinite", verified: false }),
    );
    const res = await api.request("POST", "/tokens", {
      body: {
        payment_type: "card",
        type: "one_time",
        email: "t@example.com",
        data: { cardholder: "TARO YAMADA", card_number: "5555555555554444", exp_month: 12, exp_year: 2099, cvv: "123" },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "LIVE_MODE_NOT_ENABLED_WHEN_UNVERIFIED" });
    expect((await api.request("GET", "/me")).body).toMatchObject({ verified: false });
    const admin = await fetch(`${url}/_sandbox/stores`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "x", mode: "live", pci: true, verified: false }),
    });
    const created = (await admin.json()) as SandboxCredentials;
    const adminApi = createSandboxClient(url, created);
    expect((await adminApi.request("GET", "/me")).body).toMatchObject({ verified: false });
    // Test mode needs no review.
    const test = await start({}, (s) => s.createStore({ name: "t", mode: "test", pci: true, verified: false }));
    expect((await tokenOf(test.api, OK_CARD)).length).toBeGreaterThan(0);
  });
});
