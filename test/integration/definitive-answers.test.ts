/**
 * Definitive answers (issue 10): whatever goes wrong between the gateway and UnivaPay, the answer
 * the merchant reads and the money agree. rst=1: the charge went through; rst=2: nothing moved,
 * or what moved is voided or refunded by the gateway without a success kickback. Faults are
 * injected in the sandbox (lost answers, slow settlement) and in the store (a failure after the
 * POST).
 */
import { ecFor } from "../../src/mapping";
import { creationTransitionId } from "../../src/store/store-types";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

/** Runs the reconciler (its clock past the staleness window) and the queues until the transition
 *  is finished: the reversal's own cancel or refund settles at the sandbox's pace. */
async function finishReversal(h: Harness, pid: string): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    const state = (await h.gateway.store.findTransition(creationTransitionId(pid)))?.state;
    if (state !== "reversing" && state !== "requested" && state !== "pending") return state;
    h.advance(200_000);
    await h.gateway.reconciler.tick();
    await h.drain();
    await new Promise((r) => setTimeout(r, 100));
  }
  return (await h.gateway.store.findTransition(creationTransitionId(pid)))?.state;
}

describe("definitive answers", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres", env: { ANSWER_DEADLINE_MS: "1500" } });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => h.sandbox.faults.clear());

  const get = async (target: string) => replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(target))).body);
  const chargesOf = async (pid: string) => (await h.listCharges()).filter((c) => c.metadata["legacy-pid"] === pid);
  const kickbacksOf = (pid: string) => h.receiver.received.filter((x) => field(replyFields(x.rawQuery), "pid") === pid);

  it("a create whose answer is lost once is re-sent with the same key and answered rst=1 with one charge", async () => {
    h.sandbox.faults.set({ routes: [{ method: "POST", pathPattern: "/charges", dropRate: 1, when: "after", times: 1 }] });
    const r = await get(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1200&sod=DEF1&no=7`);
    expect(field(r, "rst")).toBe("1");
    const pid = field(r, "pid")!;
    const charges = await chargesOf(pid);
    expect(charges).toHaveLength(1);
    expect(charges[0]?.status).toBe("successful");
  });

  it("an answer lost at every try is rst=2 outcome_unknown with pid, sod and echo, and the charge that went through is voided without a kickback", async () => {
    h.sandbox.faults.set({ routes: [{ method: "POST", pathPattern: "/charges", dropRate: 1, when: "after" }] });
    const r = await get(`/memberpay.aspx?sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=1300&sod=DEF2&no=8`);
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).toBe(ecFor(h.gateway.deps.table, "outcome_unknown"));
    expect(field(r, "sod")).toBe("DEF2");
    expect(field(r, "no")).toBe("8");
    const pid = field(r, "pid")!;
    expect(pid).toMatch(/^\d{8}$/);
    h.sandbox.faults.clear();

    const [charge] = await chargesOf(pid);
    expect(charge).toBeDefined(); // UnivaPay did process it: money moved
    await h.waitForWebhook(charge!.id);
    await h.drain();
    expect(await finishReversal(h, pid)).toBe("reversed");
    expect((await h.listCharges()).find((c) => c.id === charge!.id)?.status).toBe("canceled");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("reversed");
    expect(kickbacksOf(pid)).toHaveLength(0);

    // The same request again is held to the first answer.
    const again = await get(`/memberpay.aspx?sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=1300&sod=DEF2&no=8`);
    expect(field(again, "rst")).toBe("2");
    expect(field(again, "pid")).toBe(pid);
  });
});

describe("definitive answers: every poll lost", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "sqlite", env: { ANSWER_DEADLINE_MS: "1500" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("is answered rst=2 outcome_unknown and the capture that went through is refunded, with no kickback", async () => {
    h.sandbox.faults.set({ routes: [{ method: "GET", pathPattern: "/stores/*/charges/*", dropRate: 1, when: "after" }] });
    let r: ReturnType<typeof replyFields>;
    try {
      r = replyFields(
        (await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1450&sod=DEF6&no=6`))).body,
      );
    } finally {
      h.sandbox.faults.clear();
    }
    expect([field(r, "rst"), field(r, "ec"), field(r, "sod"), field(r, "no")]).toEqual(["2", ecFor(h.gateway.deps.table, "outcome_unknown"), "DEF6", "6"]);
    const pid = field(r, "pid")!;
    const [charge] = (await h.listCharges()).filter((c) => c.metadata["legacy-pid"] === pid);
    expect(charge?.status).toMatch(/pending|successful/); // the money moves while every poll is lost
    await h.drain();
    expect(await finishReversal(h, pid)).toBe("reversed");
    expect((await h.listRefunds(charge!.id)).map((x) => [x.amount, x.status])).toEqual([[1450, "successful"]]);
    expect(h.receiver.received.filter((x) => field(replyFields(x.rawQuery), "pid") === pid)).toHaveLength(0);
  });
});

describe("definitive answers: a store failure after the POST", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres", env: { ANSWER_DEADLINE_MS: "1500" } });
  });
  afterAll(async () => {
    await h?.close();
  });
  const get = async (target: string) => replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(target))).body);
  const chargesOf = async (pid: string) => (await h.listCharges()).filter((c) => c.metadata["legacy-pid"] === pid);
  const kickbacksOf = (pid: string) => h.receiver.received.filter((x) => field(replyFields(x.rawQuery), "pid") === pid);

  it("a store failure after the charge was sent is answered rst=2 with the pid, and the reconciler refunds the capture", async () => {
    const store = h.gateway.deps.store as unknown as Record<string, unknown>;
    const real = { settleTransition: store.settleTransition, moveTransition: store.moveTransition };
    const broken = () => Promise.reject(new Error("injected store failure"));
    store.settleTransition = broken;
    store.moveTransition = broken;
    let r: ReturnType<typeof replyFields>;
    try {
      r = await get(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1400&sod=DEF3&no=9`);
    } finally {
      Object.assign(store, real);
    }
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).toBe(ecFor(h.gateway.deps.table, "outcome_unknown"));
    expect(field(r, "sod")).toBe("DEF3");
    const pid = field(r, "pid")!;
    const [charge] = await chargesOf(pid);
    expect(charge?.status).toBe("successful");
    // Still open in the store (its writes failed): past its deadline the reconciler reverses it.
    expect((await h.gateway.store.findTransition(creationTransitionId(pid)))?.state).toMatch(/requested|pending/);
    expect(await finishReversal(h, pid)).toBe("reversed");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("reversed");
    await h.drain();
    expect(kickbacksOf(pid)).toHaveLength(0);
  });
});

describe("definitive answers: a charge still pending at the deadline", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "sqlite", env: { ANSWER_DEADLINE_MS: "1000" }, sandbox: { settleDelayMs: 2500 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("is answered rst=2 and voided once it authorises, with no kickback", async () => {
    const r = replyFields(
      (await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=900&sod=DEF4`))).body,
    );
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).toBe(ecFor(h.gateway.deps.table, "outcome_unknown"));
    const pid = field(r, "pid")!;
    const [charge] = (await h.listCharges()).filter((c) => c.metadata["legacy-pid"] === pid);
    await h.waitForWebhook(charge!.id, "charge_updated"); // authorised
    await h.drain();
    expect(await finishReversal(h, pid)).toBe("reversed");
    expect((await h.listCharges()).find((c) => c.id === charge!.id)?.status).toBe("canceled");
    expect(h.receiver.received.filter((x) => field(replyFields(x.rawQuery), "pid") === pid)).toHaveLength(0);
  });
});

describe("definitive answers: a merchant that accepts pending answers", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "sqlite", acceptsPending: true, env: { ANSWER_DEADLINE_MS: "1000" }, sandbox: { settleDelayMs: 2500 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("is answered rst=0 and told the result by kickback", async () => {
    const r = replyFields(
      (await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=950&sod=DEF5`))).body,
    );
    expect(field(r, "rst")).toBe("0");
    const pid = field(r, "pid")!;
    const [charge] = (await h.listCharges()).filter((c) => c.metadata["legacy-pid"] === pid);
    await h.waitForWebhook(charge!.id, "charge_updated"); // authorised
    await h.drain();
    const k = replyFields((await h.receiver.waitFor((x) => field(replyFields(x.rawQuery), "pid") === pid)).rawQuery);
    expect(field(k, "rst")).toBe("1");
    expect((await h.listCharges()).find((c) => c.id === charge!.id)?.status).toBe("authorized");
  });
});
