import { createManualClock, createSandbox, type Sandbox } from "../../src/sandbox/sandbox";
import { createSandboxClient, type SandboxClient } from "../../src/sandbox/testing/sandbox-client";
import { startWebhookReceiver, type WebhookReceiver } from "../../src/sandbox/testing/webhook-receiver";

function cardToken(cardNumber: string, type: "one_time" | "recurring" = "one_time", extra: Record<string, unknown> = {}) {
  return {
    payment_type: "card",
    type,
    email: "taro@example.com",
    data: { cardholder: "TARO YAMADA", card_number: cardNumber, exp_month: "12", exp_year: "2099", cvv: "123", ...extra },
  };
}

describe("sandbox card payments over HTTP", () => {
  let sandbox: Sandbox;
  let api: SandboxClient;
  let receiver: WebhookReceiver;
  let storeId: string;

  beforeEach(async () => {
    sandbox = createSandbox({ clock: createManualClock(), rateLimits: false });
    const { url } = await sandbox.listen(0);
    api = createSandboxClient(url, sandbox.demo);
    storeId = sandbox.demo.storeId;
    receiver = await startWebhookReceiver([200]);
    const hook = await api.request("POST", `/stores/${storeId}/webhooks`, {
      body: {
        url: receiver.url,
        triggers: ["charge_finished", "charge_updated", "cancel_finished", "refund_finished", "token_created", "token_cvv_auth_updated"],
        auth_token: "whsec-verbatim 123",
      },
    });
    expect(hook.status).toBe(201);
  });

  afterEach(async () => {
    await sandbox.close();
    await receiver.close();
  });

  async function charge(cardNumber: string, body: Record<string, unknown> = {}) {
    const token = await api.request("POST", "/tokens", { body: cardToken(cardNumber) });
    expect(token.status).toBe(201);
    const res = await api.request("POST", "/charges", { body: { transaction_token_id: token.body?.["id"], amount: 1000, currency: "JPY", ...body } });
    expect(res.status).toBe(201);
    return res.body as Record<string, unknown>;
  }

  it("creates a token, a pending charge, and settles it to successful", async () => {
    const c = await charge("4000020000000000", { metadata: { "univapay-reference-id": "ORDER-1", n: 5 } });
    expect(c).toMatchObject({ status: "pending", charged_amount: null, requested_amount: 1000, mode: "test", store_id: storeId });
    await sandbox.clock.advance(200);
    const got = await api.request("GET", `/stores/${storeId}/charges/${String(c["id"])}`);
    expect(got.body).toMatchObject({
      status: "successful",
      charged_amount: 1000,
      charged_currency: "JPY",
      error: null,
      metadata: { "univapay-reference-id": "ORDER-1", n: 5 },
    });
  });

  it("fails the 1111 card with error 309 and delivers charge_finished with the Authorization header verbatim", async () => {
    const c = await charge("4111111111111111");
    await sandbox.clock.advance(200);
    const all = await receiver.waitFor(2);
    const finished = all.find((r) => r.body["event"] === "charge_finished");
    expect(finished?.headers["authorization"]).toBe("whsec-verbatim 123");
    expect(finished?.body).toMatchObject({
      event: "charge_finished",
      data: { id: c["id"], status: "failed", error: { code: 309, message: "Test charge failed purposely", details: "Test charge failed purposely" } },
      successful: true,
    });
    expect(Object.keys(finished?.body ?? {}).sort()).toEqual(["created_on", "data", "event", "fired_on", "id", "successful", "webhook_id"]);
  });

  it("holds a polling GET until the charge settles", async () => {
    const c = await charge("4000020000000000");
    const held = new Promise((r) => sandbox.onPollHeld(r));
    const poll = api.request("GET", `/stores/${storeId}/charges/${String(c["id"])}?polling=true`);
    await held;
    await sandbox.clock.advance(200);
    expect((await poll).body?.["status"]).toBe("successful");
  });

  it("releases a held poll after 3 s of sandbox time with the charge still pending", async () => {
    const slow = createSandbox({ clock: createManualClock(), rateLimits: false, settleDelayMs: 10_000 });
    try {
      const slowApi = createSandboxClient((await slow.listen(0)).url, slow.demo);
      const token = await slowApi.request("POST", "/tokens", { body: cardToken("4000020000000000") });
      const c = await slowApi.request("POST", "/charges", { body: { transaction_token_id: token.body?.["id"], amount: 1000, currency: "JPY" } });
      const held = new Promise((r) => slow.onPollHeld(r));
      const poll = slowApi.request("GET", `/stores/${slow.demo.storeId}/charges/${String(c.body?.["id"])}?polling=true`);
      await held;
      await slow.clock.advance(3000);
      expect((await poll).body?.["status"]).toBe("pending");
    } finally {
      await slow.close();
    }
  });

  it("returns a final charge at once when polling", async () => {
    const c = await charge("4000020000000000");
    await sandbox.clock.advance(200);
    const res = await api.request("GET", `/stores/${storeId}/charges/${String(c["id"])}?polling=true`);
    expect(res.body?.["status"]).toBe("successful");
  });

  it("authorizes, then captures fully; partial capture charges the smaller amount", async () => {
    const full = await charge("4000020000000000", { capture: false });
    const part = await charge("5555555555554444", { capture: false });
    await sandbox.clock.advance(200);
    const path = (id: unknown) => `/stores/${storeId}/charges/${String(id)}`;
    expect((await api.request("GET", path(full["id"]))).body?.["status"]).toBe("authorized");
    const cap = await api.request("POST", `${path(full["id"])}/capture`, { body: { amount: 1000, currency: "JPY" } });
    expect(cap.status).toBe(200);
    expect(cap.text).toBe("");
    expect((await api.request("GET", path(full["id"]))).body?.["status"]).toBe("pending");
    const tooMuch = await api.request("POST", `${path(part["id"])}/capture`, { body: { amount: 1001, currency: "JPY" } });
    expect(tooMuch.body).toMatchObject({ status: "error", code: "CAPTURE_AMOUNT_TOO_LARGE" });
    expect((await api.request("POST", `${path(part["id"])}/capture`, { body: { amount: 600, currency: "JPY" } })).status).toBe(200);
    await sandbox.clock.advance(200);
    expect((await api.request("GET", path(full["id"]))).body).toMatchObject({ status: "successful", charged_amount: 1000 });
    expect((await api.request("GET", path(part["id"]))).body).toMatchObject({ status: "successful", charged_amount: 600 });
    const again = await api.request("POST", `${path(full["id"])}/capture`, { body: { amount: 1000, currency: "JPY" } });
    expect(again).toMatchObject({ status: 400, body: { code: "ALREADY_CAPTURED" } });
  });

  it("auto-captures at capture_at", async () => {
    const at = new Date(sandbox.clock.now() + 60_000).toISOString();
    const c = await charge("4000020000000000", { capture: false, capture_at: at });
    await sandbox.clock.advance(200);
    const path = `/stores/${storeId}/charges/${String(c["id"])}`;
    expect((await api.request("GET", path)).body?.["status"]).toBe("authorized");
    await sandbox.clock.advance(60_000);
    expect((await api.request("GET", path)).body?.["status"]).toBe("successful");
  });

  it("cancels an authorization; the 1881 card's cancel fails", async () => {
    const ok = await charge("4000020000000000", { capture: false });
    const bad = await charge("4012888888881881", { capture: false });
    await sandbox.clock.advance(200);
    const c1 = await api.request("POST", `/stores/${storeId}/charges/${String(ok["id"])}/cancels`, { body: { metadata: { why: "customer" } } });
    const c2 = await api.request("POST", `/stores/${storeId}/charges/${String(bad["id"])}/cancels`);
    expect(c1).toMatchObject({ status: 201, body: { status: "pending", charge_id: ok["id"], metadata: { why: "customer" } } });
    await sandbox.clock.advance(200);
    const cancel1 = await api.request("GET", `/stores/${storeId}/charges/${String(ok["id"])}/cancels/${String(c1.body?.["id"])}?polling=true`);
    const cancel2 = await api.request("GET", `/stores/${storeId}/charges/${String(bad["id"])}/cancels/${String(c2.body?.["id"])}`);
    expect(cancel1.body?.["status"]).toBe("successful");
    expect(cancel2.body).toMatchObject({ status: "failed", error: { code: 312 } });
    expect((await api.request("GET", `/stores/${storeId}/charges/${String(ok["id"])}`)).body?.["status"]).toBe("canceled");
    expect((await api.request("GET", `/stores/${storeId}/charges/${String(bad["id"])}`)).body?.["status"]).toBe("authorized");
    const second = await api.request("POST", `/stores/${storeId}/charges/${String(ok["id"])}/cancels`);
    expect(second).toMatchObject({ status: 400, body: { code: "CANCEL_NOT_ALLOWED" } });
  });

  it("refunds fully, in two partials, rejects over-refunds, and fails refunds of the 4242 card", async () => {
    const a = await charge("4000020000000000");
    const b = await charge("4000020000000000", { amount: 999 });
    const c = await charge("4242424242424242");
    await sandbox.clock.advance(200);
    const refund = (id: unknown, amount: number) =>
      api.request("POST", `/stores/${storeId}/charges/${String(id)}/refunds`, { body: { amount, currency: "JPY", reason: "customer_request" } });
    expect((await refund(a["id"], 1000)).status).toBe(201);
    expect((await refund(a["id"], 1)).body?.["code"]).toBe("REFUND_EXCEEDS_CHARGE_AMOUNT");
    expect((await refund(b["id"], 400)).status).toBe(201);
    expect((await refund(b["id"], 500)).status).toBe(201);
    expect((await refund(b["id"], 100)).body?.["code"]).toBe("REFUND_EXCEEDS_CHARGE_AMOUNT");
    expect((await refund(b["id"], 1000)).body?.["code"]).toBe("REFUND_NOT_WITHIN_BOUNDS");
    const failing = await refund(c["id"], 1000);
    await sandbox.clock.advance(200);
    const got = await api.request("GET", `/stores/${storeId}/charges/${String(c["id"])}/refunds/${String(failing.body?.["id"])}`);
    expect(got.body).toMatchObject({ status: "failed", amount: 1000, error: { code: 329 } });
    const list = await api.request("GET", `/stores/${storeId}/charges/${String(b["id"])}/refunds`);
    expect(list.body).toMatchObject({ has_more: false, total_hits: 2 });
    const events = (await receiver.waitFor(1)).map((r) => r.body["event"]);
    expect(events).toContain("refund_finished");
  });

  it("refuses refunds of charges that are not successful", async () => {
    const a = await charge("4000020000000000", { capture: false });
    await sandbox.clock.advance(200);
    const res = await api.request("POST", `/stores/${storeId}/charges/${String(a["id"])}/refunds`, { body: { amount: 1, currency: "JPY" } });
    expect(res).toMatchObject({ status: 400, body: { status: "error", code: "CANNOT_REFUND_UNSUCCESSFUL_CHARGE", errors: [] } });
  });

  it("runs a recurring token's CVV authorization as a 1-yen authorized charge", async () => {
    const token = await api.request("POST", "/tokens", {
      body: cardToken("4000020000000000", "recurring", { cvv_authorize: { enabled: "true", currency: "JPY" } }),
    });
    expect(token.body).toMatchObject({ type: "recurring", data: { cvv_authorize: { enabled: true, status: "pending" } } });
    const early = await api.request("POST", "/charges", { body: { transaction_token_id: token.body?.["id"], amount: 500, currency: "JPY" } });
    expect(early.body?.["code"]).toBe("CVV_AUTHORIZATION_NOT_COMPLETED");
    await sandbox.clock.advance(200);
    const got = await api.request("GET", `/stores/${storeId}/tokens/${String(token.body?.["id"])}`);
    const cvv = (got.body?.["data"] as { cvv_authorize: { status: string; charge_id: string } }).cvv_authorize;
    expect(cvv.status).toBe("current");
    const authCharge = await api.request("GET", `/stores/${storeId}/charges/${cvv.charge_id}`);
    expect(authCharge.body).toMatchObject({ status: "authorized", requested_amount: 1 });
    const events = (await receiver.waitFor(2)).map((r) => r.body["event"]);
    expect(events).toEqual(expect.arrayContaining(["token_created", "token_cvv_auth_updated"]));
    const later = await api.request("POST", "/charges", { body: { transaction_token_id: token.body?.["id"], amount: 500, currency: "JPY" } });
    expect(later.status).toBe(201);
  });

  it("enforces one-time token single use and 5-minute expiry", async () => {
    const t1 = await api.request("POST", "/tokens", { body: cardToken("4000020000000000") });
    const first = await api.request("POST", "/charges", { body: { transaction_token_id: t1.body?.["id"], amount: 100, currency: "JPY" } });
    expect(first.status).toBe(201);
    const reuse = await api.request("POST", "/charges", { body: { transaction_token_id: t1.body?.["id"], amount: 100, currency: "JPY" } });
    expect(reuse.body?.["code"]).toBe("TRANSACTION_ALREADY_PROCESSED");
    const t2 = await api.request("POST", "/tokens", { body: cardToken("4000020000000000") });
    await sandbox.clock.advance(5 * 60_000);
    const expired = await api.request("POST", "/charges", { body: { transaction_token_id: t2.body?.["id"], amount: 100, currency: "JPY" } });
    expect(expired.body?.["code"]).toBe("TRANSACTION_TOKEN_EXPIRED");
  });

  it("lists every bad field of a token request in one VALIDATION_ERROR", async () => {
    const res = await api.request("POST", "/tokens", {
      body: {
        payment_type: "card",
        type: "one_time",
        data: { cardholder: "A B", card_number: "4000020000000001", exp_month: "13", exp_year: "2099", cvv: "1" },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body?.["code"]).toBe("VALIDATION_ERROR");
    expect(res.body?.["errors"]).toEqual(
      expect.arrayContaining([
        { field: "email", reason: "REQUIRED_VALUE" },
        { field: "card_number", reason: "INVALID_CARD_NUMBER" },
        { field: "exp_month", reason: "INVALID_CARD_EXPIRATION" },
        { field: "cvv", reason: "INVALID_CVV" },
      ]),
    );
  });

  it("answers unknown ids with 404 NOT_FOUND and foreign store paths with 403", async () => {
    const missing = await api.request("GET", `/stores/${storeId}/charges/00000000-0000-0000-0000-000000000000`);
    expect(missing).toMatchObject({ status: 404, body: { status: "error", code: "NOT_FOUND" } });
    const other = sandbox.createStore({ name: "other", mode: "test" });
    const foreign = await api.request("GET", `/stores/${other.storeId}/charges`);
    expect(foreign).toMatchObject({ status: 403, body: { code: "INVALID_PERMISSIONS" } });
  });

  it("paginates charge lists newest first with cursor and total_hits", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(String((await charge("4000020000000000", { amount: 100 + i }))["id"]));
    const page1 = await api.request("GET", "/charges");
    expect(page1.body).toMatchObject({ has_more: true, total_hits: 12 });
    const items1 = page1.body?.["items"] as Array<{ id: string }>;
    expect(items1.map((i) => i.id)).toEqual(ids.slice(2).reverse());
    const page2 = await api.request("GET", `/stores/${storeId}/charges?cursor=${items1[9]?.id ?? ""}`);
    expect(page2.body).toEqual({ items: expect.any(Array), has_more: false });
    expect((page2.body?.["items"] as Array<{ id: string }>).map((i) => i.id)).toEqual([ids[1], ids[0]]);
    const bad = await api.request("GET", "/charges?limit=5");
    expect(bad.body).toMatchObject({ code: "VALIDATION_ERROR", errors: [{ field: "limit", reason: "INVALID_FORMAT" }] });
  });

  it("expires an unused recurring token's CVV after 5 minutes until PATCHed, and deletes tokens", async () => {
    const token = await api.request("POST", "/tokens", { body: cardToken("4000020000000000", "recurring") });
    const path = `/stores/${storeId}/tokens/${String(token.body?.["id"])}`;
    await sandbox.clock.advance(5 * 60_000);
    const stale = await api.request("POST", "/charges", { body: { transaction_token_id: token.body?.["id"], amount: 300, currency: "JPY" } });
    expect(stale.body?.["code"]).toBe("RECURRING_USAGE_REQUIRES_CVV");
    const secretless = `Bearer ${sandbox.demo.appToken}`;
    expect((await api.request("PATCH", path, { body: { email: "x@example.com" }, authorization: secretless })).status).toBe(401);
    const patched = await api.request("PATCH", path, { body: { data: { cvv: "456" } }, authorization: secretless });
    expect(patched.status).toBe(200);
    const ok = await api.request("POST", "/charges", { body: { transaction_token_id: token.body?.["id"], amount: 300, currency: "JPY" } });
    expect(ok.status).toBe(201);
    const meta = await api.request("PATCH", path, { body: { metadata: { "univapay-customer-id": "c-1" } } });
    expect(meta.body).toMatchObject({ metadata: { "univapay-customer-id": "c-1" }, data: { card: { last_four: "0000", card_bin: "400002", brand: "visa" } } });
    expect(JSON.stringify(meta.body)).not.toContain("4000020000000000");
    expect((await api.request("GET", `/tokens?type=recurring`)).body).toMatchObject({ total_hits: 1 });
    expect((await api.request("DELETE", path)).status).toBe(204);
    expect((await api.request("GET", path)).status).toBe(404);
  });

  it("can report the 30-s duplicate as a charge failed with error 311", async () => {
    const strict = createSandbox({ clock: createManualClock(), rateLimits: false, chargeTooQuick: "always", duplicateChargeAs: "failed-311" });
    try {
      const strictApi = createSandboxClient((await strict.listen(0)).url, strict.demo);
      const pay = async () => {
        const t = await strictApi.request("POST", "/tokens", { body: cardToken("4000020000000000") });
        return strictApi.request("POST", "/charges", { body: { transaction_token_id: t.body?.["id"], amount: 700, currency: "JPY" } });
      };
      await pay();
      const dup = await pay();
      expect(dup.status).toBe(201);
      await strict.clock.advance(200);
      const got = await strictApi.request("GET", `/stores/${strict.demo.storeId}/charges/${String(dup.body?.["id"])}`);
      expect(got.body).toMatchObject({ status: "failed", error: { code: 311 } });
    } finally {
      await strict.close();
    }
  });
});
