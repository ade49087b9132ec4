import { SandboxState } from "../../../src/sandbox/state/sandbox-state";
import type { ChargeRecord } from "../../../src/sandbox/state/models";
import { fractionDigits } from "../../../src/sandbox/state/render";

// Only the fields the index reads; the rest of a charge does not matter to it.
const charge = (id: string, tokenId: string): ChargeRecord => ({ id, tokenId }) as ChargeRecord;

describe("SandboxState charge index", () => {
  it("lists a token's charges in creation order, and only its own", () => {
    const s = new SandboxState();
    s.addCharge(charge("c1", "t1"));
    s.addCharge(charge("c2", "t2"));
    s.addCharge(charge("c3", "t1"));
    expect(s.chargesOfToken("t1").map((c) => c.id)).toEqual(["c1", "c3"]);
    expect(s.chargesOfToken("t2").map((c) => c.id)).toEqual(["c2"]);
    expect(s.chargesOfToken("none")).toEqual([]);
    expect([...s.charges.keys()]).toEqual(["c1", "c2", "c3"]);
  });
});

describe("fractionDigits", () => {
  it("answers the same digits on every call (cached per currency)", () => {
    for (let i = 0; i < 3; i++) {
      expect(fractionDigits("JPY")).toBe(0);
      expect(fractionDigits("USD")).toBe(2);
      expect(fractionDigits("KWD")).toBe(3);
    }
  });
  it("treats an unknown or malformed currency as 0 digits", () => {
    expect(fractionDigits("not a currency")).toBe(0);
    expect(fractionDigits("")).toBe(0);
  });
});
