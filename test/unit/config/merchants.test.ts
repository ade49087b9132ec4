import { parseMerchants } from "../../../src/config/merchants";

const env = { APP: "a.b.c", SECRET: "s", HOOK: "h".repeat(16) };
const base = {
  sid: "100001",
  name: "shop",
  mode: "test",
  univapay: { storeId: "st", appToken: { env: "APP" }, secret: { env: "SECRET" } },
  webhookToken: { env: "HOOK" },
  kickback: { url: "https://shop.example.jp/kb" },
};

describe("merchants file: order guard and replay window", () => {
  it("defaults to guarding by sod, with the global replay window", () => {
    const [m] = parseMerchants({ merchants: [base] }, env, "test");
    expect(m).toMatchObject({ orderGuard: true, orderField: "sod" });
    expect(m?.replayWindowMs).toBeUndefined();
  });

  it("takes an orderField and a replay window of at least a minute", () => {
    const [m] = parseMerchants({ merchants: [{ ...base, orderField: "no", replayWindowSeconds: 600 }] }, env, "test");
    expect(m).toMatchObject({ orderField: "no", replayWindowMs: 600_000 });
    expect(() => parseMerchants({ merchants: [{ ...base, replayWindowSeconds: 5 }] }, env, "test")).toThrow(/invalid merchants file/);
    expect(() => parseMerchants({ merchants: [{ ...base, orderField: "a b" }] }, env, "test")).toThrow(/invalid merchants file/);
  });
});
