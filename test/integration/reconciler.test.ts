/**
 * When UnivaPay's webhook never arrives (withheld by the sandbox), open payments and operations
 * are settled by reconciliation once they are stale, and the merchant still gets its kickback.
 */
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

describe("reconciliation without webhooks", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres", pollDeadlineMs: 0, acceptsPending: true, sandbox: { settleDelayMs: 50 } });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => h.sandbox.faults.set({ webhooks: { withhold: true } }));
  afterEach(() => h.sandbox.faults.clear());

  const get = async (target: string) => replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(target))).body);
  const kickbackFor = (pid: string, job: string) =>
    h.receiver.waitFor((x) => field(replyFields(x.rawQuery), "pid") === pid && field(replyFields(x.rawQuery), "job") === job);
  const stale = () => h.advance(10 * 60_000); // past RECONCILE_STALE_AFTER_MS (default 2 min)
  /** Waits (by long-polling UnivaPay, a real event) until the payment's charge is no longer pending. */
  const chargeSettled = async (pid: string) => {
    const creds = h.merchant.credentials;
    const p = await h.gateway.store.findPaymentByPid(pid);
    const id = p?.chargeId ?? (await h.gateway.deps.client.findChargesByMetadata(creds, "legacy-pid", pid))[0]?.id;
    await h.gateway.deps.client.waitForCharge(creds, id!, Date.now() + 10_000, (c) => c.status !== "pending");
  };

  it("settles a payment answered rst=0 whose webhook never came", async () => {
    const r = await get(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=990&sod=REC1&no=1`);
    expect(field(r, "rst")).toBe("0");
    const pid = field(r, "pid")!;
    expect(await h.gateway.reconciler.tick()).toBe(0); // not stale yet: the request path owns it
    await chargeSettled(pid);
    stale();
    expect(await h.gateway.reconciler.tick()).toBeGreaterThanOrEqual(1);
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("captured");
    await h.drain();
    expect(field(replyFields((await kickbackFor(pid, "CAPTURE")).rawQuery), "rst")).toBe("1");
  });

  it("finds a charge whose create answer was lost through the legacy-pid metadata", async () => {
    h.sandbox.faults.set({ webhooks: { withhold: true }, routes: [{ method: "POST", pathPattern: "/charges", dropRate: 1, when: "after" }] });
    const r = await get(`/memberpay.aspx?sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=770&sod=REC2`);
    const pid = field(r, "pid")!;
    expect((await h.gateway.store.findPaymentByPid(pid))?.chargeId).toBeNull();
    h.sandbox.faults.set({ webhooks: { withhold: true } });
    await chargeSettled(pid);
    stale();
    await h.gateway.reconciler.tick();
    const p = await h.gateway.store.findPaymentByPid(pid);
    expect(p?.state).toBe("authorized");
    expect(p?.chargeId).toBeTruthy();
    await h.drain();
    expect(field(replyFields((await kickbackFor(pid, "AUTH")).rawQuery), "rst")).toBe("1");
  });

  it("settles a CANCEL still open when its webhook never came", async () => {
    h.sandbox.faults.clear();
    const a = await get(`/memberpay.aspx?sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=660&sod=REC3`);
    const pid = field(a, "pid")!;
    await chargeSettled(pid);
    stale();
    await h.gateway.reconciler.tick(); // settles the AUTH itself (answered rst=0 with deadline 0)
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("authorized");
    h.sandbox.faults.set({ webhooks: { withhold: true } });
    const c = await get(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&job=CANCEL&pid=${pid}`);
    expect(field(c, "rst")).toBe("0");
    const [op] = (await h.gateway.store.listTransitions(pid)).filter((t) => t.kind !== "charge");
    const chargeId = (await h.gateway.store.findPaymentByPid(pid))!.chargeId!;
    await h.gateway.deps.client.waitForCancel(h.merchant.credentials, chargeId, op!.univapayId!, Date.now() + 10_000, (x) => x.status !== "pending");
    stale();
    await h.gateway.reconciler.tick();
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("canceled");
    await h.drain();
    expect(field(replyFields((await kickbackFor(pid, "CANCEL")).rawQuery), "rst")).toBe("1");
  });

  it("a SALES whose capture never reached UnivaPay stays requested through reconciliation, and its resend sends it", async () => {
    h.sandbox.faults.clear();
    const a = await get(`/memberpay.aspx?sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=610&sod=REC5`);
    const pid = field(a, "pid")!;
    await chargeSettled(pid);
    stale();
    await h.gateway.reconciler.tick();
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("authorized");
    h.sandbox.faults.set({
      webhooks: { withhold: true },
      routes: [{ method: "POST", pathPattern: "/stores/*/charges/*/capture", dropRate: 1, when: "before" }],
    });
    const sales = `/payment.aspx?sid=${h.sid}&svid=1&ptype=1&job=SALES&pid=${pid}`;
    expect(field(await get(sales), "rst")).not.toBe("1");
    // The charge is still authorised (SALES: pending). That must not pass for an accepted capture.
    stale();
    await h.gateway.reconciler.tick();
    const open = (await h.gateway.store.listTransitions(pid)).find((t) => t.kind === "capture");
    expect(open?.state).toBe("requested");
    h.sandbox.faults.set({ webhooks: { withhold: true } });
    await get(sales); // the merchant's resend: the capture is sent now, under the same key
    await chargeSettled(pid);
    const creds = h.merchant.credentials;
    await h.gateway.deps.client.waitForCharge(
      creds,
      (await h.gateway.store.findPaymentByPid(pid))!.chargeId!,
      Date.now() + 10_000,
      (c) => c.status === "successful",
    );
    stale();
    await h.gateway.reconciler.tick();
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("captured");
    await h.drain();
    expect(field(replyFields((await kickbackFor(pid, "SALES")).rawQuery), "rst")).toBe("1");
  });

  it("leaves alone a payment that never reached UnivaPay, without deciding a failure", async () => {
    h.sandbox.faults.set({ webhooks: { withhold: true }, routes: [{ method: "POST", pathPattern: "/charges", dropRate: 1, when: "before" }] });
    const r = await get(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=550&sod=REC4`);
    const pid = field(r, "pid")!;
    expect(field(r, "rst")).toBe("0");
    stale();
    await h.gateway.reconciler.tick();
    const p = await h.gateway.store.findPaymentByPid(pid);
    expect(p?.state).toBe("requested");
    expect(await h.gateway.store.findTransition(`c-${pid}`)).toMatchObject({ state: "requested", errorCode: null });
  });
});
