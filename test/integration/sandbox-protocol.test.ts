import { createManualClock, createSandbox, type Sandbox } from "../../src/sandbox/sandbox";
import { createSandboxClient, type SandboxClient } from "../../src/sandbox/testing/sandbox-client";

const tokenBody = (card = "4000020000000000") => ({
  payment_type: "card",
  type: "one_time",
  email: "a@example.com",
  data: { cardholder: "TARO YAMADA", card_number: card, exp_month: 12, exp_year: 2099, cvv: "123" },
});

describe("sandbox protocol details", () => {
  let sandbox: Sandbox;
  let api: SandboxClient;
  let url: string;

  beforeEach(async () => {
    sandbox = createSandbox({ clock: createManualClock() });
    url = (await sandbox.listen(0)).url;
    api = createSandboxClient(url, sandbox.demo);
  });
  afterEach(() => sandbox.close());

  it("answers the 11th identical GET in a burst with 429 and an empty body", async () => {
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await api.request("GET", "/me"));
    expect(results.slice(0, 10).every((r) => r.status === 200)).toBe(true);
    expect(results[0]?.headers.get("x-remaining-requests-exact")).toBe("9");
    expect(results[0]?.headers.get("x-remaining-requests-route")).toBe("29");
    expect(results[0]?.headers.get("x-requests-per-minute-exact")).toBe("120");
    const limited = results[10];
    expect(limited?.status).toBe(429);
    expect(limited?.text).toBe("");
    expect(limited?.headers.get("content-length")).toBe("0");
    expect(limited?.headers.get("x-remaining-requests-exact")).toBe("0");
    await sandbox.clock.advance(500);
    expect((await api.request("GET", "/me")).status).toBe(200);
  });

  it("puts only the charge-class headers on POST /tokens", async () => {
    const res = await api.request("POST", "/tokens", { body: tokenBody() });
    expect(res.headers.get("x-remaining-requests")).toBe("99");
    expect(res.headers.get("x-requests-per-minute")).toBe("3000");
    expect(res.headers.get("x-remaining-requests-exact")).toBeNull();
  });

  it("replays an idempotent charge create and refuses the key on another route", async () => {
    const token = await api.request("POST", "/tokens", { body: tokenBody() });
    const body = { transaction_token_id: token.body?.["id"], amount: 500, currency: "JPY" };
    const headers = { "Idempotency-Key": "key-1" };
    const first = await api.request("POST", "/charges", { body, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotency-status")).toBe("successfully_stored");
    const again = await api.request("POST", "/charges", { body, headers });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotency-status")).toBe("retrieved_idempotent_response");
    expect(again.body?.["id"]).toBe(first.body?.["id"]);
    const conflict = await api.request("POST", "/tokens", { body: tokenBody(), headers });
    expect(conflict).toMatchObject({ status: 409, body: { status: "error", code: "IDEMPOTENCY_KEY_CONFLICT" } });
    expect(conflict.headers.get("idempotency-status")).toBe("conflicting_key");
    const get = await api.request("GET", "/me", { headers });
    expect(get.headers.get("idempotency-status")).toBe("disabled");
    expect((await api.request("GET", "/me")).headers.get("idempotency-status")).toBeNull();
    await sandbox.clock.advance(24 * 3600_000);
    const expired = await api.request("POST", "/charges", { body, headers });
    expect(expired.body?.["code"]).toBe("TRANSACTION_ALREADY_PROCESSED");
  });

  it("replays a stored error too, without reprocessing", async () => {
    const headers = { "Idempotency-Key": "key-2" };
    const body = { transaction_token_id: "00000000-0000-0000-0000-000000000000", amount: 500, currency: "JPY" };
    const first = await api.request("POST", "/charges", { body, headers });
    const again = await api.request("POST", "/charges", { body, headers });
    expect([first.status, again.status]).toEqual([404, 404]);
    expect(again.headers.get("idempotency-status")).toBe("retrieved_idempotent_response");
  });

  it("rejects missing, malformed and wrong credentials with the documented 401 codes", async () => {
    const code = async (authorization: string | null) => (await api.request("GET", "/me", { authorization })).body?.["code"];
    expect(await code(null)).toBe("AUTH_HEADER_MISSING");
    expect(await code("Bearer nonsense")).toBe("INVALID_APP_TOKEN");
    expect(await code(`Bearer wrong.${sandbox.demo.appToken}`)).toBe("INVALID_CREDENTIALS");
    expect(await code(`Bearer ${sandbox.demo.appToken}`)).toBe("INVALID_CREDENTIALS");
    const other = createSandbox();
    expect(await code(`Bearer ${other.demo.secret}.${other.demo.appToken}`)).toBe("INVALID_APP_TOKEN");
    await other.close();
    const res = await api.request("GET", "/heartbeat", { authorization: null });
    expect(res.status).toBe(200);
  });

  it("needs a registered Origin for secretless token creation", async () => {
    const auth = `Bearer ${sandbox.demo.appToken}`;
    const noOrigin = await api.request("POST", "/tokens", { body: tokenBody(), authorization: auth });
    expect(noOrigin).toMatchObject({ status: 401, body: { code: "INVALID_DOMAIN" } });
    const fromWidget = await api.request("POST", "/tokens", { body: tokenBody(), authorization: auth, headers: { Origin: "http://localhost:3000" } });
    expect(fromWidget.status).toBe(201);
  });

  it("refuses raw card data for non-PCI stores and test cards in live mode", async () => {
    const plain = createSandboxClient(url, sandbox.createStore({ name: "no-pci", mode: "test" }));
    expect((await plain.request("POST", "/tokens", { body: tokenBody() })).body?.["code"]).toBe("DIRECT_CARD_TOKEN_CREATION_DISABLED");
    const live = createSandboxClient(url, sandbox.createStore({ name: "live", mode: "live", pci: true }));
    expect((await live.request("POST", "/tokens", { body: tokenBody("4242424242424242") })).body).toMatchObject({ code: "NO_TEST_CARD_IN_LIVE_MODE" });
    const token = await live.request("POST", "/tokens", { body: tokenBody("5555555555554444") });
    expect(token.body?.["mode"]).toBe("live");
  });

  it("applies CHARGE_TOO_QUICK to live charges of the same card and amount within 30 s", async () => {
    const live = createSandboxClient(url, sandbox.createStore({ name: "live", mode: "live", pci: true }));
    const pay = async (amount: number) => {
      const t = await live.request("POST", "/tokens", { body: tokenBody("5555555555554444") });
      return live.request("POST", "/charges", { body: { transaction_token_id: t.body?.["id"], amount, currency: "JPY" } });
    };
    expect((await pay(1000)).status).toBe(201);
    expect((await pay(1000)).body?.["code"]).toBe("CHARGE_TOO_QUICK");
    expect((await pay(1001)).status).toBe(201);
    await sandbox.clock.advance(30_000);
    expect((await pay(1000)).status).toBe(201);
  });

  it("rejects malformed JSON, nested metadata, and bodies over 256 KB", async () => {
    const bad = await api.request("POST", "/tokens", { body: "{not json" });
    expect(bad).toMatchObject({ status: 400, body: { code: "VALIDATION_ERROR" } });
    const nested = await api.request("POST", "/tokens", { body: { ...tokenBody(), metadata: { a: { b: 1 } } } });
    expect(nested.body?.["errors"]).toEqual([{ field: "a", reason: "NESTED_JSON_NOT_ALLOWED" }]);
    const huge = await api.request("POST", "/tokens", { body: { ...tokenBody(), metadata: { x: "y".repeat(300 * 1024) } } });
    expect(huge.status).toBe(413);
  });

  it("injects 5xx after processing so the client must reconcile", async () => {
    await fetch(`${url}/_sandbox/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ routes: [{ method: "POST", pathPattern: "/charges", errorRate: 1, errorStatus: 503, when: "after" }] }),
    });
    const token = await api.request("POST", "/tokens", { body: tokenBody() });
    const res = await api.request("POST", "/charges", { body: { transaction_token_id: token.body?.["id"], amount: 100, currency: "JPY" } });
    expect(res).toMatchObject({ status: 503, body: { code: "SERVICE_UNAVAILABLE_TRY_AGAIN" } });
    const list = await api.request("GET", "/charges");
    expect(list.body?.["total_hits"]).toBe(1);
    expect((await fetch(`${url}/_sandbox/faults`, { method: "DELETE" })).status).toBe(204);
  });

  it("drops the connection when asked", async () => {
    sandbox.faults.set({ routes: [{ pathPattern: "/me", dropRate: 1 }] });
    await expect(api.request("GET", "/me")).rejects.toThrow();
  });

  it("advances the clock through the admin endpoint", async () => {
    const before = sandbox.clock.now();
    const res = await fetch(`${url}/_sandbox/clock/advance`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ms: 90_000 }),
    });
    expect(((await res.json()) as { epoch_ms: number }).epoch_ms).toBe(before + 90_000);
  });
});
