/**
 * Definitive answers for operations on a pid (issue 10, item 2): a SALES or CANCEL whose outcome
 * is unknown when the merchant must be answered — its answer lost, or the store failing after
 * the POST — still answers with the pid, job, sod and echo. A capture is answered rst=2 and,
 * if it went through, refunded (the money ends as the merchant was told); a cancel cannot be
 * undone, so it is answered rst=0 ("accepted", which the EC-CUBE legacy plugin reads as such for
 * CANCEL) and its result follows by kickback.
 */
import { ecFor } from "../../src/mapping";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

describe("definitive answers for operations", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres", env: { ANSWER_DEADLINE_MS: "1500" } });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => h.sandbox.faults.clear());

  const get = async (target: string) => replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(target))).body);
  const chargeOf = async (pid: string) => (await h.listCharges()).find((c) => c.metadata["legacy-pid"] === pid);
  const kickbacksOf = (pid: string, job: string) =>
    h.receiver.received.filter((x) => field(replyFields(x.rawQuery), "pid") === pid && field(replyFields(x.rawQuery), "job") === job);
  const transitionOf = async (pid: string, job: string) => (await h.gateway.store.listTransitions(pid)).find((t) => t.job === job);

  /** An authorised payment, its kickback delivered. */
  async function authorised(sod: string, amount: number): Promise<string> {
    const r = await get(`/memberpay.aspx?sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=${amount}&sod=${sod}`);
    expect(`${field(r, "rst")} ${field(r, "ec")}`).toBe("1 ER000000000");
    await h.drain();
    return field(r, "pid")!;
  }

  /** Runs the reconciler past the staleness and proof windows until `job`'s transition is finished. */
  async function finish(pid: string, job: string): Promise<string | undefined> {
    for (let i = 0; i < 100; i++) {
      const state = (await transitionOf(pid, job))?.state;
      if (state !== "reversing" && state !== "requested" && state !== "pending") return state;
      h.advance(200_000);
      await h.gateway.reconciler.tick();
      await h.drain();
      await new Promise((r) => setTimeout(r, 100));
    }
    return (await transitionOf(pid, job))?.state;
  }

  function breakStore(...methods: string[]): () => void {
    const store = h.gateway.deps.store as unknown as Record<string, unknown>;
    const real = Object.fromEntries(methods.map((m) => [m, store[m]]));
    for (const m of methods) store[m] = () => Promise.reject(new Error("injected store failure"));
    return () => Object.assign(store, real);
  }

  it("a store failure after the capture POST answers rst=2 with pid, job, sod and echo, and the capture is refunded", async () => {
    const pid = await authorised("OPS1", 2100);
    const mend = breakStore("recordPending", "settleTransition", "moveTransition");
    let r: ReturnType<typeof replyFields>;
    try {
      r = await get(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&rt=4&job=SALES&pid=${pid}&sod=OPS1&no=41`);
    } finally {
      mend();
    }
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).toBe(ecFor(h.gateway.deps.table, "outcome_unknown"));
    expect(field(r, "pid")).toBe(pid);
    expect(field(r, "job")).toBe("SALES");
    expect(field(r, "no")).toBe("41");
    expect((await chargeOf(pid))?.status).toMatch(/pending|successful/); // UnivaPay is capturing it

    expect(await finish(pid, "SALES")).toBe("reversed");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("reversed");
    const charge = await chargeOf(pid);
    const refunds = await h.listRefunds(charge!.id);
    expect(refunds.map((x) => [x.amount, x.status])).toEqual([[2100, "successful"]]);
    expect(kickbacksOf(pid, "SALES")).toHaveLength(0);
    // A SALES again is refused: nothing is left to capture.
    const again = await get(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&rt=4&job=SALES&pid=${pid}&x=1`);
    expect(field(again, "rst")).toBe("2");
    expect(field(again, "ec")).toBe(ecFor(h.gateway.deps.table, "operation_not_allowed"));
  });

  it("a capture whose answer is lost at every try answers rst=2; a second SALES meanwhile is refused; the capture is refunded", async () => {
    const pid = await authorised("OPS2", 2300);
    h.sandbox.faults.set({ routes: [{ method: "POST", pathPattern: "/stores/*/charges/*/capture", dropRate: 1, when: "after" }] });
    const r = await get(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&rt=4&job=SALES&pid=${pid}`);
    h.sandbox.faults.clear();
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).toBe(ecFor(h.gateway.deps.table, "outcome_unknown"));
    expect(field(r, "pid")).toBe(pid);
    expect((await transitionOf(pid, "SALES"))?.state).toBe("reversing");
    // The payment still shows authorised, but its capture is being undone: no second one.
    const second = await get(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&rt=4&job=SALES&pid=${pid}&retry=1`);
    expect(field(second, "rst")).toBe("2");
    expect(field(second, "ec")).toBe(ecFor(h.gateway.deps.table, "operation_not_allowed"));

    expect(await finish(pid, "SALES")).toBe("reversed");
    const charge = await chargeOf(pid);
    expect((await h.listRefunds(charge!.id)).map((x) => x.status)).toEqual(["successful"]);
    expect(kickbacksOf(pid, "SALES")).toHaveLength(0);
  });

  it("a capture that never reached UnivaPay, its connection dropped each time, ends failed with the authorisation intact", async () => {
    const pid = await authorised("OPS3", 2500);
    h.sandbox.faults.set({ routes: [{ method: "POST", pathPattern: "/stores/*/charges/*/capture", dropRate: 1, when: "before" }] });
    const r = await get(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&rt=4&job=SALES&pid=${pid}`);
    h.sandbox.faults.clear();
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "pid")).toBe(pid);
    expect(await finish(pid, "SALES")).toBe("failed");
    expect((await chargeOf(pid))?.status).toBe("authorized");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("authorized");
    // The merchant may capture it now.
    const sales = await get(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&rt=4&job=SALES&pid=${pid}&again=1`);
    expect(field(sales, "rst")).toBe("1");
  });

  it("a store failure after the refund POST answers rst=0 with the pid, and the refund's result follows by kickback", async () => {
    const r0 = await get(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=2700&sod=OPS4`);
    expect(`${field(r0, "rst")} ${field(r0, "ec")}`).toBe("1 ER000000000");
    const pid = field(r0, "pid")!;
    await h.drain();
    const mend = breakStore("recordPending", "settleTransition", "moveTransition");
    let r: ReturnType<typeof replyFields>;
    try {
      r = await get(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&rt=4&job=CANCEL&pid=${pid}&no=44`);
    } finally {
      mend();
    }
    expect(field(r, "rst")).toBe("0");
    expect(field(r, "pid")).toBe(pid);
    expect(field(r, "job")).toBe("CANCEL");
    expect(field(r, "no")).toBe("44");
    const charge = await chargeOf(pid);
    const [refund] = await h.listRefunds(charge!.id);
    expect(refund).toBeDefined();
    await h.waitForWebhook(refund!.id);
    await h.drain();
    expect(await finish(pid, "CANCEL")).toBe("succeeded");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("refunded");
    const kb = kickbacksOf(pid, "CANCEL");
    expect(kb).toHaveLength(1);
    expect(field(replyFields(kb[0]!.rawQuery), "rst")).toBe("1");
  });
});
