import { checkReferer } from "../../../src/hosted/referer-check";
import { formatFormMetadata, linkFormUrl } from "../../../src/hosted/link-form-url";
import { openReturnPath, returnPath } from "../../../src/hosted/return-link";
import { withQuery } from "../../../src/hosted/merchant-return-url";
import { shopperPage } from "../../../src/hosted/shopper-page";
import { Secret } from "../../../src/logging/logger";
import type { HostedPageSettings } from "../../../src/config/merchants";

const settings: HostedPageSettings = {
  formId: "0a000ebb-caa0-00bf-ad0e-0de0e000fbe0",
  appId: "app.jwt.token",
  sourceOrigins: ["https://shop.example"],
  backUrls: {},
  allowMissingReferer: false,
};

describe("checkReferer (送信元URL)", () => {
  it("compares by origin, as browsers send it across sites", () => {
    expect(checkReferer(settings, "https://shop.example/")).toBe("ok");
    expect(checkReferer(settings, "https://shop.example/shopping/confirm?x=1")).toBe("ok");
  });
  it("refuses another origin, a look-alike host, another scheme or port, and garbage", () => {
    expect(checkReferer(settings, "https://evil.example/")).toBe("foreign");
    expect(checkReferer(settings, "https://shop.example.evil.example/")).toBe("foreign");
    expect(checkReferer(settings, "http://shop.example/")).toBe("foreign");
    expect(checkReferer(settings, "https://shop.example:8443/")).toBe("foreign");
    expect(checkReferer(settings, "not a url")).toBe("foreign");
  });
  it("refuses a missing Referer unless the merchant allows it", () => {
    expect(checkReferer(settings, undefined)).toBe("missing");
    expect(checkReferer({ ...settings, allowMissingReferer: true }, undefined)).toBe("ok");
  });
});

describe("linkFormUrl", () => {
  const base = {
    checkoutUrl: "https://checkout.univapay.com",
    settings,
    form: { amount: 1500, currency: "JPY", emailAddress: "a@example.com", metadata: { "legacy-pid": "12345678", "legacy-sid": "100001" } },
    paymentMethod: "card",
    returnUrl: "https://gw.example/return/12345678/p_return/seal",
  };
  it("carries the mapped parameters, our pid as metadata and the return on every outcome", () => {
    const u = new URL(linkFormUrl({ ...base, capture: true, threeDs: undefined }));
    expect(u.origin + u.pathname).toBe("https://checkout.univapay.com/forms/0a000ebb-caa0-00bf-ad0e-0de0e000fbe0");
    const q = u.searchParams;
    expect(q.get("appId")).toBe("app.jwt.token");
    expect(q.get("checkout")).toBe("payment");
    expect(q.get("paymentMethods[]")).toBe("card");
    expect(q.get("amount")).toBe("1500");
    expect(q.get("emailAddress")).toBe("a@example.com");
    expect(q.get("metadata")).toBe('legacy-pid:"12345678",legacy-sid:"100001"');
    expect(q.get("auth")).toBeNull();
    expect(q.get("threeDsMode")).toBeNull();
    for (const k of ["successRedirectUrl", "pendingRedirectUrl"]) expect(q.get(k)).toBe(base.returnUrl);
    expect(q.get("failureRedirectUrl")).toBe(`${base.returnUrl}?via=failure`);
  });
  it("asks for authorisation only for AUTH, and the row's 3-D Secure mode", () => {
    const q = new URL(linkFormUrl({ ...base, capture: false, threeDs: "force" })).searchParams;
    expect(q.get("auth")).toBe("true");
    expect(q.get("threeDsMode")).toBe("force");
  });
  it("keeps metadata values inside their quotes", () => {
    expect(formatFormMetadata({ a: 'x",b:"y', n: 1, skip: undefined })).toBe('a:"xb:y",n:"1"');
  });
});

describe("return path seal", () => {
  const secret = new Secret("s".repeat(40));
  it("opens only the pid and sucd it was made for", () => {
    const [, , pid, sucd, seal] = returnPath(secret, "12345678", "p_return").split("/");
    expect(openReturnPath(secret, pid as string, sucd as string, seal as string)).toEqual({ sucd: "p_return" });
    expect(openReturnPath(secret, "12345679", sucd as string, seal as string)).toBe(false);
    expect(openReturnPath(secret, pid as string, "other", seal as string)).toBe(false);
    expect(openReturnPath(new Secret("t".repeat(40)), pid as string, sucd as string, seal as string)).toBe(false);
  });
  it("marks a request without sucd", () => {
    const [, , pid, sucd, seal] = returnPath(secret, "12345678", undefined).split("/");
    expect(sucd).toBe("-");
    expect(openReturnPath(secret, pid as string, sucd as string, seal as string)).toEqual({ sucd: undefined });
  });
});

describe("withQuery", () => {
  it("appends to a URL with or without a query, before its fragment", () => {
    expect(withQuery("https://s.example/done", "a=1")).toBe("https://s.example/done?a=1");
    expect(withQuery("https://s.example/done?x=2", "a=1")).toBe("https://s.example/done?x=2&a=1");
    expect(withQuery("https://s.example/done?x=2#top", "a=1")).toBe("https://s.example/done?x=2&a=1#top");
    expect(withQuery("https://s.example/done", "")).toBe("https://s.example/done");
  });
});

describe("shopperPage", () => {
  it("is Japanese first, escapes what it quotes and shows no internals", () => {
    const p = shopperPage("rejected", { ec: "ER000P06P07<script>", backUrl: 'https://s.example/?a="b"' });
    expect(p.status).toBe(400);
    expect(p.html).toContain('<html lang="ja">');
    expect(p.html).toContain("お支払いを開始できませんでした");
    expect(p.html).toContain("ER000P06P07&lt;script&gt;");
    expect(p.html).toContain("&quot;b&quot;");
    expect(p.html).not.toMatch(/<script/);
  });
  it("reloads itself while processing", () => {
    expect(shopperPage("processing", { refresh: { url: "/return/1/-/x?n=1", seconds: 2 } }).html).toContain(
      'http-equiv="refresh" content="2;url=/return/1/-/x?n=1"',
    );
  });
});
