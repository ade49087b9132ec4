import { encodeText } from "../../../src/legacy/charset";
import {
  decodeEcho,
  encodeEcho,
  formatLegacyForm,
  type LegacyForm,
  type LegacyParseFailure,
  parseLegacyForm,
  peekAsciiParam,
} from "../../../src/legacy/legacy-form";
import { percentDecode } from "../../../src/legacy/percent-codec";

const bytes = (hex: string): Buffer => Buffer.from(hex, "hex");
const raw = (...parts: Array<string | Buffer>): Buffer => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));

function parseOk(input: Buffer, charset: "UTF-8" | "Shift_JIS" | "auto"): LegacyForm {
  const r = parseLegacyForm(input, { charset });
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.failure)}`);
  return r.form;
}

function parseFail(input: Buffer, charset: "UTF-8" | "Shift_JIS" | "auto", maxFields?: number): LegacyParseFailure {
  const r = parseLegacyForm(input, { charset, maxFields });
  if (r.ok) throw new Error("expected failure");
  return r.failure;
}

/** Splits a formatted reply the way PARK does (on & then =) and percent-decodes each part. */
function wireBytes(formatted: string): Array<[string, Buffer]> {
  expect(formatted).toMatch(/^[\x21-\x7e]*$/);
  return formatted.split("&").map((seg) => {
    const [name = "", value = "", ...rest] = seg.split("=");
    expect(rest).toEqual([]);
    const d = percentDecode(Buffer.from(value, "latin1"));
    if (!d.ok) throw new Error("bad escape");
    return [name, d.bytes];
  });
}

describe("parseLegacyForm", () => {
  it("keeps raw unescaped @ and spaces", () => {
    const form = parseOk(raw("em=taro@example.jp&sinm1=Furuokadrug Product"), "UTF-8");
    expect(form.get("em")).toBe("taro@example.jp");
    expect(form.get("sinm1")).toBe("Furuokadrug Product");
  });

  it("reads + as a space", () => {
    expect(parseOk(raw("sinm1=Blue+Shirt"), "Shift_JIS").get("sinm1")).toBe("Blue Shirt");
  });

  it("decodes raw UTF-8 Japanese and keeps its bytes", () => {
    const form = parseOk(raw("cvna1=", bytes("e5b1b1e794b0")), "UTF-8");
    expect(form.fields).toEqual([{ name: "cvna1", nameBytes: Buffer.from("cvna1"), bytes: bytes("e5b1b1e794b0"), value: "山田" }]);
  });

  it("decodes raw CP932 bytes", () => {
    const form = parseOk(raw("cvna1=", bytes("8e529363"), "&no=1"), "Shift_JIS");
    expect(form.get("cvna1")).toBe("山田");
    expect(form.fields[0]?.bytes).toEqual(bytes("8e529363"));
  });

  it("decodes %82%A0 as Shift_JIS あ and %E3%81%82 as UTF-8 あ", () => {
    expect(parseOk(raw("a=%82%A0"), "Shift_JIS").get("a")).toBe("あ");
    expect(parseOk(raw("a=%e3%81%82"), "UTF-8").get("a")).toBe("あ");
  });

  it("decodes a value mixing escaped and raw bytes", () => {
    const form = parseOk(raw("sod=A%20", bytes("82a0"), "%82%A2+b@c"), "Shift_JIS");
    expect(form.get("sod")).toBe("A あい b@c");
    expect(form.fields[0]?.bytes).toEqual(raw("A ", bytes("82a082a2"), " b@c"));
  });

  it("decodes names like values", () => {
    expect(parseOk(raw("%82%A0=1&", bytes("82a2"), "=2"), "Shift_JIS").fields.map((f) => [f.name, f.value])).toEqual([
      ["あ", "1"],
      ["い", "2"],
    ]);
  });

  it("keeps duplicates in order and get() returns the first", () => {
    const form = parseOk(raw("no=1&x=y&no=2"), "UTF-8");
    expect(form.fields.filter((f) => f.name === "no").map((f) => f.value)).toEqual(["1", "2"]);
    expect(form.get("no")).toBe("1");
    expect(form.has("x")).toBe(true);
    expect(form.has("z")).toBe(false);
    expect(form.get("z")).toBeUndefined();
  });

  it("splits on the first = only, skips empty segments, and reads a bare name as empty", () => {
    const form = parseOk(raw("&&a=b=c&&flag&e=&"), "UTF-8");
    expect(form.fields.map((f) => [f.name, f.value])).toEqual([
      ["a", "b=c"],
      ["flag", ""],
      ["e", ""],
    ]);
  });

  it("drops a field without a name (&=x), so it is never echoed back", () => {
    const form = parseOk(raw("a=1&=x&=&b=2"), "UTF-8");
    expect(form.fields.map((f) => [f.name, f.value])).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
  });

  it("parses an empty body as no fields", () => {
    expect(parseOk(Buffer.alloc(0), "auto").fields).toEqual([]);
  });

  it("reports a broken %G1 with its offset in the raw input and the field name", () => {
    expect(parseFail(raw("sid=1&sod=ab%G1"), "UTF-8")).toEqual({
      reason: "bad_percent_encoding",
      detail: "invalid percent escape at byte 12",
      field: "sod",
    });
  });

  it("reports a trailing %4 with its offset", () => {
    expect(parseFail(raw("a=1&b=%4"), "auto")).toMatchObject({ reason: "bad_percent_encoding", detail: "invalid percent escape at byte 6" });
  });

  it("reports a broken escape in a name", () => {
    expect(parseFail(raw("a=1&x%zz=2"), "UTF-8")).toMatchObject({ reason: "bad_percent_encoding", detail: "invalid percent escape at byte 5" });
  });

  it("rejects a lone CP932 lead byte at the end as undecodable", () => {
    expect(parseFail(raw("sid=1&cvna1=", bytes("82a081")), "Shift_JIS")).toEqual({
      reason: "undecodable",
      detail: "field value is not valid CP932",
      field: "cvna1",
    });
  });

  it("is strict with an explicit charset: CP932 bytes are not accepted as UTF-8", () => {
    expect(parseFail(raw("a=%82%A0"), "UTF-8")).toMatchObject({ reason: "undecodable", field: "a" });
  });

  it("auto-detects UTF-8 and Shift_JIS across names and values", () => {
    const utf8 = parseOk(raw("sid=1&cvna1=", encodeText("山田", "UTF-8")), "auto");
    expect([utf8.charset, utf8.get("cvna1")]).toEqual(["UTF-8", "山田"]);
    const sjis = parseOk(raw("sid=1&cvna1=", encodeText("山田", "Shift_JIS")), "auto");
    expect([sjis.charset, sjis.get("cvna1")]).toEqual(["Shift_JIS", "山田"]);
    expect(parseOk(raw("sid=1"), "auto").charset).toBe("UTF-8");
  });

  it("fails auto-detection on a form mixing UTF-8 and CP932", () => {
    expect(parseFail(raw("a=%E3%81%82&b=%82%A0"), "auto")).toMatchObject({ reason: "undecodable" });
  });

  it("rejects more than maxFields fields (default 200), not counting empty segments", () => {
    expect(parseLegacyForm(raw("a=1&&b=2&"), { charset: "UTF-8", maxFields: 2 }).ok).toBe(true);
    expect(parseFail(raw("a=1&b=2&c=3"), "UTF-8", 2)).toMatchObject({ reason: "too_many_fields" });
    expect(parseFail(Buffer.from(Array.from({ length: 201 }, (_, i) => `f${i}=1`).join("&")), "UTF-8").reason).toBe("too_many_fields");
  });
});

describe("peekAsciiParam", () => {
  it("finds an ASCII parameter before the charset is known, percent-decoding it", () => {
    const input = raw("cvna1=", bytes("8e529363"), "&sid=%31%30+1&sid=2");
    expect(peekAsciiParam(input, "sid")).toBe("10 1");
  });

  it("matches percent-encoded names", () => {
    expect(peekAsciiParam(raw("%73id=100001"), "sid")).toBe("100001");
  });

  it("returns undefined when absent, non-ASCII or badly escaped", () => {
    expect(peekAsciiParam(raw("sod=1"), "sid")).toBeUndefined();
    expect(peekAsciiParam(raw("sid=%82%A0"), "sid")).toBeUndefined();
    expect(peekAsciiParam(raw("sid=1%G"), "sid")).toBeUndefined();
  });
});

describe("formatLegacyForm", () => {
  it("percent-encodes text in the merchant charset and never emits a raw = or & in a value", () => {
    expect(
      formatLegacyForm(
        [
          ["rst", "1"],
          ["ec", "a=b&c d"],
          ["name", "あ"],
        ],
        "Shift_JIS",
      ),
    ).toBe("rst=1&ec=a%3Db%26c%20d&name=%82%A0");
    expect(formatLegacyForm([["name", "あ"]], "UTF-8")).toBe("name=%E3%81%82");
  });

  it("sends a Buffer echo of CP932 bytes byte-exactly, even a code that re-encodes differently", () => {
    // ED40 (NEC-selected 纊) would become FA5C if decoded and re-encoded.
    const echoed = bytes("ed4082a0814081");
    const out = formatLegacyForm(
      [
        ["rst", "1"],
        ["no", echoed],
      ],
      "Shift_JIS",
    );
    expect(wireBytes(out)).toEqual([
      ["rst", Buffer.from("1")],
      ["no", echoed],
    ]);
  });

  it("round-trips CP932-specific characters through parse", () => {
    const out = formatLegacyForm([["sinm1", "～①髙纊Ⅰ㈱№∵￢－ｱ"]], "Shift_JIS");
    expect(parseOk(Buffer.from(out), "Shift_JIS").get("sinm1")).toBe("～①髙纊Ⅰ㈱№∵￢－ｱ");
  });
});

describe("encodeEcho / decodeEcho", () => {
  it("stores the original bytes, names included, in ASCII and gives them back in order", () => {
    const form = parseOk(raw("sid=1&no=", bytes("ed40"), "&", bytes("82a0"), "=x y&no=2"), "Shift_JIS");
    const echo = encodeEcho(form.fields.filter((f) => f.name !== "sid"));
    expect(echo).toBe("no=%ED%40&%82%A0=x%20y&no=2");
    expect(decodeEcho(echo)).toEqual([
      [Buffer.from("no"), bytes("ed40")],
      [bytes("82a0"), Buffer.from("x y")],
      [Buffer.from("no"), Buffer.from("2")],
    ]);
  });

  it("feeds formatLegacyForm directly, byte-exact for non-ASCII names", () => {
    const out = formatLegacyForm(decodeEcho("%82%A0=%ED%40"), "Shift_JIS");
    expect(out).toBe("%82%A0=%ED%40");
  });

  it("encodes a name given without nameBytes in the given charset", () => {
    expect(encodeEcho([{ name: "あ", bytes: Buffer.from("1") }], "Shift_JIS")).toBe("%82%A0=1");
  });

  it("round-trips empty input and empty names/values", () => {
    expect(decodeEcho(encodeEcho([]))).toEqual([]);
    expect(decodeEcho("=")).toEqual([[Buffer.alloc(0), Buffer.alloc(0)]]);
  });

  it("throws an internal AppError on a stored echo that is not canonical", () => {
    for (const bad of ["no", "no=a+b", "no=%e3", "no=%4", "no=a b", "a=1&&b=2", "no=あ"]) {
      expect(() => decodeEcho(bad)).toThrow(expect.objectContaining({ name: "AppError", code: "internal" }));
    }
  });
});
