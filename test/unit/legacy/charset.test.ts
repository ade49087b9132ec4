import { decodeStrict, detectCharset, encodeText } from "../../../src/legacy/charset";

const bytes = (hex: string): Buffer => Buffer.from(hex, "hex");

describe("decodeStrict", () => {
  it("decodes valid UTF-8, keeping a genuine U+FFFD and a leading BOM", () => {
    expect(decodeStrict(bytes("efbbbfe38182efbfbd"), "UTF-8")).toEqual({ ok: true, text: "\uFEFFあ\uFFFD" });
  });

  it("rejects invalid UTF-8: stray continuation, truncation, overlong, encoded surrogate", () => {
    for (const hex of ["82a0", "e381", "c0af", "eda080"]) {
      expect(decodeStrict(bytes(hex), "UTF-8")).toEqual({ ok: false });
    }
  });

  it("decodes CP932 including its Windows-only characters", () => {
    expect(decodeStrict(bytes("82a08160874087548782fbfcb1"), "Shift_JIS")).toEqual({ ok: true, text: "あ～①Ⅰ№髙ｱ" });
  });

  it("accepts both the NEC-selected and IBM codes of the same kanji", () => {
    expect(decodeStrict(bytes("ed40"), "Shift_JIS")).toEqual({ ok: true, text: "纊" });
    expect(decodeStrict(bytes("fa5c"), "Shift_JIS")).toEqual({ ok: true, text: "纊" });
  });

  it("rejects invalid CP932: lone lead byte at the end, bad trail byte, unassigned byte", () => {
    for (const hex of ["82a081", "8120", "81ad", "a0", "fd"]) {
      expect(decodeStrict(bytes(hex), "Shift_JIS")).toEqual({ ok: false });
    }
  });
});

describe("encodeText", () => {
  it("encodes CP932 specials to their Windows codes", () => {
    expect(encodeText("～①髙あ", "Shift_JIS")).toEqual(bytes("81608740fbfc82a0"));
  });

  it("turns each CP932-unencodable code point into ?", () => {
    expect(encodeText("a😀é", "Shift_JIS")).toEqual(Buffer.from("a??"));
  });

  it("encodes UTF-8 as is", () => {
    expect(encodeText("あ", "UTF-8")).toEqual(bytes("e38182"));
  });
});

describe("detectCharset", () => {
  it("picks UTF-8 for ASCII-only and for no samples", () => {
    expect(detectCharset([Buffer.from("sid"), Buffer.from("100001")])).toBe("UTF-8");
    expect(detectCharset([])).toBe("UTF-8");
  });

  it("picks UTF-8 for UTF-8 Japanese and Shift_JIS for CP932 Japanese", () => {
    expect(detectCharset([Buffer.from("cvna1"), encodeText("山田", "UTF-8")])).toBe("UTF-8");
    expect(detectCharset([Buffer.from("cvna1"), encodeText("山田", "Shift_JIS")])).toBe("Shift_JIS");
  });

  it("prefers UTF-8 when the bytes are valid in both", () => {
    // C3 A9 is é in UTF-8 and ﾃｩ in CP932.
    expect(detectCharset([bytes("c3a9")])).toBe("UTF-8");
  });

  it("decides across all samples together", () => {
    expect(detectCharset([bytes("e38182"), bytes("82a0")])).toBeUndefined();
    expect(detectCharset([bytes("82a0"), bytes("c3a9")])).toBe("Shift_JIS");
  });

  it("gives up on bytes valid in neither", () => {
    expect(detectCharset([bytes("ff")])).toBeUndefined();
  });
});
