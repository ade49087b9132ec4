import { join } from "node:path";

import {
  CANCEL_STATUSES,
  CHARGE_STATUSES,
  REFUND_STATUSES,
  TRANSITIONS,
  cancelOutcome,
  chargeOutcome,
  loadMappingTable,
  refundOutcome,
} from "../../../src/mapping";

const table = loadMappingTable(join(__dirname, "../../../mappings"));

describe("status outcomes", () => {
  it.each<[(typeof TRANSITIONS)[number], string, string]>([
    ["AUTH", "authorized", "success"],
    ["AUTH", "pending", "pending"],
    ["AUTH", "canceled", "failure"],
    ["CAPTURE", "authorized", "pending"],
    ["CAPTURE", "successful", "success"],
    ["CAPTURE", "failed", "failure"],
    ["CAPTURE", "error", "failure"],
    ["SALES", "successful", "success"],
    ["SALES", "authorized", "pending"],
    ["SALES", "canceled", "failure"],
    ["CANCEL", "canceled", "success"],
  ])("maps %s + %s to %s", (t, s, o) => expect(chargeOutcome(table, t, s)).toBe(o));

  it("covers every known status for every transition", () => {
    for (const t of TRANSITIONS) for (const s of CHARGE_STATUSES) expect(["success", "failure", "pending"]).toContain(chargeOutcome(table, t, s));
    for (const s of CANCEL_STATUSES) expect(cancelOutcome(table, s)).not.toBe("unknown");
    for (const s of REFUND_STATUSES) expect(refundOutcome(table, s)).not.toBe("unknown");
  });

  it("never turns an unknown status into success", () => {
    for (const s of ["SUCCESSFUL", "captured", "", "toString", "__proto__", "completed"]) {
      for (const t of TRANSITIONS) expect(chargeOutcome(table, t, s)).toBe("unknown");
      expect(cancelOutcome(table, s)).toBe("unknown");
      expect(refundOutcome(table, s)).toBe("unknown");
    }
  });

  it("maps cancel and refund results", () => {
    expect([cancelOutcome(table, "successful"), cancelOutcome(table, "pending"), cancelOutcome(table, "error")]).toEqual(["success", "pending", "failure"]);
    expect([refundOutcome(table, "successful"), refundOutcome(table, "failed")]).toEqual(["success", "failure"]);
  });
});
