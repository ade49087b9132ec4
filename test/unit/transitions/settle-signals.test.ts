import { createSettleSignals, WEBHOOK_FLOW_WINDOW_MS } from "../../../src/transitions/settle-signals";

describe("settle signals", () => {
  it("keeps a signal that came before the wait, and times out without one", async () => {
    const s = createSettleSignals();
    const sub = s.subscribe("t1");
    s.changed("t1");
    expect(await sub.next(Date.now() + 1_000)).toBe(true);
    expect(await sub.next(Date.now() + 20)).toBe(false);
    sub.close();
  });

  it("wakes every waiter of the transition, and publishes only when none is here", async () => {
    const published: string[] = [];
    const s = createSettleSignals();
    s.relayTo((id) => published.push(id));
    const x = s.subscribe("t2");
    const y = s.subscribe("t2");
    const waits = [x.next(Date.now() + 1_000), y.next(Date.now() + 1_000)];
    s.changed("t2");
    expect(await Promise.all(waits)).toEqual([true, true]);
    x.close();
    y.close();
    s.changed("t2");
    expect(published).toEqual(["t2"]);
    expect(s.deliver("t2")).toBe(false);
  });

  it("counts a merchant's webhooks as arriving for five minutes after the last one", () => {
    let now = 1_000_000;
    const s = createSettleSignals(() => now);
    expect(s.webhooksFlowing("m")).toBe(false);
    s.noteWebhook("m");
    now += WEBHOOK_FLOW_WINDOW_MS;
    expect(s.webhooksFlowing("m")).toBe(true);
    now += 1;
    expect(s.webhooksFlowing("m")).toBe(false);
  });
});
