import { parseLegacyForm } from "../../../src/legacy/legacy-form";
import { Secret } from "../../../src/logging/logger";
import { legacyRequestKey, priorRequestKey } from "../../../src/payments/decode-legacy-request";

const form = (s: string) => {
  const r = parseLegacyForm(Buffer.from(s), { charset: "UTF-8" });
  if (!r.ok) throw new Error("unparseable");
  return r.form;
};
const card = "sid=1&svid=1&ptype=1&job=CAPTURE&siam1=100&cardno=4000020000000000&expire=1230&holderfirstname=A&holderlastname=B&em=a@b.jp";

describe("legacyRequestKey", () => {
  it("is the same for the same fields in any order", () => {
    const s = new Secret("k".repeat(32));
    expect(legacyRequestKey(s, "1", "payment", form(`${card}&securitycode=123`))).toBe(legacyRequestKey(s, "1", "payment", form(`securitycode=123&${card}`)));
  });

  it("depends on the secret, and is not the unkeyed hash a database holder could test CVV guesses against", () => {
    const f = form(`${card}&securitycode=987`);
    const key = legacyRequestKey(new Secret("k".repeat(32)), "1", "payment", f);
    expect(key).toMatch(/^h1:[0-9a-f]{64}$/);
    expect(key.slice(3)).not.toBe(priorRequestKey("1", "payment", f));
    expect(legacyRequestKey(new Secret("x".repeat(32)), "1", "payment", f)).not.toBe(key);
    // The CVV is part of the request: another CVV is another key (no replay of the first answer).
    expect(legacyRequestKey(new Secret("k".repeat(32)), "1", "payment", form(`${card}&securitycode=988`))).not.toBe(key);
  });
});
