/**
 * Kickback delivery through the real gateway: retries on the configured schedule (driven by the
 * gateway's clock, not by waiting), attempt rows, and exactly one successful delivery.
 */
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

describe("kickback retries", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres", receiverScript: [500, 500, 200] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("is retried after the merchant answers 500 twice, then delivered once", async () => {
    const res = await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=800&sod=R1&no=5`));
    const pid = field(replyFields(res.body), "pid")!;
    const forPid = () => h.receiver.received.filter((x) => field(replyFields(x.rawQuery), "pid") === pid);

    await h.drain();
    expect(forPid()).toHaveLength(1); // answered 500
    await h.drain();
    expect(forPid()).toHaveLength(1); // not due yet: nothing sent before the backoff elapses

    h.advance(60_000); // past the first backoff (10 s ± 20%)
    await h.drain();
    expect(forPid()).toHaveLength(2); // answered 500 again
    h.advance(120_000); // past the second backoff (20 s ± 20%)
    await h.drain();
    expect(forPid()).toHaveLength(3); // answered 200

    h.advance(3_600_000);
    await h.drain();
    expect(forPid()).toHaveLength(3); // delivered: never sent again

    const [k] = await h.gateway.store.listKickbacks(pid);
    expect(k?.state).toBe("delivered");
    const attempts = await h.gateway.store.listAttempts(k!.id);
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);
    expect(attempts.every((a) => a.trigger === "auto" && a.durationMs >= 0)).toBe(true);
    // Every attempt carried the same bytes.
    expect(new Set(forPid().map((x) => x.rawQuery.toString("latin1"))).size).toBe(1);
  });
});
