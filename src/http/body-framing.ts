/**
 * Owns reading the header fields and chunk-size lines that decide where an HTTP/1.1 request body
 * ends, so the request-line repairer knows where the next request line starts. Pure, byte-level.
 * Must never guess: any framing it cannot be certain of (Upgrade, a doubtful Content-Length or
 * Transfer-Encoding, an odd chunk-size line) is reported as unframable.
 */

const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const SEMICOLON = 0x3b;

/** `bodyLength()` when the body is chunked. */
export const CHUNKED = -1;
/** `bodyLength()` / `parseChunkSize()` when the framing cannot be known with certainty. */
export const UNFRAMABLE = -2;

// Past 12 hex or 15 decimal digits a length no longer fits a double exactly; no legacy body comes near.
const MAX_HEX_DIGITS = 12;
const MAX_DECIMAL_DIGITS = 15;

const CONTENT_LENGTH = Buffer.from("content-length");
const TRANSFER_ENCODING = Buffer.from("transfer-encoding");
const UPGRADE = Buffer.from("upgrade");

/** Case-insensitive match of a lower-case field name at buf[s]; `|0x20` is applied to letters only. */
function nameIs(buf: Buffer, s: number, name: Buffer): boolean {
  for (let i = 0; i < name.length; i++) {
    const want = name[i]!;
    const got = buf[s + i]!;
    if (got !== want && (want < 0x61 || (got | 0x20) !== want)) return false;
  }
  return true;
}

function isSpace(b: number | undefined): boolean {
  return b === SP || b === HT;
}

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/**
 * The size of a chunk from its chunk-size line buf[s, e) (line end excluded), extensions ignored;
 * UNFRAMABLE when the line is not `HEX [BWS ";" ...]`.
 */
export function parseChunkSize(buf: Buffer, s: number, e: number): number {
  let size = 0;
  let i = s;
  for (; i < e; i++) {
    const v = hexValue(buf[i]);
    if (v < 0) break;
    size = size * 16 + v;
  }
  if (i === s || i - s > MAX_HEX_DIGITS) return UNFRAMABLE;
  while (i < e && isSpace(buf[i])) i++;
  return i === e || buf[i] === SEMICOLON ? size : UNFRAMABLE;
}

/** The framing fields of one header block, fed one field line at a time. */
export class BodyFraming {
  private contentLength = -1;
  private transferEncoding = false;
  private chunkedLast = false;
  private chunkedNotLast = false;

  reset(): void {
    this.contentLength = -1;
    this.transferEncoding = false;
    this.chunkedLast = false;
    this.chunkedNotLast = false;
  }

  /** Takes the field line buf[s, e) (line end excluded); false once the block cannot be framed. */
  field(buf: Buffer, s: number, e: number): boolean {
    // A folded line could be the continuation of a framing field; Node's parser may or may not join it.
    if (isSpace(buf[s])) return false;
    // Names are matched at their exact length: Node refuses whitespace before the colon anyway.
    const n = e - s;
    if (n > 14 && buf[s + 14] === COLON && nameIs(buf, s, CONTENT_LENGTH)) return this.length(buf, s + 15, e);
    if (n > 17 && buf[s + 17] === COLON && nameIs(buf, s, TRANSFER_ENCODING)) return this.codings(buf, s + 18, e);
    return !(n > 7 && buf[s + 7] === COLON && nameIs(buf, s, UPGRADE));
  }

  /** Body length in bytes (0: no body), CHUNKED, or UNFRAMABLE. */
  bodyLength(): number {
    if (!this.transferEncoding) return this.contentLength < 0 ? 0 : this.contentLength;
    if (this.contentLength >= 0 || this.chunkedNotLast || !this.chunkedLast) return UNFRAMABLE;
    return CHUNKED;
  }

  private length(buf: Buffer, s: number, e: number): boolean {
    while (s < e && isSpace(buf[s])) s++;
    while (e > s && isSpace(buf[e - 1])) e--;
    if (s === e || e - s > MAX_DECIMAL_DIGITS) return false;
    let value = 0;
    for (let i = s; i < e; i++) {
      const d = buf[i]! - 0x30;
      if (d < 0 || d > 9) return false;
      value = value * 10 + d;
    }
    if (this.contentLength >= 0 && this.contentLength !== value) return false;
    this.contentLength = value;
    return !this.transferEncoding;
  }

  // Rare (legacy clients send Content-Length), so a string split is fine here.
  private codings(buf: Buffer, s: number, e: number): boolean {
    this.transferEncoding = true;
    for (const raw of buf.toString("latin1", s, e).split(",")) {
      const coding = raw.trim().toLowerCase();
      if (coding === "") continue;
      if (this.chunkedLast) this.chunkedNotLast = true;
      this.chunkedLast = coding === "chunked";
    }
    return this.contentLength < 0 && !this.chunkedNotLast;
  }
}
