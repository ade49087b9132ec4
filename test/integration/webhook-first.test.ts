/**
 * Webhook-first settlement (issue 10, item 3): once a merchant's webhooks are arriving, a waiting
 * legacy request is settled by the webhook for its charge (the processor settles from the
 * authenticated body and wakes the request) instead of polling UnivaPay, whose GET budget per
 * store is less than half its charge budget. Polling stays as the fallback.
 */
import { creationTransitionId } from "../../src/store/store-types";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

describe("webhook-first settlement", () => {
  let h: Harness;
  const lines: Array<Record<string, unknown>> = [];
  /** The gateway's GETs of a charge since `from` (its debug lines of UnivaPay calls). */
  const chargeGets = (from: number) => lines.slice(from).filter((l) => l.msg === "univapay call" && l.method === "GET" && String(l.route).includes("charges"));
  beforeAll(async () => {
    // Charges settle 300 ms after their create, so a poll is held until then (visible to onPollHeld).
    h = await startHarness({ db: "sqlite", env: { ANSWER_DEADLINE_MS: "3000" }, sandbox: { settleDelayMs: 300 }, logLines: lines });
    h.gateway.processor.start(1_000); // webhooks are processed as they arrive, as in production
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => h.sandbox.faults.clear());

  const get = async (q: string) => replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?${q}`))).body);
  const chargesOf = async (pid: string) => (await h.listCharges()).filter((c) => c.metadata["legacy-pid"] === pid);
  /** Every GET of a charge fails: only a webhook can settle a payment now. */
  const noPolls = () => h.sandbox.faults.set({ routes: [{ method: "GET", pathPattern: "/stores/*/charges/*", errorStatus: 503 }] });

  it("polls while no webhook of the merchant has arrived yet", async () => {
    const from = lines.length;
    const r = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=3100&sod=WF0`);
    expect(field(r, "rst")).toBe("1");
    expect(chargeGets(from).length).toBeGreaterThan(0);
    const [charge] = await chargesOf(field(r, "pid")!);
    await h.waitForWebhook(charge!.id);
  });

  it("answers rst=1 from the charge's webhook, with no GET of the charge", async () => {
    noPolls();
    const from = lines.length;
    const r = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=3200&sod=WF1&no=1`);
    expect(chargeGets(from)).toEqual([]);
    expect([field(r, "rst"), field(r, "no")]).toEqual(["1", "1"]);
    const pid = field(r, "pid")!;
    const [charge] = await chargesOf(pid);
    expect(charge?.status).toBe("successful");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("captured");
    await h.drain();
    expect(h.receiver.received.filter((k) => field(replyFields(k.rawQuery), "pid") === pid)).toHaveLength(1);
  });

  it("answers an AUTH from its charge_updated webhook", async () => {
    noPolls();
    const r = await get(`sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=3300&sod=WF2`);
    expect(field(r, "rst")).toBe("1");
    expect((await h.gateway.store.findPaymentByPid(field(r, "pid")!))?.state).toBe("authorized");
  });

  it("answers a declined charge rst=2 with its ec from the webhook", async () => {
    noPolls();
    const r = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-decline&siam1=3400&sod=WF3`);
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).not.toBe("ER000P02P02");
    expect((await h.gateway.store.findTransition(creationTransitionId(field(r, "pid")!)))?.state).toBe("failed");
  });

  it("settles a charge whose create answer is lost every time from its webhook: rst=1, one charge, one kickback", async () => {
    h.sandbox.faults.set({ routes: [{ method: "POST", pathPattern: "/charges", dropRate: 1, when: "after" }] });
    const r = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=3500&sod=WF4`);
    expect(field(r, "rst")).toBe("1");
    const pid = field(r, "pid")!;
    expect(await chargesOf(pid)).toHaveLength(1);
    h.sandbox.faults.clear();
    await h.drain();
    expect(h.receiver.received.filter((k) => field(replyFields(k.rawQuery), "pid") === pid)).toHaveLength(1);
  });

  it("falls back to polling when the webhook does not come", async () => {
    h.sandbox.faults.set({ webhooks: { withhold: true } });
    const r = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=3600&sod=WF5`);
    expect(field(r, "rst")).toBe("1");
  });
});
