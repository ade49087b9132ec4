import { AppError, isAppError } from "../../../src/errors/app-error";

describe("AppError", () => {
  it("exposes client errors and hides server errors", () => {
    const client = new AppError("bad_request", "amount: not a number", { httpStatus: 400 });
    const server = new AppError("internal", "db down");
    expect(client.expose).toBe(true);
    expect(server.expose).toBe(false);
    expect(server.httpStatus).toBe(500);
    expect(isAppError(client)).toBe(true);
    expect(isAppError(new Error("x"))).toBe(false);
  });

  it("carries upstream details for reconciliation", () => {
    const e = new AppError("univapay_unavailable", "timeout", { upstream: { outcomeUnknown: true } });
    expect(e.opts.upstream?.outcomeUnknown).toBe(true);
    expect(e.retryable).toBe(false);
  });
});
