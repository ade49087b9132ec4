/**
 * The asynchronous path: UnivaPay (the sandbox) posts a webhook, the gateway stores it, re-fetches
 * the charge and sends the kickback. Also: webhook authentication and de-duplication, and exactly
 * one kickback when the synchronous path and the webhook both see the same result.
 */
import axios from "axios";
import { ecFor } from "../../src/mapping";
import { insertPayment } from "../contract/store-builders";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(60_000);

describe("webhook → kickback", () => {
  let h: Harness;
  beforeAll(async () => {
    // The charge settles after the legacy request has given up waiting: the result must arrive by kickback.
    h = await startHarness({ db: "sqlite", pollDeadlineMs: 0, acceptsPending: true, sandbox: { settleDelayMs: 300 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers rst=0 while pending, then delivers the final result by kickback", async () => {
    const res = await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=400&sod=W1&no=9`));
    const r = replyFields(res.body);
    expect(field(r, "rst")).toBe("0");
    expect(field(r, "ec")).toBe(ecFor(h.gateway.deps.table, "result_pending"));
    const pid = field(r, "pid")!;
    expect(pid).toMatch(/^\d{8}$/);
    const payment = await h.gateway.store.findPaymentByPid(pid);
    expect(payment?.state).toBe("pending");
    await h.waitForWebhook(payment!.chargeId!, "charge_finished");
    await h.drain();
    const k = replyFields((await h.receiver.waitFor((x) => field(replyFields(x.rawQuery), "pid") === pid)).rawQuery);
    expect(field(k, "rst")).toBe("1");
    expect(field(k, "job")).toBe("CAPTURE");
    expect(field(k, "no")).toBe("9");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("captured");
  });

  it("refuses a webhook with a wrong Authorization token with 401 and stores nothing", async () => {
    const res = await axios.post(
      `${h.gateway.url}/webhooks/univapay`,
      { event: "charge_finished", data: { id: "x", status: "successful" } },
      { headers: { Authorization: "wrong" }, validateStatus: () => true },
    );
    expect(res.status).toBe(401);
  });

  it("stores a genuine delivery once and answers 200 to its redelivery", async () => {
    const body = { id: "evt-dup-1", event: "token_created", data: { id: "tok-1" } };
    const headers = { Authorization: h.merchant.webhookToken.reveal() };
    const a = await axios.post(`${h.gateway.url}/webhooks/univapay`, body, { headers });
    const b = await axios.post(`${h.gateway.url}/webhooks/univapay`, body, { headers });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.data.duplicate).toBe(false);
    expect(b.data.duplicate).toBe(true);
  });

  it("answers 200 (never 4xx) to an authenticated delivery it cannot parse, and keeps it", async () => {
    const res = await axios.post(`${h.gateway.url}/webhooks/univapay`, "not json", {
      headers: { Authorization: h.merchant.webhookToken.reveal(), "Content-Type": "application/json" },
      transformRequest: [(d: unknown) => d],
      validateStatus: () => true,
    });
    expect(res.status).toBe(200);
  });
});

describe("sync path and webhook see the same result", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("sends exactly one kickback for the transition", async () => {
    const res = await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=610&sod=ONE`));
    const pid = field(replyFields(res.body), "pid")!;
    expect(field(replyFields(res.body), "rst")).toBe("1");
    // Wait until the webhook for this charge has been stored and processed, then drain.
    const payment = await h.gateway.store.findPaymentByPid(pid);
    await h.waitForWebhook(payment!.chargeId!);
    await h.drain();
    const kicks = h.receiver.received.filter((x) => field(replyFields(x.rawQuery), "pid") === pid);
    expect(kicks).toHaveLength(1);
    expect(await h.gateway.store.listKickbacks(pid)).toHaveLength(1);
  });
});

describe("webhooks an attacker holding one token could send", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "sqlite" });
  });
  afterAll(async () => {
    await h?.close();
  });
  const post = (body: unknown) => axios.post(`${h.gateway.url}/webhooks/univapay`, body, { headers: { Authorization: h.merchant.webhookToken.reveal() } });

  it("does not drop a merchant's genuine event because another merchant's token sent the same id first", async () => {
    await h.gateway.store.insertWebhookEvent({ sid: "999999", dedupeKey: "id:evt-shared", event: "charge_finished", resourceId: "x", body: "{}" }, new Date());
    const res = await post({ id: "evt-shared", event: "token_created", data: { id: "tok-2" } });
    expect(res.data.duplicate).toBe(false);
  });

  it("spends one API call on an event about a charge that does not exist, and does not retry it", async () => {
    const res = await post({ id: "evt-forged-1", event: "charge_finished", data: { id: "11111111-2222-3333-4444-555555555555", status: "successful" } });
    expect(res.status).toBe(200);
    await h.drain();
    const claimed = await h.gateway.store.claimDueWebhookEvents("test", new Date(Date.now() + 86_400_000), 1000, 1);
    expect(claimed.find((e) => e.dedupeKey === "id:evt-forged-1")).toBeUndefined(); // final, not waiting for a retry
  });

  it("bounds the API calls spent on unmatched events per merchant, and on replays of a known charge per charge", async () => {
    const { processWebhookEvent } = await import("../../src/webhooks/webhook-processor");
    const row = (n: number, chargeId: string) => ({
      id: `r${n}`,
      sid: h.sid,
      dedupeKey: `k${n}`,
      event: "charge_finished",
      resourceId: null,
      state: "pending" as const,
      attempts: 1,
      nextAttemptAt: new Date(),
      lockedBy: "test",
      lockedUntil: null,
      lastError: null,
      receivedAt: new Date(),
      body: JSON.stringify({ event: "charge_finished", data: { id: chargeId } }),
    });
    const asked: Array<[string, boolean]> = [];
    let allowed = 1;
    const budget = { take: (_sid: string, id: string, matched: boolean) => (asked.push([id, matched]), allowed-- > 0) };
    expect(await processWebhookEvent(h.gateway.deps, row(1, "aaaaaaaa-0000-0000-0000-000000000001"), budget)).toEqual({
      kind: "ignored",
      note: "resource not found at UnivaPay",
    });
    expect(await processWebhookEvent(h.gateway.deps, row(2, "aaaaaaaa-0000-0000-0000-000000000002"), budget)).toEqual({
      kind: "ignored",
      note: "webhook fetch budget spent",
    });
    // A payment still pending (the charge settles later): a replayed event about it costs a fetch from its own budget.
    const { row: p } = await insertPayment(
      h.gateway.store,
      {
        sid: h.sid,
        requestKey: "h1:webhook-budget",
        chargeId: "bbbbbbbb-0000-0000-0000-000000000001",
        tokenId: null,
        job: "CAPTURE",
        svid: "1",
        amount: 1,
        total: 1,
        sod: null,
        orderKey: null,
        state: "pending",
        echo: "",
        charset: "UTF-8",
        mode: "test",
      },
      { state: "pending", resource: "charge", univapayId: "bbbbbbbb-0000-0000-0000-000000000001", univapayStatus: "pending" },
    );
    expect(await processWebhookEvent(h.gateway.deps, row(3, p.chargeId!), budget)).toEqual({ kind: "ignored", note: "webhook fetch budget spent" });
    expect(asked[2]).toEqual([p.chargeId, true]);
  });

  it("per resource: five fetches a minute for one known charge, then none", async () => {
    const { createFetchBudget } = await import("../../src/webhooks/webhook-processor");
    let t = 0;
    const budget = createFetchBudget(() => t);
    const taken = Array.from({ length: 7 }, () => budget.take("1", "ch", true));
    expect(taken).toEqual([true, true, true, true, true, false, false]);
    t += 12_000; // one minute / 5
    expect(budget.take("1", "ch", true)).toBe(true);
    expect(budget.take("1", "other", true)).toBe(true);
  });
});
