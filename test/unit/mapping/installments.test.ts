import { join } from "node:path";
import { ecFor, loadMappingTable, mapCharge } from "../../../src/mapping";
import { paramsOf } from "./param-source-of";

const table = loadMappingTable(join(__dirname, "../../../mappings"));
const ctx = { now: new Date("2026-11-22T00:00:00Z") };

describe("sc (支払い回数)", () => {
  it("accepts a lump sum and writes nothing for it", () => {
    const r = mapCharge(table, paramsOf({ siam1: "1000", sc: "1" }), ctx);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.body).not.toHaveProperty("installment_plan");
  });

  it("refuses installments instead of charging them in one go", () => {
    const r = mapCharge(table, paramsOf({ siam1: "1000", sc: "3" }), ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.failures.map((f) => f.key)).toEqual(["installments_not_supported"]);
      expect(r.failures[0]?.ec).toBe(ecFor(table, "installments_not_supported"));
      expect(r.failures[0]?.ec).toBe("ER000GRQ024");
    }
  });
});
