import iconv from "iconv-lite";
import { parseLegacyForm } from "../../../src/legacy/legacy-form";
import { Secret } from "../../../src/logging/logger";
import { legacyRequestKey, priorRequestKeys, unkeyedRequestKey } from "../../../src/payments/legacy-request-key";

const form = (s: string | Buffer, charset: "UTF-8" | "Shift_JIS" = "UTF-8") => {
  const r = parseLegacyForm(typeof s === "string" ? Buffer.from(s) : s, { charset });
  if (!r.ok) throw new Error("unparseable");
  return r.form;
};
const card = "sid=1&svid=1&ptype=1&job=CAPTURE&siam1=100&cardno=4000020000000000&expire=1230&holderfirstname=A&holderlastname=B&em=a@b.jp";
const s = new Secret("k".repeat(32));
const key = (q: string | Buffer, charset: "UTF-8" | "Shift_JIS" = "UTF-8") => legacyRequestKey(s, "1", "memberpay", form(q, charset));

describe("legacyRequestKey", () => {
  it("is the same for the same fields in any order", () => {
    expect(legacyRequestKey(s, "1", "payment", form(`${card}&securitycode=123`))).toBe(legacyRequestKey(s, "1", "payment", form(`securitycode=123&${card}`)));
  });

  it("is computed over the normalised request: job's case, 1500.00 = 1500 = 01500, empty fields, the charset", () => {
    const base = key("sid=1&job=CAPTURE&upcmemberid=m1&siam1=1500&sisf1=300&sod=A1");
    expect(key("sid=1&job=capture&upcmemberid=m1&siam1=1500.00&sisf1=0300&sod=A1")).toBe(base);
    expect(key("sid=1&job=Capture&upcmemberid=m1&siam1=1500&sisf1=300&sod=A1&sinm1=")).toBe(base);
    const sjisForm = form(
      Buffer.from(`sid=1&job=CAPTURE&sod=A1&sinm1=${[...iconv.encode("商品", "Shift_JIS")].map((b) => `%${b.toString(16).toUpperCase()}`).join("")}`),
      "Shift_JIS",
    );
    expect(legacyRequestKey(s, "1", "memberpay", sjisForm)).toBe(key(`sid=1&job=CAPTURE&sod=A1&sinm1=${encodeURIComponent("商品")}`));
  });

  it("still tells different requests apart: another amount, order, field or sod's leading zero", () => {
    const base = key("sid=1&job=CAPTURE&upcmemberid=m1&siam1=1500&sod=A1");
    expect(key("sid=1&job=CAPTURE&upcmemberid=m1&siam1=1501&sod=A1")).not.toBe(base);
    expect(key("sid=1&job=AUTH&upcmemberid=m1&siam1=1500&sod=A1")).not.toBe(base);
    expect(key("sid=1&job=CAPTURE&upcmemberid=m1&siam1=1500&sod=A1&no=2")).not.toBe(base);
    expect(key("sid=1&job=CAPTURE&upcmemberid=m1&siam1=1500&sod=0A1")).not.toBe(base);
    expect(key("sid=1&job=CAPTURE&upcmemberid=m1&siam1=1500&sod=A1")).toBe(base);
  });

  it("depends on the secret, and is not the unkeyed hash a database holder could test CVV guesses against", () => {
    const f = form(`${card}&securitycode=987`);
    const k = legacyRequestKey(s, "1", "payment", f);
    expect(k).toMatch(/^h2:[0-9a-f]{64}$/);
    expect(k.slice(3)).not.toBe(unkeyedRequestKey("1", "payment", f));
    expect(legacyRequestKey(new Secret("x".repeat(32)), "1", "payment", f)).not.toBe(k);
    // The CVV is part of the request: another CVV is another key (no replay of the first answer).
    expect(legacyRequestKey(s, "1", "payment", form(`${card}&securitycode=988`))).not.toBe(k);
  });

  it("gives the earlier schemes' keys for lookups: the raw-bytes HMAC, then the unkeyed hash", () => {
    const f = form(card);
    const [h1, unkeyed] = priorRequestKeys(s, "1", "payment", f);
    expect(h1).toMatch(/^h1:[0-9a-f]{64}$/);
    expect(unkeyed).toBe(unkeyedRequestKey("1", "payment", f));
  });
});
