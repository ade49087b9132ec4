/**
 * One order, one charge (issue 10, items 4 and 5): the request key is computed over the decoded,
 * normalised request; a second payment for an order that has a live one is refused P72P0D (the
 * order guard); an identical request is a replay only within the replay window, after which it is
 * a new payment whose UnivaPay idempotency keys do not collide with the first one's.
 */
import { ecFor } from "../../src/mapping";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("replay window and order guard", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
  });
  afterAll(async () => {
    await h?.close();
  });

  const get = async (query: string) => replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?${query}`))).body);
  const op = async (query: string) => replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(`/payment.aspx?${query}`))).body);
  const chargesOf = async (sod: string) => (await h.listCharges()).filter((c) => c.metadata["univapay-reference-id"] === sod);
  const duplicate = () => ecFor(h.gateway.deps.table, "duplicate_request");

  it("treats job's case, 1500.00 vs 1500 and field order as the same request: one pid, one charge", async () => {
    const first = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1500&sod=RK1&no=1`);
    expect(field(first, "rst")).toBe("1");
    for (const q of [
      `sid=${h.sid}&job=capture&upcmemberid=demo-ok&siam1=1500.00&sod=RK1&no=1`,
      `no=1&sod=RK1&siam1=01500&upcmemberid=demo-ok&job=Capture&sid=${h.sid}`,
    ]) {
      const again = await get(q);
      expect([field(again, "rst"), field(again, "pid")]).toEqual(["1", field(first, "pid")]);
    }
    expect(await chargesOf("RK1")).toHaveLength(1);
  });

  it("refuses a second payment for an order with a live one (P72P0D), and allows one after the first was declined or refunded", async () => {
    const first = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1600&sod=OG1`);
    expect(field(first, "rst")).toBe("1");
    const second = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1600&sod=OG1&extra=1`);
    expect([field(second, "rst"), field(second, "ec"), field(second, "sod")]).toEqual(["2", duplicate(), "OG1"]);
    expect(field(second, "pid")).not.toBe(field(first, "pid"));
    // Its resend gets the same refusal, and nothing was sent to UnivaPay.
    const resend = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1600&sod=OG1&extra=1`);
    expect([field(resend, "rst"), field(resend, "ec"), field(resend, "pid")]).toEqual(["2", duplicate(), field(second, "pid")]);
    expect(await chargesOf("OG1")).toHaveLength(1);
    await h.drain();
    expect(h.receiver.received.filter((k) => field(replyFields(k.rawQuery), "pid") === field(second, "pid"))).toHaveLength(0);

    // Refunded: the order holds no money any more, so a new payment for it goes through.
    expect(field(await op(`sid=${h.sid}&svid=1&ptype=1&rt=4&job=CANCEL&pid=${field(first, "pid")}`), "rst")).toBe("1");
    const third = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1600&sod=OG1&try=3`);
    expect(field(third, "rst")).toBe("1");

    // A declined payment does not hold the order either.
    const declined = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-decline&siam1=1700&sod=OG2`);
    expect(field(declined, "rst")).toBe("2");
    expect(field(await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1700&sod=OG2`), "rst")).toBe("1");
  });

  it("lets exactly one of two concurrent payments for one order through", async () => {
    const [a, b] = await Promise.all([
      get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1800&sod=OG3&tab=a`),
      get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1800&sod=OG3&tab=b`),
    ]);
    expect([field(a, "rst"), field(b, "rst")].sort()).toEqual(["1", "2"]);
    expect(
      [a, b].find((r) => field(r, "rst") === "2") &&
        field(
          [a, b].find((r) => field(r, "rst") === "2")!,
          "ec",
        ),
    ).toBe(duplicate());
    expect(await chargesOf("OG3")).toHaveLength(1);
  });

  it("answers a repeat within the window after its payment was refunded P72P0D with the first pid", async () => {
    const q = `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1900&sod=RW1`;
    const first = await get(q);
    expect(field(first, "rst")).toBe("1");
    expect(field(await op(`sid=${h.sid}&svid=1&ptype=1&rt=4&job=CANCEL&pid=${field(first, "pid")}`), "rst")).toBe("1");
    const again = await get(q);
    expect([field(again, "rst"), field(again, "ec"), field(again, "pid")]).toEqual(["2", duplicate(), field(first, "pid")]);
    expect(await chargesOf("RW1")).toHaveLength(1);
  });

  it("makes the same request a day later a new payment, with its own pid and its own charge at UnivaPay", async () => {
    const q = `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=2000&sod=MONTHLY&no=9`;
    const first = await get(q);
    expect(field(first, "rst")).toBe("1");
    expect(field(await get(q), "pid")).toBe(field(first, "pid")); // a replay, still in the window
    h.advance(DAY_MS + 60_000);
    const next = await get(q);
    expect(field(next, "rst")).toBe("1");
    expect(field(next, "pid")).not.toBe(field(first, "pid"));
    // The sandbox still replays the first payment's keys (its clock did not move): a collision
    // would have answered the first charge again.
    const charges = await chargesOf("MONTHLY");
    expect(new Set(charges.map((c) => c.id)).size).toBe(2);
    expect(charges.map((c) => c.metadata["legacy-pid"]).sort()).toEqual([field(first, "pid"), field(next, "pid")].sort());
    // And that one replays within its own window.
    expect(field(await get(q), "pid")).toBe(field(next, "pid"));
  });

  it("guards the order by the merchant's orderField when it sends no sod (the EC-CUBE plugin's no)", async () => {
    Object.assign(h.merchant, { orderField: "no" });
    try {
      const first = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=2100&no=EC-77`);
      expect(field(first, "rst")).toBe("1");
      const second = await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=2100&no=EC-77&retry=1`);
      expect([field(second, "rst"), field(second, "ec")]).toEqual(["2", duplicate()]);
      // Another order number is another order.
      expect(field(await get(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=2100&no=EC-78`), "rst")).toBe("1");
    } finally {
      Object.assign(h.merchant, { orderField: undefined });
    }
  });

  it("honours a merchant's own shorter replay window (replayWindowSeconds)", async () => {
    Object.assign(h.merchant, { replayWindowMs: 600_000 });
    try {
      const q = `sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=2200&no=booking`;
      const first = await get(q);
      expect(field(first, "rst")).toBe("1");
      h.advance(300_000);
      expect(field(await get(q), "pid")).toBe(field(first, "pid"));
      h.advance(301_000);
      const later = await get(q);
      expect(field(later, "rst")).toBe("1");
      expect(field(later, "pid")).not.toBe(field(first, "pid"));
    } finally {
      Object.assign(h.merchant, { replayWindowMs: undefined });
    }
  });
});
