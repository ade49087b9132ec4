/**
 * How a failed UnivaPay call is read on the money path, with the real mapping table: a refusal is
 * a final failure with the table's code (a VALIDATION_ERROR by the field it names), a call that
 * never left is "not sent", and one that may have been processed is "unknown".
 */
import { join } from "node:path";
import { loadMappingTable } from "../../../src/mapping";
import { classifyUpstreamError } from "../../../src/transitions/upstream-outcome";
import { rejectedError, unavailableError } from "../../../src/univapay/univapay-errors";

const table = loadMappingTable(join(__dirname, "../../../mappings"));
const ctx = { method: "POST", route: "/tokens" } as const;

describe("classifyUpstreamError", () => {
  it("answers a VALIDATION_ERROR on cvv with the code errors.yaml gives that field", () => {
    const err = rejectedError(ctx, 400, JSON.stringify({ status: "error", code: "VALIDATION_ERROR", errors: [{ field: "cvv", reason: "INVALID_FORMAT" }] }));
    expect(classifyUpstreamError(table, err)).toEqual({ kind: "rejected", ec: "ER000PC3P05", code: "VALIDATION_ERROR" });
  });

  it("answers a VALIDATION_ERROR on a field the table does not name with the API code's default", () => {
    const err = rejectedError(ctx, 400, JSON.stringify({ status: "error", code: "VALIDATION_ERROR", errors: [{ field: "nonsense", reason: "x" }] }));
    const r = classifyUpstreamError(table, err);
    expect(r.kind).toBe("rejected");
    expect(r.kind === "rejected" && r.ec).not.toBe("ER000PC3P05");
    expect(r.kind === "rejected" && r.ec).toMatch(/^ER000[A-Z0-9]{6}$/);
  });

  it("tells 'not sent' from 'may have been processed'", () => {
    expect(classifyUpstreamError(table, unavailableError(ctx, "connection refused", { processedMaybe: false }))).toEqual({ kind: "not_sent" });
    expect(classifyUpstreamError(table, unavailableError(ctx, "timeout after send", { processedMaybe: true, timeout: true }))).toEqual({ kind: "unknown" });
  });
});
