import { percentDecode, percentEncode } from "../../../src/legacy/percent-codec";

const bytes = (hex: string): Buffer => Buffer.from(hex, "hex");

describe("percentDecode", () => {
  it("turns + into a space and %XX of either case into that byte", () => {
    expect(percentDecode(Buffer.from("a+b%41%7e%7E%e3%81%82"))).toEqual({
      ok: true,
      bytes: Buffer.concat([Buffer.from("a bA~~"), bytes("e38182")]),
    });
  });

  it("passes raw @, spaces and non-ASCII bytes through unchanged", () => {
    const raw = Buffer.concat([Buffer.from("taro@example.jp Furuoka "), bytes("82a0e38182ff00")]);
    expect(percentDecode(raw)).toEqual({ ok: true, bytes: raw });
  });

  it("decodes %25 to a literal percent without decoding again", () => {
    expect(percentDecode(Buffer.from("%2541"))).toEqual({ ok: true, bytes: Buffer.from("%41") });
  });

  it("reports the offset of a % followed by a non-hex digit", () => {
    expect(percentDecode(Buffer.from("ab%G1"))).toEqual({ ok: false, at: 2 });
  });

  it("reports the offset of a truncated escape at the end", () => {
    expect(percentDecode(Buffer.from("x=%41%4"))).toEqual({ ok: false, at: 5 });
    expect(percentDecode(Buffer.from("%"))).toEqual({ ok: false, at: 0 });
  });

  it("decodes an empty input to empty bytes", () => {
    expect(percentDecode(Buffer.alloc(0))).toEqual({ ok: true, bytes: Buffer.alloc(0) });
  });
});

describe("percentEncode", () => {
  it("keeps the unreserved set and escapes everything else in uppercase hex", () => {
    expect(percentEncode(Buffer.from("AZaz09-._~ +&=%@/"))).toBe("AZaz09-._~%20%2B%26%3D%25%40%2F");
  });

  it("escapes every non-ASCII byte, e.g. CP932 あ", () => {
    expect(percentEncode(bytes("82a0ff00"))).toBe("%82%A0%FF%00");
  });
});
