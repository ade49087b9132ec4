import { createHash } from "node:crypto";
import { parseLegacyForm } from "../../../src/legacy/legacy-form";
import { Secret } from "../../../src/logging/logger";
import { legacyRequestKey } from "../../../src/payments/legacy-request";

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

  it("cannot be recomputed without the secret: no CVV can be recovered from a stored key by guessing", () => {
    const s = new Secret("k".repeat(32));
    const stored = legacyRequestKey(s, "1", "payment", form(`${card}&securitycode=987`));
    // What an attacker with the database and the other fields would try: every CVV under a plain hash.
    const unkeyed = (cvv: string) => {
      const h = createHash("sha256").update("1\u0000payment");
      const pairs = form(`${card}&securitycode=${cvv}`).fields.map((f) => `${f.name}\u0000${f.bytes.toString("hex")}`).sort();
      for (const p of pairs) h.update(`\u0001${p}`);
      return h.digest("hex");
    };
    const guesses = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
    expect(guesses.some((cvv) => unkeyed(cvv) === stored)).toBe(false);
    expect(legacyRequestKey(new Secret("x".repeat(32)), "1", "payment", form(`${card}&securitycode=987`))).not.toBe(stored);
  });
});
