/**
 * The money path when UnivaPay processes a POST but its answer never reaches us (the sandbox drops
 * the connection after processing). The gateway must not guess: it answers rst=0, never retries
 * blindly, and settles from UnivaPay's webhook, which it links through our legacy-pid metadata.
 */
import { ecFor } from "../../src/mapping";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

describe("outcome unknown", () => {
  let h: Harness;
  beforeAll(async () => {
    // This merchant opted in to rst=0 (accepted, result by kickback).
    h = await startHarness({ db: "sqlite", acceptsPending: true });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => h.sandbox.faults.clear());

  const get = async (target: string) => replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(target))).body);

  it("a charge created but unanswered is settled by its webhook, with one charge and one kickback", async () => {
    h.sandbox.faults.set({ routes: [{ method: "POST", pathPattern: "/charges", dropRate: 1, when: "after" }] });
    const query = `/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1300&sod=LOST1&no=3`;
    const r = await get(query);
    expect(field(r, "rst")).toBe("0");
    expect(field(r, "ec")).toBe(ecFor(h.gateway.deps.table, "result_pending"));
    const pid = field(r, "pid")!;
    expect((await h.gateway.store.findPaymentByPid(pid))?.chargeId).toBeNull();

    const charges = (await h.listCharges()).filter((c) => c.metadata["legacy-pid"] === pid);
    expect(charges).toHaveLength(1); // UnivaPay did process it
    await h.waitForWebhook(charges[0]!.id, "charge_finished");
    await h.drain();
    const p = await h.gateway.store.findPaymentByPid(pid);
    expect(p?.state).toBe("captured");
    expect(p?.chargeId).toBe(charges[0]!.id);
    const k = replyFields((await h.receiver.waitFor((x) => field(replyFields(x.rawQuery), "pid") === pid)).rawQuery);
    expect(field(k, "rst")).toBe("1");
    expect(field(k, "no")).toBe("3");

    // The merchant resends the same request: same pid, same charge, answered from the stored state.
    h.sandbox.faults.clear();
    const again = await get(query);
    expect(field(again, "pid")).toBe(pid);
    expect(field(again, "rst")).toBe("1");
    expect((await h.listCharges()).filter((c) => c.metadata["legacy-pid"] === pid)).toHaveLength(1);
  });

  it("a cancel created but unanswered is settled by cancel_finished through its metadata", async () => {
    const a = await get(`/memberpay.aspx?sid=${h.sid}&job=AUTH&upcmemberid=demo-ok&siam1=450&sod=LOST2`);
    const pid = field(a, "pid")!;
    h.sandbox.faults.set({ routes: [{ method: "POST", pathPattern: "/stores/*/charges/*/cancels", dropRate: 1, when: "after" }] });
    const c = await get(`/payment.aspx?sid=${h.sid}&svid=1&ptype=1&job=CANCEL&pid=${pid}`);
    expect(field(c, "rst")).toBe("0");
    const [op] = (await h.gateway.store.listTransitions(pid)).filter((t) => t.kind !== "charge");
    expect(op?.univapayId).toBeNull();
    const chargeId = (await h.gateway.store.findPaymentByPid(pid))!.chargeId!;
    const cancelDelivery = await new Promise<string>((resolve) => {
      const seen = h.sandbox.webhookDeliveries().find((d) => d.event === "cancel_finished" && d.status === 200);
      if (seen) return resolve(seen.resourceId);
      const off = h.sandbox.onWebhookAttempt((d) => {
        if (d.event === "cancel_finished" && d.status === 200) {
          off();
          resolve(d.resourceId);
        }
      });
    });
    await h.drain();
    const [settled] = (await h.gateway.store.listTransitions(pid)).filter((t) => t.kind !== "charge");
    expect(settled?.univapayId).toBe(cancelDelivery);
    expect(settled?.state).toBe("succeeded");
    expect((await h.gateway.store.findPaymentByPid(pid))?.state).toBe("canceled");
    expect(chargeId).toBeTruthy();
    const k = replyFields(
      (await h.receiver.waitFor((x) => field(replyFields(x.rawQuery), "pid") === pid && field(replyFields(x.rawQuery), "job") === "CANCEL")).rawQuery,
    );
    expect(field(k, "rst")).toBe("1");
  });
});
