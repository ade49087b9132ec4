/**
 * Owns the pure repair in front of Node's HTTP parser for a connection's whole life: follows
 * HTTP/1.1 framing only to find each request line, and percent-encodes the request-target bytes
 * the parser would refuse (raw spaces, Shift_JIS/UTF-8 bytes legacy clients send; the legacy codec
 * decodes a raw byte and its %XX form alike). Must never change a method, version, header or body
 * byte, nor hold more than its limits; what it cannot frame it passes on unchanged from then on.
 */
import { BodyFraming, CHUNKED, UNFRAMABLE, parseChunkSize } from "./body-framing";

export interface RequestStreamRepairer {
  /** Bytes in, bytes out, in order. May return an empty Buffer while a request line is incomplete. Never throws. */
  feed(chunk: Buffer): Buffer;
  /** Whatever is still buffered (e.g. a partial request line at end of stream), unmodified. */
  flush(): Buffer;
  /** The first bytes of the latest request line seen (as received), so an error answer can tell
   *  which path a request was for even when Node's parser gave up before reading it. */
  requestHead(): Buffer;
  /** True while the start of a request line is held back (Node's parser has not seen it, so its
   *  header deadline cannot run: the caller must time the wait itself). */
  holding(): boolean;
}

/** How much of a request line requestHead keeps: enough for a method and a legacy path. */
const HEAD_BYTES = 64;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const PERCENT = 0x25;
const HTTP_VERSION = Buffer.from(" HTTP/");
const CONNECT = Buffer.from("CONNECT");
const HEX = Buffer.from("0123456789ABCDEF");
const EMPTY = Buffer.alloc(0);
// A held line's buffer is kept for the next split line up to this size; larger ones were hostile or rare.
const KEEP_CARRY_BYTES = 1024;

function isBad(b: number): boolean {
  return b <= 0x20 || b >= 0x7f;
}

/** End of the line content buf[s, lf): a CR just before the LF belongs to the line end. */
function contentEnd(buf: Buffer, s: number, lf: number): number {
  return lf > s && buf[lf - 1] === CR ? lf - 1 : lf;
}

function firstSpace(buf: Buffer, s: number, e: number): number {
  for (let i = s; i < e; i++) if (buf[i] === SP) return i;
  return -1;
}

/** Start of the last " HTTP/" of the line that lies at or after the method's space, or -1. */
function versionStart(buf: Buffer, sp: number, e: number): number {
  // Guarded because a negative offset would make lastIndexOf count from the buffer's end.
  if (e - HTTP_VERSION.length < sp) return -1;
  const v = buf.lastIndexOf(HTTP_VERSION, e - HTTP_VERSION.length);
  return v >= sp ? v : -1;
}

function countBad(buf: Buffer, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) if (isBad(buf[i]!)) n++;
  return n;
}

/** buf[s, end) with the `bad` refused bytes of the target buf[ts, te) written as %XX. */
function encodeTarget(buf: Buffer, s: number, ts: number, te: number, end: number, bad: number): Buffer {
  const out = Buffer.allocUnsafe(end - s + 2 * bad);
  let o = buf.copy(out, 0, s, ts);
  for (let i = ts; i < te; i++) {
    const b = buf[i]!;
    if (isBad(b)) {
      out[o++] = PERCENT;
      out[o++] = HEX[b >> 4]!;
      out[o++] = HEX[b & 15]!;
    } else out[o++] = b;
  }
  buf.copy(out, o, te, end);
  return out;
}

/**
 * Pure: `line` itself unless the request-target of its first line has bytes the parser would
 * refuse; then a copy with those bytes percent-encoded (anything after the first line is kept).
 */
export function repairRequestLine(line: Buffer): Buffer {
  const lf = line.indexOf(LF);
  const e = contentEnd(line, 0, lf < 0 ? line.length : lf);
  const sp = firstSpace(line, 0, e);
  const v = sp < 0 ? -1 : versionStart(line, sp, e);
  if (v < 0) return line;
  const bad = countBad(line, sp + 1, v);
  return bad === 0 ? line : encodeTarget(line, 0, sp + 1, v, line.length, bad);
}

// Where the next byte belongs. BODY and CHUNK_DATA count bytes; the others read lines.
const REQUEST_LINE = 0;
const HEADERS = 1;
const BODY = 2;
const CHUNK_SIZE = 3;
const CHUNK_DATA = 4;
const CHUNK_END = 5; // expects the CR LF after chunk data
const CHUNK_END_LF = 6;
const TRAILERS = 7;
const PASS = 8; // no more repair: every later byte passes unchanged

class StreamRepairer implements RequestStreamRepairer {
  private mode = REQUEST_LINE;
  // A request line waiting for its end (held back from the output), or a field line split across
  // chunks (already passed on, kept only to be read).
  private carry = EMPTY;
  private carryLen = 0;
  private remaining = 0;
  private blockBytes = 0;
  private readonly framing = new BodyFraming();
  private readonly out: Buffer[] = [];
  private head: Buffer = EMPTY;

  constructor(
    private readonly maxLine: number,
    private readonly maxHeader: number,
  ) {}

  feed(chunk: Buffer): Buffer {
    if (this.mode === PASS || chunk.length === 0) return chunk;
    const len = chunk.length;
    const out = this.out;
    let pos = 0;
    let from = 0; // chunk[from, pos) is passed on unchanged
    while (pos < len && this.mode !== PASS) {
      const mode = this.mode;
      if (mode === BODY || mode === CHUNK_DATA) {
        const n = Math.min(this.remaining, len - pos);
        pos += n;
        this.remaining -= n;
        if (this.remaining === 0) this.mode = mode === BODY ? REQUEST_LINE : CHUNK_END;
      } else if (mode === CHUNK_END || mode === CHUNK_END_LF) {
        const b = chunk[pos++];
        if (b === LF) this.mode = CHUNK_SIZE;
        else this.mode = b === CR && mode === CHUNK_END ? CHUNK_END_LF : PASS;
      } else if (mode === REQUEST_LINE) {
        // A view, not a copy: it only pins this chunk until the next request line.
        // Copied: a view would pin the whole read buffer until the next request line.
        if (this.carryLen === 0 && chunk[pos] !== CR && chunk[pos] !== LF) this.head = Buffer.from(chunk.subarray(pos, Math.min(len, pos + HEAD_BYTES)));
        const lf = chunk.indexOf(LF, pos);
        if (this.carryLen + (lf < 0 ? len : lf) - pos > this.maxLine) {
          // A held part only ever waits at a chunk's start, so nothing of this chunk is out yet.
          if (this.carryLen > 0) out.push(this.release());
          this.mode = PASS;
        } else if (lf < 0) {
          if (pos > from) out.push(chunk.subarray(from, pos));
          this.hold(chunk, pos, len);
          pos = from = len;
        } else if (this.carryLen > 0) {
          this.hold(chunk, pos, lf + 1);
          out.push(this.requestLine(this.carry, 0, this.carryLen - 1) ?? this.release());
          this.dropCarry();
          pos = from = lf + 1;
        } else {
          const fixed = this.requestLine(chunk, pos, lf);
          if (fixed !== undefined) {
            if (pos > from) out.push(chunk.subarray(from, pos));
            out.push(fixed);
            from = lf + 1;
          }
          pos = lf + 1;
        }
      } else {
        pos = this.fieldLine(mode, chunk, pos);
      }
    }
    if (out.length === 0) return from === 0 ? chunk : chunk.subarray(from);
    if (from < len) out.push(chunk.subarray(from));
    const result = out.length === 1 ? out[0]! : Buffer.concat(out);
    out.length = 0;
    return result;
  }

  flush(): Buffer {
    if (this.mode !== REQUEST_LINE || this.carryLen === 0) return EMPTY;
    return this.release();
  }

  requestHead(): Buffer {
    return this.head;
  }

  holding(): boolean {
    return this.mode === REQUEST_LINE && this.carryLen > 0;
  }

  /** Reads a header, trailer or chunk-size line from chunk[pos]; they pass on as they are. */
  private fieldLine(mode: number, chunk: Buffer, pos: number): number {
    const lf = chunk.indexOf(LF, pos);
    const end = lf < 0 ? chunk.length : lf + 1;
    if (mode === CHUNK_SIZE) {
      if (this.carryLen + (lf < 0 ? end : lf) - pos > this.maxLine) this.mode = PASS;
    } else {
      this.blockBytes += end - pos;
      if (this.blockBytes > this.maxHeader) this.mode = PASS;
    }
    if (this.mode === PASS) return end;
    if (lf < 0) {
      this.hold(chunk, pos, end);
      return end;
    }
    if (this.carryLen === 0) this.endField(mode, chunk, pos, contentEnd(chunk, pos, lf));
    else {
      this.hold(chunk, pos, end);
      this.endField(mode, this.carry, 0, contentEnd(this.carry, 0, this.carryLen - 1));
      this.dropCarry();
    }
    return end;
  }

  private endField(mode: number, buf: Buffer, s: number, e: number): void {
    if (mode === CHUNK_SIZE) {
      const size = parseChunkSize(buf, s, e);
      if (size === UNFRAMABLE) this.mode = PASS;
      else if (size > 0) this.startCount(CHUNK_DATA, size);
      else {
        this.mode = TRAILERS;
        this.blockBytes = 0;
      }
    } else if (e > s) {
      if (mode === HEADERS && !this.framing.field(buf, s, e)) this.mode = PASS;
    } else if (mode === TRAILERS) this.mode = REQUEST_LINE;
    else {
      const body = this.framing.bodyLength();
      if (body === UNFRAMABLE) this.mode = PASS;
      else if (body === CHUNKED) this.mode = CHUNK_SIZE;
      else if (body > 0) this.startCount(BODY, body);
      else this.mode = REQUEST_LINE;
    }
  }

  private startCount(mode: number, n: number): void {
    this.mode = mode;
    this.remaining = n;
  }

  /** Classifies the request line buf[s, lf] and returns its repair, or undefined when unchanged. */
  private requestLine(buf: Buffer, s: number, lf: number): Buffer | undefined {
    const e = contentEnd(buf, s, lf);
    if (e === s) return undefined; // an empty line before a request is allowed and kept
    const sp = firstSpace(buf, s, e);
    const v = sp < 0 ? -1 : versionStart(buf, sp, e);
    // CONNECT hands the connection over to a tunnel; its bytes are no longer HTTP.
    if (v < 0 || (sp - s === CONNECT.length && buf.compare(CONNECT, 0, CONNECT.length, s, sp) === 0)) {
      this.mode = PASS;
      return undefined;
    }
    this.mode = HEADERS;
    this.blockBytes = 0;
    this.framing.reset();
    const bad = countBad(buf, sp + 1, v);
    return bad === 0 ? undefined : encodeTarget(buf, s, sp + 1, v, lf + 1, bad);
  }

  private hold(buf: Buffer, s: number, e: number): void {
    const need = this.carryLen + e - s;
    if (need > this.carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(256, need, 2 * this.carry.length));
      this.carry.copy(grown, 0, 0, this.carryLen);
      this.carry = grown;
    }
    buf.copy(this.carry, this.carryLen, s, e);
    this.carryLen = need;
  }

  /** The held bytes as a buffer of their own (the carry is reused). */
  private release(): Buffer {
    const held = Buffer.allocUnsafe(this.carryLen);
    this.carry.copy(held, 0, 0, this.carryLen);
    this.dropCarry();
    return held;
  }

  private dropCarry(): void {
    this.carryLen = 0;
    if (this.carry.length > KEEP_CARRY_BYTES) this.carry = EMPTY;
  }
}

/** A repairer for one connection's bytes, from its first byte to its last. */
export function createRequestStreamRepairer(opts: { maxLineBytes: number; maxHeaderBytes: number }): RequestStreamRepairer {
  return new StreamRepairer(opts.maxLineBytes, opts.maxHeaderBytes);
}
