import { loadConfig } from "../../../src/config/config";

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(8080);
    expect(c.DATABASE_URL).toBe("sqlite:./data/gateway.sqlite");
    expect(c.UNIVAPAY_BASE_URL).toBeUndefined();
    expect(c.KICKBACK_ALLOW_PRIVATE_NETWORKS).toBe(false);
  });

  it("lists every invalid variable at once", () => {
    expect(() => loadConfig({ PORT: "99999", LOG_LEVEL: "loud", UNIVAPAY_BASE_URL: "not a url" })).toThrow(/PORT[\s\S]*LOG_LEVEL[\s\S]*UNIVAPAY_BASE_URL/);
  });

  it("takes only an http(s) URL for UnivaPay", () => {
    expect(() => loadConfig({ UNIVAPAY_BASE_URL: "ftp://api.univapay.com" })).toThrow(/UNIVAPAY_BASE_URL: must be an http:\/\/ or https:\/\/ URL/);
    const production = { MERCHANTS_FILE: "m.yaml", GATEWAY_SECRET: "x".repeat(32) };
    expect(loadConfig({ ...production, UNIVAPAY_BASE_URL: "https://api.univapay.com" }).UNIVAPAY_BASE_URL).toBe("https://api.univapay.com");
  });

  it("checks cross-field rules once every variable is valid on its own", () => {
    expect(() => loadConfig({ KICKBACK_LOCK_MS: "2500", KICKBACK_TIMEOUT_MS: "1000" })).toThrow(/KICKBACK_LOCK_MS: must be at least KICKBACK_TIMEOUT_MS/);
    expect(() => loadConfig({ RECONCILE_STALE_AFTER_MS: "5000" })).toThrow(/RECONCILE_STALE_AFTER_MS: must be greater/);
  });

  it("refuses a DATABASE_URL that would lose data or cannot work, with the fix", () => {
    expect(() => loadConfig({ DATABASE_URL: "sqlite:" })).toThrow(/DATABASE_URL: sqlite: needs a file path/);
    expect(() => loadConfig({ DATABASE_URL: "sqlite::memory:" })).toThrow(/DATABASE_URL: an in-memory database loses every payment/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must start with sqlite:/);
    expect(loadConfig({ DATABASE_URL: "postgres://u:p@db:5432/gw" }).DATABASE_URL).toBe("postgres://u:p@db:5432/gw");
  });

  it("keeps the operator listener on loopback unless it has a login", () => {
    expect(() => loadConfig({ ADMIN_HOST: "0.0.0.0" })).toThrow(/ADMIN_TOKEN: required when ADMIN_HOST \(0.0.0.0\) is not a loopback address/);
    expect(loadConfig({ ADMIN_HOST: "0.0.0.0", ADMIN_TOKEN: "t".repeat(16) }).ADMIN_HOST).toBe("0.0.0.0");
  });

  it("never falls back silently on a bad boolean", () => {
    expect(() => loadConfig({ KICKBACK_ALLOW_PRIVATE_NETWORKS: "maybe" })).toThrow(/KICKBACK_ALLOW_PRIVATE_NETWORKS/);
  });
});
