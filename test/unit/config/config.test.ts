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
    expect(() => loadConfig({ PORT: "99999", LOG_LEVEL: "loud", UNIVAPAY_BASE_URL: "not a url" })).toThrow(
      /PORT[\s\S]*LOG_LEVEL[\s\S]*UNIVAPAY_BASE_URL/,
    );
  });

  it("takes only an http(s) URL for UnivaPay", () => {
    expect(() => loadConfig({ UNIVAPAY_BASE_URL: "ftp://api.univapay.com" })).toThrow(/UNIVAPAY_BASE_URL: must be an http:\/\/ or https:\/\/ URL/);
    expect(loadConfig({ UNIVAPAY_BASE_URL: "https://api.univapay.com" }).UNIVAPAY_BASE_URL).toBe("https://api.univapay.com");
  });

  it("checks cross-field rules once every variable is valid on its own", () => {
    expect(() => loadConfig({ KICKBACK_LOCK_MS: "500", KICKBACK_TIMEOUT_MS: "1000" })).toThrow(/KICKBACK_LOCK_MS: must be greater/);
    expect(() => loadConfig({ RECONCILE_STALE_AFTER_MS: "5000" })).toThrow(/RECONCILE_STALE_AFTER_MS: must be greater/);
  });

  it("never falls back silently on a bad boolean", () => {
    expect(() => loadConfig({ KICKBACK_ALLOW_PRIVATE_NETWORKS: "maybe" })).toThrow(/KICKBACK_ALLOW_PRIVATE_NETWORKS/);
  });
});
