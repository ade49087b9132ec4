/**
 * The legacy form codec: raw `name=value&…` bytes (query string or form body, often unescaped)
 * ⇄ typed fields, plus the ASCII echo string under which merchant fields are stored. It keeps the
 * decoded value bytes so echoed fields go back byte-for-byte. Pure: no I/O, no logging.
 */
import type { LegacyCharset } from "../domain/legacy-charset";
import { decodeStrict, detectCharset, encodeText } from "./charset";
import { percentDecode, percentEncode } from "./percent-codec";

export interface LegacyField {
  readonly name: string;
  /** The name after percent-decoding, in the merchant's charset (names are echoed too). */
  readonly nameBytes: Buffer;
  /** The value after percent-decoding, in the merchant's charset: what an echo sends back. */
  readonly bytes: Buffer;
  readonly value: string;
}

export interface LegacyForm {
  readonly charset: LegacyCharset;
  readonly fields: readonly LegacyField[];
  /** Value of the first field called `name`. */
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export type LegacyParseFailure = {
  reason: "bad_percent_encoding" | "undecodable" | "too_many_fields";
  detail: string;
  field?: string;
};

export type LegacyParseResult = { ok: true; form: LegacyForm } | { ok: false; failure: LegacyParseFailure };

export interface LegacyParseOptions {
  /** "auto" detects one charset for the whole form; an explicit charset is strict. */
  readonly charset: LegacyCharset | "auto";
  readonly maxFields?: number;
}

const AMP = 0x26;
const EQ = 0x3d;
const DEFAULT_MAX_FIELDS = 200;

interface Segment {
  readonly start: number;
  readonly name: Buffer;
  readonly value: Buffer;
  /** Offset of the value in the raw input (for error offsets). */
  readonly valueStart: number;
}

/**
 * Splits on `&` (empty segments skipped), then on the first `=`; no `=` means an empty value.
 * A segment without a name (`&=x`) is skipped too: nothing can address it, and echoing it back
 * would hand merchants a field they never sent under any name.
 * Lazy and linear, so callers can stop early (field limit, first match) on hostile input.
 */
function* splitSegments(raw: Buffer): Generator<Segment> {
  let start = 0;
  while (start < raw.length) {
    let end = raw.indexOf(AMP, start);
    if (end < 0) end = raw.length;
    if (end > start && raw[start] !== EQ) {
      const eq = raw.subarray(start, end).indexOf(EQ);
      const split = eq >= 0 ? start + eq : end;
      const valueStart = Math.min(split + 1, end);
      yield { start, name: raw.subarray(start, split), value: raw.subarray(valueStart, end), valueStart };
    }
    start = end + 1;
  }
}

/** An ASCII-safe label for a raw name, used only in failure details. */
function describeName(bytes: Buffer): string {
  const printable = bytes.every((b) => b >= 0x20 && b < 0x7f);
  return printable ? bytes.toString("latin1") : percentEncode(bytes);
}

/** A request split and percent-decoded once (readLegacyForm): the sid is read from it before the
 *  merchant's charset is known, then the same segments are charset-decoded (parseLegacyForm). */
export interface SplitLegacyForm {
  readonly segments: ReadonlyArray<{
    readonly seg: Segment;
    readonly name: ReturnType<typeof percentDecode>;
    readonly value: ReturnType<typeof percentDecode>;
  }>;
  /** More segments than the field limit: only the first maxFields + 1 are kept. */
  readonly tooMany: boolean;
  readonly maxFields: number;
}

export function readLegacyForm(raw: Buffer, maxFields = DEFAULT_MAX_FIELDS): SplitLegacyForm {
  const segments: Array<SplitLegacyForm["segments"][number]> = [];
  for (const seg of splitSegments(raw)) {
    if (segments.length === maxFields) return { segments, tooMany: true, maxFields };
    segments.push({ seg, name: percentDecode(seg.name), value: percentDecode(seg.value) });
  }
  return { segments, tooMany: false, maxFields };
}

type Decoded = { ok: true; fields: Array<{ nameBytes: Buffer; bytes: Buffer }> } | { ok: false; failure: LegacyParseFailure };

function percentDecodeAll(split: SplitLegacyForm): Decoded {
  const fields: Array<{ nameBytes: Buffer; bytes: Buffer }> = [];
  for (const { seg, name, value } of split.segments) {
    if (!name.ok) return badPercent(seg.start + name.at, describeName(seg.name));
    if (!value.ok) return badPercent(seg.valueStart + value.at, describeName(name.bytes));
    fields.push({ nameBytes: name.bytes, bytes: value.bytes });
  }
  return { ok: true, fields };
}

function badPercent(at: number, field: string): Decoded {
  return { ok: false, failure: { reason: "bad_percent_encoding", detail: `invalid percent escape at byte ${at}`, field } };
}

function createForm(charset: LegacyCharset, fields: readonly LegacyField[]): LegacyForm {
  return {
    charset,
    fields,
    get: (name) => fields.find((f) => f.name === name)?.value,
    has: (name) => fields.some((f) => f.name === name),
  };
}

/** The same form without the fields `drop` selects (e.g. a field that must never be echoed). */
export function withoutFields(form: LegacyForm, drop: (f: LegacyField) => boolean): LegacyForm {
  return createForm(
    form.charset,
    form.fields.filter((f) => !drop(f)),
  );
}

/**
 * Parses raw legacy bytes byte-exactly: split, percent-decode name and value to bytes, then decode
 * them in the charset. Never throws; every problem is a typed failure the route renders.
 */
export function parseLegacyForm(input: Buffer | SplitLegacyForm, opts: LegacyParseOptions): LegacyParseResult {
  const split = Buffer.isBuffer(input) ? readLegacyForm(input, opts.maxFields) : input;
  if (split.tooMany) return { ok: false, failure: { reason: "too_many_fields", detail: `more than ${split.maxFields} fields` } };
  const decoded = percentDecodeAll(split);
  if (!decoded.ok) return decoded;
  const charset = opts.charset === "auto" ? detectCharset(decoded.fields.flatMap((f) => [f.nameBytes, f.bytes])) : opts.charset;
  if (charset === undefined) {
    return { ok: false, failure: { reason: "undecodable", detail: "bytes are neither valid UTF-8 nor valid CP932" } };
  }
  const fields: LegacyField[] = [];
  for (const f of decoded.fields) {
    const name = decodeStrict(f.nameBytes, charset);
    if (!name.ok) return undecodable(charset, "name", describeName(f.nameBytes));
    const value = decodeStrict(f.bytes, charset);
    if (!value.ok) return undecodable(charset, "value", name.text);
    fields.push({ name: name.text, nameBytes: f.nameBytes, bytes: f.bytes, value: value.text });
  }
  return { ok: true, form: createForm(charset, fields) };
}

function undecodable(charset: LegacyCharset, part: "name" | "value", field: string): LegacyParseResult {
  const label = charset === "UTF-8" ? "UTF-8" : "CP932";
  return { ok: false, failure: { reason: "undecodable", detail: `field ${part} is not valid ${label}`, field } };
}

/**
 * Charset-free lookup of an ASCII parameter (e.g. `sid`) before the merchant, and so its charset,
 * is known. First occurrence wins; undefined when absent, badly escaped, or not pure ASCII.
 */
export function peekAsciiParam(input: Buffer | SplitLegacyForm, name: string): string | undefined {
  const wanted = Buffer.from(name, "latin1");
  const split = Buffer.isBuffer(input) ? readLegacyForm(input) : input;
  for (const s of split.segments) {
    if (!s.name.ok || !s.name.bytes.equals(wanted)) continue;
    if (!s.value.ok || s.value.bytes.some((b) => b >= 0x80)) return undefined;
    return s.value.bytes.toString("latin1");
  }
  return undefined;
}

/** A name or value: text is encoded in the merchant's charset; a Buffer is sent verbatim (echo). */
export type LegacyWireText = string | Buffer;

function toWire(part: LegacyWireText, charset: LegacyCharset): string {
  return percentEncode(typeof part === "string" ? encodeText(part, charset) : part);
}

/**
 * Formats `name=value&…` for replies and kickbacks. Everything outside A-Z a-z 0-9 -._~ is
 * percent-encoded, so no raw `=` or `&` ever appears inside a value (merchants that split on `&`
 * then `=` stay safe). Buffer names are accepted so decodeEcho's output can be passed straight in.
 */
export function formatLegacyForm(fields: ReadonlyArray<readonly [LegacyWireText, LegacyWireText]>, charset: LegacyCharset): string {
  return fields.map(([name, value]) => `${toWire(name, charset)}=${toWire(value, charset)}`).join("&");
}

// Echo storage lives in legacy-echo.ts; re-exported so callers need one import for the wire format.
export { decodeEcho, encodeEcho } from "./legacy-echo";
export type { EchoFieldInput } from "./legacy-echo";
