import { createCompletionBatcher } from "../../../src/notify/completion-batcher";
import type { KickbackOutcome, NewKickbackAttempt } from "../../../src/store/store-types";

const attempt = (kickbackId: string): NewKickbackAttempt => ({
  kickbackId,
  attemptNo: 1,
  url: "http://shop.example/kb",
  statusCode: 200,
  durationMs: 3,
  bodyHead: "OK",
  error: null,
  trigger: "auto",
  at: new Date(0),
});
const delivered: KickbackOutcome = { kind: "delivered" };

describe("createCompletionBatcher", () => {
  it("records completions made in the same turn with one store call, answering each in order", async () => {
    const calls: string[][] = [];
    const store = {
      completeKickbackAttempts: async (_w: string, items: ReadonlyArray<{ attempt: NewKickbackAttempt }>) => {
        calls.push(items.map((i) => i.attempt.kickbackId));
        return items.map((i) => i.attempt.kickbackId !== "lost");
      },
    };
    const b = createCompletionBatcher(store, "w1");
    const answers = await Promise.all([b.complete(attempt("k1"), delivered), b.complete(attempt("lost"), delivered), b.complete(attempt("k3"), delivered)]);
    expect(answers).toEqual([true, false, true]);
    expect(calls).toEqual([["k1", "lost", "k3"]]);
    // A later turn is a new batch.
    expect(await b.complete(attempt("k4"), delivered)).toBe(true);
    expect(calls).toEqual([["k1", "lost", "k3"], ["k4"]]);
  });

  it("rejects every completion of a batch whose transaction failed (none was recorded)", async () => {
    const store = {
      completeKickbackAttempts: async () => {
        throw new Error("database is locked");
      },
    };
    const b = createCompletionBatcher(store, "w1");
    const results = await Promise.allSettled([b.complete(attempt("k1"), delivered), b.complete(attempt("k2"), delivered)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });
});
