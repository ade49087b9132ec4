import { createManualClock, createSandbox, type Sandbox, type WebhookDeliveryAttempt } from "../../src/sandbox/sandbox";
import { createSandboxClient, type SandboxClient } from "../../src/sandbox/testing/sandbox-client";
import { startWebhookReceiver, type ReceiverReply, type WebhookReceiver } from "../../src/sandbox/testing/webhook-receiver";

const MIN = 60_000;

describe("sandbox webhook delivery", () => {
  let sandbox: Sandbox;
  let api: SandboxClient;
  let receiver: WebhookReceiver;
  let storeId: string;
  let baseUrl: string;

  async function setup(script: ReceiverReply[]): Promise<string> {
    sandbox = createSandbox({ clock: createManualClock(), rateLimits: false, settleDelayMs: 0 });
    baseUrl = (await sandbox.listen(0)).url;
    api = createSandboxClient(baseUrl, sandbox.demo);
    storeId = sandbox.demo.storeId;
    receiver = await startWebhookReceiver(script);
    const hook = await api.request("POST", "/webhooks", { body: { url: receiver.url, triggers: ["charge_finished"], auth_token: "tok" } });
    return String(hook.body?.["id"]);
  }

  afterEach(async () => {
    await sandbox.close();
    await receiver.close();
  });

  async function payOnce(): Promise<void> {
    const token = await api.request("POST", "/tokens", {
      body: {
        payment_type: "card",
        type: "one_time",
        email: "a@example.com",
        data: { cardholder: "TARO YAMADA", card_number: "4000020000000000", exp_month: 12, exp_year: 2099, cvv: "123" },
      },
    });
    const charge = await api.request("POST", "/charges", { body: { transaction_token_id: token.body?.["id"], amount: 100, currency: "JPY" } });
    expect(charge.status).toBe(201);
  }

  const attempts = (): readonly WebhookDeliveryAttempt[] => sandbox.webhookDeliveries();
  const gapsInMinutes = (list: readonly WebhookDeliveryAttempt[]): number[] =>
    list.slice(1).map((a, i) => (Date.parse(a.attemptedOn) - Date.parse(list[i]?.attemptedOn ?? "")) / MIN);
  const firstAttempt = (): Promise<WebhookDeliveryAttempt> => new Promise((r) => sandbox.onWebhookAttempt(r));

  it("retries a 503 after 1, 2, 4, 8, then every 15 minutes, 10 attempts, and never disables", async () => {
    const hookId = await setup([503]);
    const first = firstAttempt();
    await payOnce();
    await first;
    await sandbox.clock.advance(3 * 60 * MIN);
    const list = attempts();
    expect(list.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(gapsInMinutes(list)).toEqual([1, 2, 4, 8, 15, 15, 15, 15, 15]);
    expect(list[9]?.outcome).toBe("gave_up");
    expect(new Set(list.map((a) => a.deliveryId)).size).toBe(1);
    expect(receiver.received).toHaveLength(10);
    expect((await api.request("GET", `/stores/${storeId}/webhooks/${hookId}`)).body?.["active"]).toBe(true);
  });

  it("disables the webhook after 10 attempts answered 500", async () => {
    const hookId = await setup([500]);
    const first = firstAttempt();
    await payOnce();
    await first;
    await sandbox.clock.advance(3 * 60 * MIN);
    expect(attempts()).toHaveLength(10);
    expect(attempts()[9]).toMatchObject({ outcome: "disabled", status: 500 });
    expect((await api.request("GET", `/stores/${storeId}/webhooks/${hookId}`)).body?.["active"]).toBe(false);
  });

  it("disables at once on a 3xx, sends nothing while disabled, resumes after PATCH active", async () => {
    const hookId = await setup([302, 200]);
    const first = firstAttempt();
    await payOnce();
    expect(await first).toMatchObject({ attempt: 1, status: 302, outcome: "disabled" });
    await sandbox.clock.advance(60 * MIN);
    expect(receiver.received).toHaveLength(1);
    await payOnce();
    await sandbox.clock.advance(60 * MIN);
    expect(receiver.received).toHaveLength(1);
    const patched = await api.request("PATCH", `/merchants/${"x"}/stores/${storeId}/webhooks/${hookId}`, { body: { active: true } });
    expect(patched.status).toBe(403); // wrong merchant id in the path
    const ok = await api.request("PATCH", `/stores/${storeId}/webhooks/${hookId}`, { body: { active: "true" } });
    expect(ok.body?.["active"]).toBe(true);
    await payOnce();
    const got = await receiver.waitFor(2);
    expect(got[1]?.body["event"]).toBe("charge_finished");
  });

  it("skips a webhook disabled through the admin endpoint", async () => {
    const hookId = await setup([200]);
    const res = await fetch(`${baseUrl}/_sandbox/webhooks/${hookId}/disable`, { method: "POST" });
    expect(res.status).toBe(200);
    await payOnce();
    await sandbox.clock.advance(MIN);
    expect(receiver.received).toHaveLength(0);
  });

  it("records withheld deliveries without sending them", async () => {
    await setup([200]);
    const res = await fetch(`${baseUrl}/_sandbox/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ webhooks: { withhold: true } }),
    });
    expect(res.status).toBe(200);
    const first = firstAttempt();
    await payOnce();
    expect(await first).toMatchObject({ outcome: "withheld", status: null });
    const log = (await (await fetch(`${baseUrl}/_sandbox/webhook-deliveries`)).json()) as { items: WebhookDeliveryAttempt[] };
    expect(log.items).toHaveLength(1);
    expect(receiver.received).toHaveLength(0);
  });

  it("counts a receiver that does not answer within 3 s as a timeout and retries", async () => {
    await setup(["hang", 200]);
    const first = firstAttempt();
    await payOnce();
    const a1 = await first;
    expect(a1).toMatchObject({ status: null, outcome: "retry_scheduled" });
    expect(a1.error).toMatch(/^Request timeout to 127\.0\.0\.1:\d+ after 3 seconds$/);
    await sandbox.clock.advance(MIN);
    expect(attempts()[1]).toMatchObject({ attempt: 2, status: 200, outcome: "delivered" });
  });
});
