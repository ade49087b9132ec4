/**
 * Text ⇄ bytes in a merchant's legacy charset. "Shift_JIS" always means Microsoft CP932 (what
 * Japanese Windows/PHP sites produce). Decoding is strict: iconv-lite silently substitutes U+FFFD,
 * so we detect that instead of passing corrupted text on. No I/O, no logging.
 */
import { TextDecoder } from "node:util";

import iconv from "iconv-lite";

import type { LegacyCharset } from "../domain/legacy-charset";

const CP932 = "cp932";

// fatal: invalid UTF-8 (incl. overlongs and encoded surrogates) throws instead of becoming U+FFFD.
// ignoreBOM: keep a leading U+FEFF as text, so decoding never drops merchant bytes.
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export type DecodeResult = { ok: true; text: string } | { ok: false };

function decodeUtf8(bytes: Buffer): DecodeResult {
  try {
    return { ok: true, text: utf8Strict.decode(bytes) };
  } catch {
    return { ok: false };
  }
}

/**
 * CP932 has no code for U+FFFD, so any U+FFFD in iconv-lite's output is a substitution for an
 * invalid or unassigned sequence. A round-trip comparison would be wrong here: NEC and IBM
 * duplicates (e.g. 0xED40 and 0xFA5C, both 纊) are valid but re-encode to the other form.
 */
function decodeCp932(bytes: Buffer): DecodeResult {
  const text = iconv.decode(bytes, CP932, { stripBOM: false });
  return text.includes("\uFFFD") ? { ok: false } : { ok: true, text };
}

/** Decodes bytes, failing on anything not valid in `charset` (a genuine U+FFFD in UTF-8 is fine). */
export function decodeStrict(bytes: Buffer, charset: LegacyCharset): DecodeResult {
  return charset === "UTF-8" ? decodeUtf8(bytes) : decodeCp932(bytes);
}

/**
 * Encodes text in `charset`. For CP932, characters without a CP932 code (emoji, é, U+301C WAVE
 * DASH…) become `?`, one per code point. Acceptable because our own reply values are ASCII and
 * echoed merchant values are kept as bytes and never re-encoded. For UTF-8, a lone surrogate
 * becomes U+FFFD (EF BF BD), as in Buffer.from.
 */
export function encodeText(text: string, charset: LegacyCharset): Buffer {
  return charset === "UTF-8" ? Buffer.from(text, "utf8") : iconv.encode(text, CP932);
}

/**
 * Guesses one charset for all samples together: all valid UTF-8 (ASCII included) → "UTF-8";
 * else all valid CP932 → "Shift_JIS"; else undefined. UTF-8 wins ties because CP932 multi-byte
 * text is rarely valid UTF-8, while short CP932 half-width kana runs can be (0xC3 0xA9 = é or ﾃｩ).
 */
export function detectCharset(samples: readonly Buffer[]): LegacyCharset | undefined {
  if (samples.every((s) => decodeUtf8(s).ok)) return "UTF-8";
  if (samples.every((s) => decodeCp932(s).ok)) return "Shift_JIS";
  return undefined;
}
