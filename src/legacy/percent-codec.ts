/**
 * Byte-level percent-decoding and -encoding for the legacy wire format. It works on bytes, never
 * on text: merchants send raw or escaped UTF-8 and CP932, so the charset is applied only after
 * escapes become bytes (see charset.ts). Must never decode text or guess a charset.
 */

export type PercentDecodeResult = { ok: true; bytes: Buffer } | { ok: false; at: number };

const PLUS = 0x2b;
const PERCENT = 0x25;
const SPACE = 0x20;

/** Value of one ASCII hex digit, or -1. */
function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  return -1;
}

/**
 * `+` → space, `%XX` (either case) → that byte, every other byte passes through unchanged, because
 * legacy clients send raw `@`, spaces and non-ASCII bytes. A `%` without two hex digits fails with
 * its offset in `raw` (we refuse to guess what the merchant meant).
 */
export function percentDecode(raw: Buffer): PercentDecodeResult {
  // Most legacy values carry no escapes at all; copying is much cheaper than the byte loop.
  if (!raw.includes(PERCENT) && !raw.includes(PLUS)) return { ok: true, bytes: Buffer.from(raw) };
  const out = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b === PLUS) {
      out[n++] = SPACE;
    } else if (b === PERCENT) {
      const hi = hexValue(raw[i + 1]);
      const lo = hexValue(raw[i + 2]);
      if (hi < 0 || lo < 0) return { ok: false, at: i };
      out[n++] = hi * 16 + lo;
      i += 2;
    } else {
      out[n++] = b;
    }
  }
  return { ok: true, bytes: Buffer.from(out.subarray(0, n)) };
}

const HEX = "0123456789ABCDEF";

/** True for the RFC 3986 unreserved set A-Z a-z 0-9 - . _ ~ (safe unescaped everywhere). */
function isUnreserved(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
}

/** ASCII-only output: unreserved bytes kept, everything else `%XX` with uppercase hex (space → %20). */
export function percentEncode(bytes: Buffer): string {
  let out = "";
  for (const b of bytes) {
    out += isUnreserved(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}
