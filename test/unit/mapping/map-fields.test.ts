import { join } from "node:path";

import { CONVERTERS, loadMappingTable, mapCharge, mapFields, parseYen } from "../../../src/mapping";
import { paramsOf } from "./param-source-of";

const table = loadMappingTable(join(__dirname, "../../../mappings"));
const ctx = { now: new Date("2025-06-15T03:00:00Z") };
const keysOf = (r: { ok: boolean; failures?: ReadonlyArray<{ key: string; field?: string }> }) =>
  r.ok ? [] : (r.failures ?? []).map((f) => `${f.key}@${f.field ?? ""}`);

describe("parseYen", () => {
  it.each([
    ["1080", 1080],
    ["1080.00", 1080],
    ["1080.0", 1080],
    ["0", 0],
    ["007", 7],
  ])("accepts %p as %p", (raw, value) => expect(parseYen(raw)).toEqual({ ok: true, value }));

  it.each(["", "-100", "+100", "1e3", "10.50", "10.", ".5", "1,000", " 100", "100 ", "１００", "0x10"])("rejects %p", (raw) =>
    expect(parseYen(raw)).toEqual({ ok: false }),
  );

  it("bounds-checks through the yen converter", () => {
    const env = { now: ctx.now, limits: table.limits, params: paramsOf({}) };
    expect(CONVERTERS.yen.convert(["0"], env)).toEqual({ ok: false, issues: [{ reason: "too_low" }] });
    expect(CONVERTERS.yen.convert(["10000000"], env)).toEqual({ ok: false, issues: [{ reason: "too_high" }] });
    expect(CONVERTERS.yen.convert(["9999999.00"], env)).toEqual({ ok: true, value: 9_999_999 });
  });
});

describe("mapCharge", () => {
  it("charges the legacy total Σ(siamN + sisfN) in JPY with metadata", () => {
    const r = mapCharge(
      table,
      paramsOf({ siam1: "1080.00", sisf1: "500", siam2: "20", sod: "order-1", em: "a@b.jp", tn: "0312345678", sinm1: "Tea", sicd1: "T-1", no: "9" }),
      ctx,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        total: 1600,
        body: {
          amount: 1600,
          currency: "JPY",
          metadata: {
            "univapay-reference-id": "order-1",
            "legacy-email": "a@b.jp",
            "univapay-phone-number": "0312345678",
            "univapay-product-names": "Tea",
            "legacy-product-code": "T-1",
          },
        },
      },
    });
  });

  it("omits optional fields that are absent or empty", () => {
    const r = mapCharge(table, paramsOf({ siam1: "1", em: "", tn: "" }), ctx);
    expect(r).toEqual({ ok: true, value: { total: 1, body: { amount: 1, currency: "JPY", metadata: {} } } });
  });

  it.each<[Record<string, string> | Array<[string, string]>, string[]]>([
    [{}, ["amount_missing@siam1"]],
    [{ siam2: "100" }, ["amount_missing@siam1"]],
    [{ siam1: "" }, ["amount_invalid@siam1"]],
    [{ siam1: "-1" }, ["amount_invalid@siam1"]],
    [{ siam1: "0" }, ["amount_too_low@"]],
    [{ siam1: "0", sisf1: "0" }, ["amount_too_low@"]],
    [{ siam1: "9999999", sisf1: "1" }, ["amount_too_high@"]],
    [
      [
        ["siam1", "100"],
        ["siam1", "200"],
      ],
      ["amount_invalid@siam1"],
    ],
  ])("fails %j with %j", (p, keys) => expect(keysOf(mapCharge(table, paramsOf(p), ctx))).toEqual(keys));

  it("reads a space in em as the raw + it was (EC-CUBE sends em unescaped)", () => {
    const r = mapCharge(table, paramsOf({ siam1: "100", em: "taro shop@example.jp" }), ctx);
    expect(r.ok && r.value.body.metadata["legacy-email"]).toBe("taro+shop@example.jp");
  });

  it("collects every failure, not just the first", () => {
    const sod = "x".repeat(51);
    const r = mapCharge(table, paramsOf({ siam1: "1.5", sisf1: "abc", sod, em: "nope", tn: "03-1234-5678" }), ctx);
    expect(keysOf(r).sort()).toEqual(["amount_invalid@siam1", "amount_invalid@sisf1", "sod_too_long@sod", "email_invalid@em", "phone_invalid@tn"].sort());
  });

  it("counts sod length in characters, not bytes", () => {
    expect(mapCharge(table, paramsOf({ siam1: "1", sod: "注".repeat(50) }), ctx).ok).toBe(true);
  });
});

describe("mapFields cardToken", () => {
  const good = {
    em: "buyer@example.com",
    cardno: "4242424242424242",
    expire: "0627",
    securitycode: "123",
    holderfirstname: "TARO",
    holderlastname: "YAMADA",
  };

  it("builds a one-time card token body", () => {
    expect(mapFields(table, "cardToken", paramsOf(good), ctx)).toEqual({
      ok: true,
      value: {
        payment_type: "card",
        type: "one_time",
        email: "buyer@example.com",
        data: { card_number: "4242424242424242", exp_month: "06", exp_year: "2027", cvv: "123", cardholder: "TARO YAMADA" },
      },
    });
  });

  it("accepts MMYYYY expiry and the current month as not yet expired", () => {
    const r = mapFields(table, "cardToken", paramsOf({ ...good, expire: "062025" }), ctx);
    expect(r.ok && r.value["data"]).toEqual(expect.objectContaining({ exp_month: "06", exp_year: "2025" }));
  });

  it("judges expiry by the JST month", () => {
    // 2025-06-30T15:30Z is already 2025-07-01 in Japan: a 06/2025 card has expired there.
    const r = mapFields(table, "cardToken", paramsOf({ ...good, expire: "0625" }), { now: new Date("2025-06-30T15:30:00Z") });
    expect(keysOf(r)).toEqual(["card_expired@expire"]);
  });

  it.each<[Partial<typeof good>, string]>([
    [{ cardno: "424242424242" }, "card_number_short@cardno"],
    [{ cardno: "4242424242424241" }, "card_number_invalid@cardno"],
    [{ cardno: "4242 4242 4242 4242" }, "card_number_invalid@cardno"],
    [{ cardno: "42424242424242424242" }, "card_number_invalid@cardno"],
    [{ cardno: "" }, "card_number_invalid@cardno"],
    [{ expire: "1327" }, "card_expiry_invalid@expire"],
    [{ expire: "627" }, "card_expiry_invalid@expire"],
    [{ expire: "06/27" }, "card_expiry_invalid@expire"],
    [{ expire: "0525" }, "card_expired@expire"],
    [{ expire: "121999" }, "card_expiry_invalid@expire"],
    [{ securitycode: "12" }, "card_cvv_invalid@securitycode"],
    [{ securitycode: "12345" }, "card_cvv_invalid@securitycode"],
    [{ holderlastname: "" }, "card_holder_invalid@holderlastname"],
    [{ holderfirstname: "山田" }, "card_holder_invalid@holderfirstname"],
    [{ holderfirstname: "J0HN" }, "card_holder_invalid@holderfirstname"],
    [{ em: "" }, "email_invalid@em"],
    [{ em: "buyer@@example" }, "email_invalid@em"],
  ])("rejects %j with %s", (override, key) => {
    expect(keysOf(mapFields(table, "cardToken", paramsOf({ ...good, ...override }), ctx))).toEqual([key]);
  });

  it("accepts holder names with dots, hyphens, apostrophes and inner spaces", () => {
    const r = mapFields(table, "cardToken", paramsOf({ ...good, holderfirstname: "Mary-Jo", holderlastname: "O'Neil Jr." }), ctx);
    expect(r.ok && r.value["data"]).toEqual(expect.objectContaining({ cardholder: "Mary-Jo O'Neil Jr." }));
  });

  it("reports every card problem at once", () => {
    const r = mapFields(table, "cardToken", paramsOf({ cardno: "1", expire: "x", securitycode: "", holderfirstname: "A" }), ctx);
    expect(keysOf(r)).toEqual([
      "email_invalid@em",
      "card_number_short@cardno",
      "card_expiry_invalid@expire",
      "card_cvv_invalid@securitycode",
      "card_holder_invalid@holderlastname",
    ]);
  });
});
