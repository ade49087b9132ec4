import { judgeAttempt, retryDelayMs, type AttemptResult } from "../../../src/sandbox/webhooks/retry-policy";

const status = (s: number): AttemptResult => ({ kind: "status", status: s });

describe("webhooks/retry-policy", () => {
  it("waits 1, 2, 4, 8 minutes, then 15 minutes between attempts", () => {
    expect([1, 2, 3, 4, 5, 6, 9].map((a) => retryDelayMs(a) / 60_000)).toEqual([1, 2, 4, 8, 15, 15, 15]);
  });

  it("treats 2xx as delivered and 3xx as disable-at-once", () => {
    expect(judgeAttempt(status(204), 1).kind).toBe("delivered");
    expect(judgeAttempt(status(301), 1).kind).toBe("disable");
  });

  it.each([400, 404, 500, 501, 502])("retries %i and disables after the 10th attempt", (s) => {
    expect(judgeAttempt(status(s), 9).kind).toBe("retry");
    expect(judgeAttempt(status(s), 10).kind).toBe("disable");
  });

  it.each<AttemptResult>([status(503), status(504), { kind: "timeout" }, { kind: "network", message: "ECONNREFUSED" }])("never disables for %j", (r) => {
    expect(judgeAttempt(r, 9).kind).toBe("retry");
    expect(judgeAttempt(r, 10).kind).toBe("give_up");
  });
});
