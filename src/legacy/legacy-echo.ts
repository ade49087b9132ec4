/**
 * Storage form of echoed merchant fields (sod, `no`, …): the original percent-decoded bytes as one
 * canonical, ASCII-only `name=value&…` string, safe in any DB column and in any charset. It must
 * never re-encode decoded text: echoes go back byte-for-byte. Pure: no I/O, no logging.
 */
import { AppError } from "../errors/app-error";
import type { LegacyCharset } from "../domain/legacy-charset";
import { encodeText } from "./charset";
import { percentDecode, percentEncode } from "./percent-codec";

/** A field to store for echoing: `nameBytes` wins; without it the name is encoded in `charset`. */
export interface EchoFieldInput {
  readonly name: string;
  readonly nameBytes?: Buffer;
  readonly bytes: Buffer;
}

/**
 * Canonical echo string of the original bytes, order and duplicates kept. Pass LegacyFields: their
 * nameBytes keep CP932 names byte-exact even where re-encoding the decoded text would not (NEC/IBM
 * duplicate codes). `charset` only matters for non-ASCII names given without nameBytes.
 */
export function encodeEcho(fields: readonly EchoFieldInput[], charset: LegacyCharset = "UTF-8"): string {
  return fields.map((f) => `${percentEncode(f.nameBytes ?? encodeText(f.name, charset))}=${percentEncode(f.bytes)}`).join("&");
}

// Exactly what percentEncode emits: unreserved bytes or %XX with uppercase hex.
const CANONICAL_PART = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/;

function malformed(segment: string): AppError {
  return new AppError("internal", "stored echo is malformed", {
    details: [{ path: "echo", message: `not canonical: ${segment.slice(0, 80)}` }],
  });
}

function decodePart(part: string, segment: string): Buffer {
  const decoded = CANONICAL_PART.test(part) ? percentDecode(Buffer.from(part, "latin1")) : undefined;
  if (!decoded?.ok) throw malformed(segment);
  return decoded.bytes;
}

/**
 * Inverse of encodeEcho: [nameBytes, valueBytes] pairs, ready for formatLegacyForm. Names are
 * Buffers because they may be non-ASCII and must round-trip byte-exactly. The echo is our own
 * stored data, so a malformed one is a broken invariant: throws AppError("internal").
 */
export function decodeEcho(echo: string): Array<[Buffer, Buffer]> {
  if (echo === "") return [];
  return echo.split("&").map((segment) => {
    const eq = segment.indexOf("=");
    if (eq < 0) throw malformed(segment);
    return [decodePart(segment.slice(0, eq), segment), decodePart(segment.slice(eq + 1), segment)];
  });
}

const CANONICAL_SEGMENT = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*=(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/;

/**
 * The stored echo's `name=value` segments as they go on the wire: canonical percent-encoding is
 * exactly what formatLegacyForm emits, so the stored bytes are sent as stored, never decoded and
 * re-encoded. Checked, because it is spliced into a query: a malformed one is a broken invariant.
 */
export function echoSegments(echo: string): string[] {
  if (echo === "") return [];
  const segments = echo.split("&");
  for (const seg of segments) if (!CANONICAL_SEGMENT.test(seg)) throw malformed(seg);
  return segments;
}

/** `base`'s segments with same-named ones from `override` in their place (first occurrence), and
 *  `override`'s new ones appended: a later request's fields win in its kickback. Canonical names
 *  compare as their bytes do. */
export function mergeEchoes(base: string, override: string): string[] {
  const over = echoSegments(override);
  const nameOf = (seg: string) => seg.slice(0, seg.indexOf("="));
  const byName = new Map(over.map((seg) => [nameOf(seg), seg]));
  const baseSegs = echoSegments(base);
  const present = new Set(baseSegs.map(nameOf));
  return [...baseSegs.map((seg) => byName.get(nameOf(seg)) ?? seg), ...over.filter((seg) => !present.has(nameOf(seg)))];
}

/** A formatted query with echo segments after it. */
export function withEcho(query: string, segments: readonly string[]): string {
  if (segments.length === 0) return query;
  return query === "" ? segments.join("&") : `${query}&${segments.join("&")}`;
}
