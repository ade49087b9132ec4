import fc from "fast-check";
import iconv from "iconv-lite";

import { encodeText } from "../../src/legacy/charset";
import { echoSegments, mergeEchoes, withEcho } from "../../src/legacy/legacy-echo";
import { decodeEcho, encodeEcho, formatLegacyForm, parseLegacyForm, peekAsciiParam } from "../../src/legacy/legacy-form";
import { percentDecode, percentEncode } from "../../src/legacy/percent-codec";
import type { LegacyCharset } from "../../src/domain/legacy-charset";

const RUNS = { numRuns: 300 };

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

// Characters a Japanese CP932 site sends; only those that survive encode→decode are kept
// (e.g. U+301C WAVE DASH has no CP932 code and is dropped by the filter).
const CP932_CANDIDATES = [
  ...range(0x00, 0x7f), // ASCII, including & = % + space and controls
  ...range(0x3041, 0x3096), // hiragana
  ...range(0x30a1, 0x30fa), // katakana
  ...range(0xff61, 0xff9f), // half-width kana
  ..."日本語漢字東京都大阪府山田太郎髙﨑德瀨纊褜鍈銈蓜俉炻昱棈鋹曻彅丨仡仼伀伃伹佖侒侊侚侔".split(""),
  ..."～〜①②⑳ⅠⅩⅰ㈱㈲№℡∵∥－￢¬￤＇＂～‖―—－〝〟㍉㌔㎎".split(""),
];
const CP932_CHARS = [...new Set(CP932_CANDIDATES)].filter((c) => iconv.decode(iconv.encode(c, "cp932"), "cp932") === c);

const cp932String = fc.array(fc.constantFrom(...CP932_CHARS), { maxLength: 12 }).map((cs) => cs.join(""));
// "binary" draws any code point except lone surrogates, so U+FFFD and U+FEFF appear too.
const utf8String = fc.string({ unit: "binary", maxLength: 12 });

const textFor = (cs: LegacyCharset): fc.Arbitrary<string> => (cs === "UTF-8" ? utf8String : cp932String);
// A field without a name is dropped by the parser (nothing can address it), so names are non-empty.
const fieldsFor = (cs: LegacyCharset) =>
  fc.array(
    fc.tuple(
      textFor(cs).filter((s) => s !== ""),
      textFor(cs),
    ),
    { maxLength: 8 },
  );

describe("legacy codec properties", () => {
  it("keeps the CP932 alphabet meaningful", () => {
    for (const c of ["～", "①", "髙", "ｱ", "あ", "ア", "&"]) expect(CP932_CHARS).toContain(c);
    expect(CP932_CHARS).not.toContain("〜");
  });

  it.each(["UTF-8", "Shift_JIS"] as const)("parse(format(fields)) gives the same names and values in %s", (cs) => {
    fc.assert(
      fc.property(fieldsFor(cs), (fields) => {
        const r = parseLegacyForm(Buffer.from(formatLegacyForm(fields, cs)), { charset: cs });
        expect(r.ok && r.form.charset).toBe(cs);
        if (!r.ok) return;
        expect(r.form.fields.map((f) => [f.name, f.value])).toEqual(fields);
        // Values the merchant sent are kept as their encoded bytes.
        expect(r.form.fields.map((f) => f.bytes)).toEqual(fields.map(([, v]) => encodeText(v, cs)));
      }),
      RUNS,
    );
  });

  it.each(["UTF-8", "Shift_JIS"] as const)("parses unescaped %s text whose names and values avoid & = % +", (cs) => {
    // CP932 trail bytes are >= 0x40, so raw multi-byte text never contains a split or escape byte.
    const safe = textFor(cs).filter((s) => !/[&=%+]/.test(s));
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            safe.filter((s) => s !== ""),
            safe,
          ),
          { maxLength: 8 },
        ),
        (fields) => {
          const raw = Buffer.concat(fields.flatMap(([n, v], i) => [Buffer.from(i ? "&" : ""), encodeText(n, cs), Buffer.from("="), encodeText(v, cs)]));
          const r = parseLegacyForm(raw, { charset: cs });
          expect(r.ok && r.form.fields.map((f) => [f.name, f.value])).toEqual(fields);
        },
      ),
      RUNS,
    );
  });

  it("auto-detects Shift_JIS exactly when formatted CP932 text is not all valid UTF-8", () => {
    // Oracle independent of charset.ts: UTF-8 is canonical, so valid bytes survive a Buffer round trip.
    const isUtf8 = (b: Buffer): boolean => Buffer.from(b.toString("utf8"), "utf8").equals(b);
    fc.assert(
      fc.property(fieldsFor("Shift_JIS"), (fields) => {
        const r = parseLegacyForm(Buffer.from(formatLegacyForm(fields, "Shift_JIS")), { charset: "auto" });
        const allUtf8 = fields.flat().every((t) => isUtf8(encodeText(t, "Shift_JIS")));
        expect(r.ok && r.form.charset).toBe(allUtf8 ? "UTF-8" : "Shift_JIS");
        if (r.ok && !allUtf8) expect(r.form.fields.map((f) => [f.name, f.value])).toEqual(fields);
      }),
      RUNS,
    );
  });

  it("percentDecode(percentEncode(b)) is the identity on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (u8) => {
        const b = Buffer.from(u8);
        const encoded = percentEncode(b);
        expect(encoded).toMatch(/^[A-Za-z0-9\-._~%]*$/);
        expect(percentDecode(Buffer.from(encoded, "latin1"))).toEqual({ ok: true, bytes: b });
      }),
      RUNS,
    );
  });

  it("decodeEcho(encodeEcho(x)) is byte-identical and ASCII, and formats to the same bytes", () => {
    const bytes = fc.uint8Array({ maxLength: 16 }).map((u) => Buffer.from(u));
    fc.assert(
      fc.property(fc.array(fc.tuple(bytes, bytes), { maxLength: 8 }), (pairs) => {
        const echo = encodeEcho(pairs.map(([nameBytes, value]) => ({ name: "", nameBytes, bytes: value })));
        expect(echo).toMatch(/^[\x21-\x7e]*$/);
        expect(decodeEcho(echo)).toEqual(pairs);
        expect(formatLegacyForm(decodeEcho(echo), "Shift_JIS")).toBe(echo);
      }),
      RUNS,
    );
  });

  it("the stored echo goes on the wire as stored: merging by name equals merging the decoded pairs", () => {
    const name = fc.constantFrom("no", "sod", "x", "\u3042").map((n) => Buffer.from(n, "utf8"));
    const bytes = fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u));
    const echoOf = (pairs: Array<[Buffer, Buffer]>) => encodeEcho(pairs.map(([nameBytes, value]) => ({ name: "", nameBytes, bytes: value })));
    fc.assert(
      fc.property(fc.array(fc.tuple(name, bytes), { maxLength: 6 }), fc.array(fc.tuple(name, bytes), { maxLength: 4 }), (base, over) => {
        const overrides = new Map(over.map(([n, v]) => [n.toString("hex"), [n, v] as [Buffer, Buffer]]));
        const seen = new Set(base.map(([n]) => n.toString("hex")));
        const expected = [...base.map(([n, v]) => overrides.get(n.toString("hex")) ?? [n, v]), ...over.filter(([n]) => !seen.has(n.toString("hex")))] as Array<
          [Buffer, Buffer]
        >;
        const fields: Array<[string, string]> = [["rst", "1"]];
        expect(withEcho(formatLegacyForm(fields, "Shift_JIS"), mergeEchoes(echoOf(base), echoOf(over)))).toBe(
          formatLegacyForm([...fields, ...expected], "Shift_JIS"),
        );
      }),
      RUNS,
    );
  });

  it("a stored echo that is not canonical is refused, never spliced into a query", () => {
    for (const bad of ["a=b&c", "a=%zz", "a=b c", "a=%e3", "a=b=c"]) expect(() => echoSegments(bad)).toThrow(expect.objectContaining({ code: "internal" }));
  });

  it("never throws on arbitrary bytes, whatever the charset option", () => {
    // Bias towards the bytes that matter: separators, escapes, hex digits, CP932 lead bytes.
    const interesting = fc.constantFrom(0x26, 0x3d, 0x25, 0x2b, 0x34, 0x61, 0x46, 0x81, 0x82, 0xa0, 0xe3, 0xed, 0xff);
    const rawBytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), interesting), { maxLength: 64 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(rawBytes, fc.constantFrom("UTF-8", "Shift_JIS", "auto") as fc.Arbitrary<LegacyCharset | "auto">, (raw, charset) => {
        const r = parseLegacyForm(raw, { charset, maxFields: 10 });
        if (r.ok) expect(r.form.fields.length).toBeLessThanOrEqual(10);
        else expect(["bad_percent_encoding", "undecodable", "too_many_fields"]).toContain(r.failure.reason);
        const sid = peekAsciiParam(raw, "sid");
        if (sid !== undefined) expect([...sid].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
      }),
      RUNS,
    );
  });
});
