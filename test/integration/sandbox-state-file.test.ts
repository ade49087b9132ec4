/**
 * The sandbox's state file over real HTTP: everything made before a restart is there after it
 * (credentials, charges in every state, webhooks, subscriptions, idempotency keys), pending work
 * finishes after the restart and fires its webhooks, and a sandbox that dies without close() has
 * lost nothing that was saved.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createManualClock, createSandbox, type Sandbox } from "../../src/sandbox/sandbox";
import { readStateFile } from "../../src/sandbox/persistence/read-state-file";
import { createSandboxClient, type ApiResponse, type SandboxClient } from "../../src/sandbox/testing/sandbox-client";
import { stateLinesOf } from "../../src/sandbox/testing/sandbox-internals";
import { startWebhookReceiver, type WebhookReceiver } from "../../src/sandbox/testing/webhook-receiver";

type Json = Record<string, unknown>;

const OK_CARD = "4000020000000000";
/** Luhn-valid, not one of the sandbox's documented test cards: must never reach the disk. */
const REAL_CARD = "5555555555554444";
const SETTLE_MS = 1000;
const DAY_MS = 86_400_000;

describe("sandbox state file", () => {
  let dir: string;
  const open: Sandbox[] = [];
  const receivers: WebhookReceiver[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sandbox-state-"));
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    for (const r of receivers.splice(0)) await r.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(stateFile: string, now?: number): Sandbox {
    const s = createSandbox({ clock: createManualClock(now), stateFile, settleDelayMs: SETTLE_MS, rateLimits: false });
    open.push(s);
    return s;
  }

  async function closeSandbox(s: Sandbox): Promise<void> {
    open.splice(open.indexOf(s), 1);
    await s.close();
  }

  const ok = (res: ApiResponse, status = 200): Json => {
    expect([res.status, res.text.slice(0, 300)]).toEqual([status, expect.any(String)]);
    return res.body ?? {};
  };

  async function token(api: SandboxClient, type: "recurring" | "one_time", card = OK_CARD): Promise<string> {
    const res = await api.request("POST", "/tokens", {
      body: {
        payment_type: "card",
        type,
        email: "taro@example.com",
        data: { cardholder: "TARO YAMADA", card_number: card, exp_month: 12, exp_year: 2099, cvv: "123" },
      },
    });
    return String(ok(res, 201)["id"]);
  }

  const charge = (api: SandboxClient, tokenId: string, extra: Json = {}, headers: Record<string, string> = {}): Promise<ApiResponse> =>
    api.request("POST", "/charges", { body: { transaction_token_id: tokenId, amount: 1000, currency: "JPY", ...extra }, headers });

  it("keeps credentials, charges, webhooks, subscriptions and idempotency keys across a restart, and finishes pending work", async () => {
    const stateFile = join(dir, "nested", "dir", "state.json");
    const a = start(stateFile);
    expect(a.stateFile).toEqual({ path: stateFile, loaded: false });
    const urlA = (await a.listen(0)).url;

    // A store made through the admin API, as `npm run sandbox` users do.
    const created = await fetch(`${urlA}/_sandbox/stores`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "restart shop", mode: "test", pci: true, recurring_privilege: "infinite" }),
    });
    expect(created.status).toBe(201);
    const creds = (await created.json()) as { storeId: string; appToken: string; secret: string; mode: "test" };
    const api = createSandboxClient(urlA, creds);
    const receiver = await startWebhookReceiver([200]);
    receivers.push(receiver);
    const hook = ok(
      await api.request("POST", "/webhooks", {
        body: { url: receiver.url, triggers: ["charge_finished", "refund_finished", "cancel_finished", "subscription_payment"] },
      }),
      201,
    );

    const recurring = await token(api, "recurring");
    const captured = ok(await charge(api, recurring, {}, { "Idempotency-Key": "order-1" }), 201);
    const toCapture = ok(await charge(api, recurring, { amount: 2000, capture: false }), 201);
    const toCancel = ok(await charge(api, recurring, { amount: 3000, capture: false }), 201);
    const realCardToken = await token(api, "one_time", REAL_CARD);
    ok(await charge(api, realCardToken, { amount: 4000 }), 201);
    const sub = ok(
      await api.request("POST", "/subscriptions", {
        body: { transaction_token_id: await token(api, "recurring"), amount: 500, currency: "JPY", period: "daily" },
      }),
      201,
    );
    await a.clock.advance(SETTLE_MS);
    expect(ok(await api.request("GET", `/stores/${creds.storeId}/charges/${String(captured["id"])}`))["status"]).toBe("successful");
    expect(ok(await api.request("GET", `/stores/${creds.storeId}/charges/${String(toCapture["id"])}`))["status"]).toBe("authorized");
    expect(ok(await api.request("GET", `/stores/${creds.storeId}/subscriptions/${String(sub["id"])}`))["status"]).toBe("current");
    // Still pending when the sandbox stops.
    const pending = ok(await charge(api, recurring, { amount: 5000 }), 201);
    const webhooksBefore = receiver.received.length;
    const demo = a.demo;
    await closeSandbox(a);

    const text = readFileSync(stateFile, "utf8");
    expect(text).not.toContain(REAL_CARD);
    expect(text).toContain("555555******4444");
    expect(text).not.toMatch(/"cvv"/);

    // Same file, a clock at the time the first sandbox stopped.
    const b = start(stateFile, a.clock.now());
    expect(b.stateFile).toEqual({ path: stateFile, loaded: true });
    expect(b.demo).toEqual(demo);
    const urlB = (await b.listen(0)).url;
    const apiB = createSandboxClient(urlB, creds);
    const get = async (path: string): Promise<Json> => ok(await apiB.request("GET", path));
    const chargePath = (c: Json): string => `/stores/${creds.storeId}/charges/${String(c["id"])}`;

    // The same credentials (admin-made store and demo store) authenticate.
    expect((await get(`/stores/${creds.storeId}/webhooks/${String(hook["id"])}`))["url"]).toBe(receiver.url);
    ok(await createSandboxClient(urlB, b.demo).request("GET", `/stores/${b.demo.storeId}/charges`));

    // The pending charge settles on its own schedule and its webhook is delivered.
    const delivered = receiver.waitFor(webhooksBefore + 1);
    await b.clock.advance(SETTLE_MS);
    expect((await get(chargePath(pending)))["status"]).toBe("successful");
    expect((await delivered).at(-1)?.body).toMatchObject({ event: "charge_finished", data: { id: pending["id"], status: "successful" } });

    // Captured → refundable; authorized → capturable and cancelable.
    const refund = ok(
      await apiB.request("POST", `${chargePath(captured)}/refunds`, { body: { amount: 1000, currency: "JPY", reason: "customer_request" } }),
      201,
    );
    ok(await apiB.request("POST", `${chargePath(toCapture)}/capture`, { body: { amount: 2000, currency: "JPY" } }));
    const cancel = ok(await apiB.request("POST", `${chargePath(toCancel)}/cancels`, { body: {} }), 201);
    await b.clock.advance(SETTLE_MS);
    expect((await get(`${chargePath(captured)}/refunds/${String(refund["id"])}`))["status"]).toBe("successful");
    expect((await get(chargePath(toCapture)))["status"]).toBe("successful");
    expect((await get(`${chargePath(toCancel)}/cancels/${String(cancel["id"])}`))["status"]).toBe("successful");
    expect((await get(chargePath(toCancel)))["status"]).toBe("canceled");

    // The Idempotency-Key of the first create replays the same charge, without a new one.
    const replay = await charge(apiB, recurring, {}, { "Idempotency-Key": "order-1" });
    expect([replay.status, replay.headers.get("idempotency-status"), replay.body?.["id"]]).toEqual([201, "retrieved_idempotent_response", captured["id"]]);

    // The subscription's next (daily) cycle still runs when the clock reaches it.
    const subPath = `/stores/${creds.storeId}/subscriptions/${String(sub["id"])}`;
    expect(((await get(`${subPath}/charges`))["items"] as Json[]).length).toBe(1);
    await b.clock.advance(DAY_MS);
    const subCharges = (await get(`${subPath}/charges`))["items"] as Json[];
    expect(subCharges.map((c) => c["status"])).toEqual(["successful", "successful"]);
    expect(receiver.received.map((r) => r.body["event"])).toContain("subscription_payment");
  });

  it("runs work that fell due while the sandbox was down right after the load", async () => {
    const stateFile = join(dir, "state.json");
    const a = start(stateFile);
    const api = createSandboxClient((await a.listen(0)).url, a.demo);
    const storeId = a.demo.storeId;
    const recurring = await token(api, "recurring");
    const toRefund = ok(await charge(api, recurring), 201);
    const toCancel = ok(await charge(api, recurring, { amount: 1500, capture: false }), 201);
    const autoCapture = ok(await charge(api, recurring, { amount: 1600, capture: false, capture_at: new Date(a.clock.now() + 30_000).toISOString() }), 201);
    const sub = ok(
      await api.request("POST", "/subscriptions", {
        body: { transaction_token_id: await token(api, "recurring"), amount: 500, currency: "JPY", period: "daily" },
      }),
      201,
    );
    await a.clock.advance(SETTLE_MS);
    const pending = ok(await charge(api, recurring, { amount: 1700 }), 201);
    const refund = ok(
      await api.request("POST", `/stores/${storeId}/charges/${String(toRefund["id"])}/refunds`, { body: { amount: 1000, currency: "JPY" } }),
      201,
    );
    const cancel = ok(await api.request("POST", `/stores/${storeId}/charges/${String(toCancel["id"])}/cancels`, { body: {} }), 201);
    await closeSandbox(a);

    // Down for two days: every settlement, the capture_at and the next subscription run fell due.
    const b = start(stateFile, a.clock.now() + 2 * DAY_MS);
    const apiB = createSandboxClient((await b.listen(0)).url, b.demo);
    await b.clock.settle(); // only what is already due; time does not move
    const get = async (path: string): Promise<Json> => ok(await apiB.request("GET", `/stores/${storeId}${path}`));
    expect((await get(`/charges/${String(pending["id"])}`))["status"]).toBe("successful");
    expect((await get(`/charges/${String(toRefund["id"])}/refunds/${String(refund["id"])}`))["status"]).toBe("successful");
    expect((await get(`/charges/${String(toCancel["id"])}`))["status"]).toBe("canceled");
    expect((await get(`/charges/${String(toCancel["id"])}/cancels/${String(cancel["id"])}`))["status"]).toBe("successful");
    // capture_at started its capture at once; the capture settles settleDelayMs later, as always.
    expect((await get(`/charges/${String(autoCapture["id"])}`))["status"]).toBe("pending");
    const subCharges = (await get(`/subscriptions/${String(sub["id"])}/charges`))["items"] as Json[];
    expect(subCharges.length).toBe(2);
    await b.clock.advance(SETTLE_MS);
    expect((await get(`/charges/${String(autoCapture["id"])}`))["status"]).toBe("successful");
    expect(((await get(`/subscriptions/${String(sub["id"])}/charges`))["items"] as Json[]).map((c) => c["status"])).toEqual(["successful", "successful"]);
  });

  it("journal batches alone (no close, no compaction) reproduce the live state after every kind of change", async () => {
    const stateFile = join(dir, "state.json");
    const a = start(stateFile);
    const urlA = (await a.listen(0)).url;
    const api = createSandboxClient(urlA, a.demo);
    const storeId = a.demo.storeId;
    const ids: Record<string, string> = {};
    const keep = async (name: string, res: Promise<ApiResponse>, status = 201): Promise<void> => {
      ids[name] = String(ok(await res, status)["id"]);
    };
    const c = (name: string): string => `/stores/${storeId}/charges/${ids[name] ?? ""}`;
    const recurringToken = (name: string, card = OK_CARD, type: "recurring" | "subscription" | "one_time" = "recurring") =>
      keep(
        name,
        api.request("POST", "/tokens", {
          body: {
            payment_type: "card",
            type,
            email: "taro@example.com",
            data: { cardholder: "TARO YAMADA", card_number: card, exp_month: 12, exp_year: 2099, cvv: "123" },
          },
        }),
      );
    const settle = () => a.clock.advance(SETTLE_MS);
    // Each step is saved before the next, so every change must be noticed on its own.
    const steps: Array<[string, () => Promise<unknown>]> = [
      ["webhook", () => keep("hook", api.request("POST", "/webhooks", { body: { url: "http://127.0.0.1:9/none", triggers: ["charge_finished"] } }))],
      ["recurring token", () => recurringToken("t1")],
      ["charge (token last used)", () => keep("c1", charge(api, ids["t1"] ?? "", { metadata: { order: "A-1" } }, { "Idempotency-Key": "k1" }))],
      ["auth-only charge", () => keep("c2", charge(api, ids["t1"] ?? "", { amount: 700, capture: false }))],
      ["settlements", settle],
      ["charge metadata", () => api.request("PATCH", c("c1"), { body: { metadata: { order: "A-2" } } })],
      ["webhook patch", () => api.request("PATCH", `/stores/${storeId}/webhooks/${ids["hook"] ?? ""}`, { body: { active: false } })],
      ["token patch", () => api.request("PATCH", `/stores/${storeId}/tokens/${ids["t1"] ?? ""}`, { body: { email: "new@example.com" } })],
      ["cancel (charge cancel pending)", () => keep("x2", api.request("POST", `${c("c2")}/cancels`, { body: {} }))],
      ["cancel settles", settle],
      ["refund", () => keep("r1", api.request("POST", `${c("c1")}/refunds`, { body: { amount: 100, currency: "JPY" } }))],
      ["refund metadata", () => api.request("PATCH", `${c("c1")}/refunds/${ids["r1"] ?? ""}`, { body: { metadata: { note: "x" } } })],
      ["cancel metadata", () => api.request("PATCH", `${c("c2")}/cancels/${ids["x2"] ?? ""}`, { body: { metadata: { note: "y" } } })],
      [
        "cancel-failing card",
        async () => {
          await recurringToken("t2", "4012888888881881");
          await keep("c3", charge(api, ids["t2"] ?? "", { amount: 800, capture: false }));
          await settle();
        },
      ],
      ["cancel that will fail", () => api.request("POST", `${c("c3")}/cancels`, { body: {} })],
      ["failed cancel (charge cancel pending cleared)", settle],
      ["one-time token, real card", () => recurringToken("t3", REAL_CARD, "one_time")],
      ["charge (one-time token used up)", () => keep("c4", charge(api, ids["t3"] ?? "", { amount: 900 }))],
      ["subscription token", () => recurringToken("t4", OK_CARD, "subscription")],
      [
        "subscription (token used up)",
        () => keep("s1", api.request("POST", "/subscriptions", { body: { transaction_token_id: ids["t4"], amount: 300, currency: "JPY", period: "monthly" } })),
      ],
      ["first subscription charge", settle],
      ["subscription metadata", () => api.request("PATCH", `/stores/${storeId}/subscriptions/${ids["s1"] ?? ""}`, { body: { metadata: { plan: "gold" } } })],
      ["customer id", () => api.request("POST", `/stores/${storeId}/create_customer_id`, { body: { customer_id: "cust-9" } })],
      ["token to delete", () => recurringToken("t5", OK_CARD, "one_time")],
      ["token deleted", () => api.request("DELETE", `/stores/${storeId}/tokens/${ids["t5"] ?? ""}`)],
      ["second webhook", () => keep("hook2", api.request("POST", "/webhooks", { body: { url: "http://127.0.0.1:9/two", triggers: ["charge_finished"] } }))],
      ["admin disables it", () => fetch(`${urlA}/_sandbox/webhooks/${ids["hook2"] ?? ""}/disable`, { method: "POST" })],
      ["another subscription token", () => recurringToken("t6", "4000020000000000", "subscription")],
      [
        "subscription moves to it (token used up)",
        () => api.request("PATCH", `/stores/${storeId}/subscriptions/${ids["s1"] ?? ""}`, { body: { transaction_token_id: ids["t6"] } }),
      ],
      [
        "webhook to a 404 receiver",
        async () => {
          const gone = await startWebhookReceiver([404]);
          receivers.push(gone);
          await keep("hook3", api.request("POST", "/webhooks", { body: { url: gone.url, triggers: ["charge_finished"] } }));
        },
      ],
      ["a charge whose webhook keeps failing", () => keep("c5", charge(api, ids["t1"] ?? "", { amount: 1100 }))],
      ["webhook disabled after 10 attempts", () => a.clock.advance(5 * 60 * 60 * 1000)],
      [
        "a store via the admin API",
        () =>
          fetch(`${urlA}/_sandbox/stores`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ name: "s2", mode: "live" }),
          }),
      ],
    ];
    for (const [i, [name, step]] of steps.entries()) {
      await step();
      await a.saveState();
      // The file as a SIGKILL would leave it: copied now, the first sandbox still running.
      const copy = join(dir, `copy-${i}.json`);
      copyFileSync(stateFile, copy);
      const b = createSandbox({ clock: createManualClock(a.clock.now()), stateFile: copy, settleDelayMs: SETTLE_MS, rateLimits: false });
      try {
        expect({ step: name, lines: stateLinesOf(b) }).toEqual({ step: name, lines: stateLinesOf(a) });
        expect(b.demo).toEqual(a.demo);
      } finally {
        await b.close();
      }
    }
    expect(ok(await api.request("GET", `/stores/${storeId}/webhooks/${ids["hook3"] ?? ""}`))["active"]).toBe(false);
    const loaded = readStateFile(stateFile);
    expect(loaded?.snapshotBytes).toBeLessThan(loaded?.committedBytes ?? 0); // journal batches, not one snapshot
  });

  it("a sandbox killed without close() loses nothing once its debounced save ran", async () => {
    const stateFile = join(dir, "state.json");
    const a = createSandbox({ stateFile, settleDelayMs: 0, rateLimits: false });
    open.push(a);
    const api = createSandboxClient((await a.listen(0)).url, a.demo);
    const tokenId = await token(api, "one_time");
    const c = ok(await charge(api, tokenId), 201);
    // No saveState(): the debounced save must write it within about a second.
    const deadline = Date.now() + 3000;
    while (!readFileSync(stateFile, "utf8").includes(`"${String(c["id"])}"`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1200)); // the settlement's batch too
    const copy = join(dir, "killed.json");
    copyFileSync(stateFile, copy);
    const b = createSandbox({ stateFile: copy, settleDelayMs: 0, rateLimits: false });
    open.push(b);
    const apiB = createSandboxClient((await b.listen(0)).url, b.demo);
    expect(b.demo).toEqual(a.demo);
    expect(ok(await apiB.request("GET", `/stores/${b.demo.storeId}/charges/${String(c["id"])}`))["status"]).toBe("successful");
  });

  it("refuses a second sandbox on a file that is in use, and reopens it after close()", async () => {
    const stateFile = join(dir, "state.json");
    const a = start(stateFile);
    expect(() => createSandbox({ stateFile })).toThrow(/already open in this process/);
    await closeSandbox(a);
    const b = start(stateFile);
    expect(b.demo).toEqual(a.demo);
  });
});
