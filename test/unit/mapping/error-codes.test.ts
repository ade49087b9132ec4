import { join } from "node:path";

import {
  GATEWAY_ERROR_KEYS,
  SUCCESS_EC,
  describeDetail,
  ecFor,
  ecForApiError,
  ecForPaymentError,
  errorInfo,
  loadMappingTable,
  mapCharge,
  mapFields,
  resolveOperation,
} from "../../../src/mapping";
import { paramsOf } from "./param-source-of";

const table = loadMappingTable(join(__dirname, "../../../mappings"));
const EC = /^[A-Z0-9]{11}$/;

describe("error codes", () => {
  it("keeps success exactly ER000000000", () => expect(SUCCESS_EC).toBe("ER000000000"));

  it.each(GATEWAY_ERROR_KEYS.map((k) => [k]))("gives %s an 11-character documented ec ending in its detail", (key) => {
    const ec = ecFor(table, key);
    const info = errorInfo(table, key);
    expect(ec).toMatch(EC);
    expect(ec).not.toBe(SUCCESS_EC);
    expect(ec.slice(0, 5)).toBe("ER000");
    expect(ec.slice(5)).toBe(info.detail);
    expect(info.messageJa).not.toBe("");
    expect(info.messageEn).not.toBe("");
    // Gateway-defined codes look different from every old-system code.
    expect(info.origin === "gateway").toBe(/^G[A-Z]{2}\d{3}$/.test(info.detail));
  });

  it("reuses the old-system codes where the meaning matches", () => {
    const detail = (k: Parameters<typeof ecFor>[1]) => ecFor(table, k).slice(5);
    expect(detail("source_ip_denied")).toBe("P05P07");
    expect(detail("email_invalid")).toBe("P65P06");
    expect(detail("phone_invalid")).toBe("P64P06");
    expect(detail("amount_too_low")).toBe("P68P09");
    expect(detail("duplicate_request")).toBe("P72P0D");
    expect(detail("upstream_unavailable")).toBe("P02P02");
    expect(detail("card_number_short")).toBe("PC1P04");
    expect(detail("card_expired")).toBe("PC2G04");
  });

  it.each<[number | undefined, string]>([
    [306, "ER000T52G01"],
    [304, "ER000T52G04"],
    [305, "ER000T52G12"],
    [309, "ER000T52G92"],
    [311, "ER000P72P0D"],
    [355, "ER000T52G07"],
    [999, "ER000GUP003"],
    [undefined, "ER000GUP003"],
  ])("maps payment error %p to %s", (code, ec) => expect(ecForPaymentError(table, code)).toBe(ec));

  it.each<[string | undefined, Array<{ field: string }>, string]>([
    ["CHARGE_AMOUNT_TOO_LOW", [], "ER000P68P09"],
    ["CHARGE_TOO_QUICK", [], "ER000P72P0D"],
    ["TRANSACTION_TOKEN_EXPIRED", [], "ER000T01P07"],
    ["TRANSACTION_ALREADY_PROCESSED", [], "ER000T01P07"],
    ["NOT_ONE_TIME_TOKEN", [], "ER000T01P07"],
    ["CARD_BRAND_NOT_SUPPORTED", [], "ER000D1GS61"],
    ["ALREADY_CAPTURED", [], ecFor(table, "operation_not_allowed")],
    ["CANCEL_NOT_ALLOWED", [], ecFor(table, "operation_not_allowed")],
    ["CANNOT_REFUND_UNSUCCESSFUL_CHARGE", [], ecFor(table, "operation_not_allowed")],
    ["VALIDATION_ERROR", [{ field: "metadata" }, { field: "card_number" }], "ER000PC1P06"],
    ["VALIDATION_ERROR", [{ field: "metadata" }], ecFor(table, "upstream_rejected")],
    ["SOMETHING_NEW", [], ecFor(table, "upstream_rejected")],
    [undefined, [], ecFor(table, "upstream_rejected")],
  ])("maps API error %p %j to %s", (code, fields, ec) => expect(ecForApiError(table, code, fields)).toBe(ec));

  it("gives every failure the engine produces a documented 11-character ec", () => {
    const now = new Date("2025-01-01T00:00:00Z");
    const results = [
      resolveOperation(table, "payment", paramsOf({ svid: "7", ptype: "4", job: "AUTH" })),
      resolveOperation(table, "memberpay", paramsOf({ job: "nope" })),
      mapCharge(table, paramsOf({ siam1: "x", sod: "y".repeat(60), em: "z", tn: "t" }), { now }),
      mapFields(table, "cardToken", paramsOf({ cardno: "4", expire: "0", holderfirstname: "1" }), { now }),
    ];
    const failures = results.flatMap((r) => (r.ok ? [] : r.failures));
    expect(failures.length).toBeGreaterThan(8);
    for (const f of failures) {
      expect(f.ec).toMatch(EC);
      expect(f.ec).toBe(ecFor(table, f.key));
      expect(describeDetail(table, f.ec.slice(5))).toBeDefined();
    }
  });
});
