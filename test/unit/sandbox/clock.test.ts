import { createManualClock } from "../../../src/sandbox/clock";

describe("clock", () => {
  it("runs due tasks in time order, at their own instant", async () => {
    const clock = createManualClock(0);
    const seen: Array<[string, number]> = [];
    clock.schedule(300, () => seen.push(["b", clock.now()]));
    clock.schedule(100, () => seen.push(["a", clock.now()]));
    clock.schedule(900, () => seen.push(["late", clock.now()]));
    await clock.advance(500);
    expect(seen).toEqual([
      ["a", 100],
      ["b", 300],
    ]);
    expect(clock.now()).toBe(500);
    clock.stop();
  });

  it("runs tasks scheduled by tasks within the same advance, waiting for their async work", async () => {
    const clock = createManualClock(0);
    const seen: number[] = [];
    const step = async (): Promise<void> => {
      await new Promise((r) => setImmediate(r));
      seen.push(clock.now());
      if (seen.length < 4) clock.schedule(clock.now() + 60_000, step);
    };
    clock.schedule(0, step);
    await clock.advance(10 * 60_000);
    expect(seen).toEqual([0, 60_000, 120_000, 180_000]);
    clock.stop();
  });

  it("cancels a scheduled task", async () => {
    const clock = createManualClock(0);
    let ran = false;
    const cancel = clock.schedule(10, () => (ran = true));
    cancel();
    await clock.advance(20);
    expect(ran).toBe(false);
  });

  it("runs a task due now without any advance", async () => {
    const clock = createManualClock(0);
    const ran = new Promise<number>((r) => clock.schedule(0, () => r(clock.now())));
    await expect(ran).resolves.toBe(0);
  });
});
