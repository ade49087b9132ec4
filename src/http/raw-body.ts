/**
 * Reads a request body as raw bytes with a size limit. Legacy bodies must never go through a
 * body parser: percent-decoding before charset decoding would corrupt Shift_JIS text.
 */
import type { IncomingMessage } from "node:http";

export type RawBody = { ok: true; bytes: Buffer } | { ok: false; tooLarge: true };

export function readRawBody(req: IncomingMessage, limit: number): Promise<RawBody> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) return Promise.resolve({ ok: false, tooLarge: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        req.pause();
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!done) resolve({ ok: true, bytes: Buffer.concat(chunks, size) });
    });
    req.on("error", (err) => {
      if (!done) reject(err);
    });
  });
}

/** The raw query string bytes of a request target. Node hands the target over as latin1, byte for byte. */
export function rawQuery(url: string | undefined): Buffer {
  if (!url) return Buffer.alloc(0);
  const q = url.indexOf("?");
  return q < 0 ? Buffer.alloc(0) : Buffer.from(url.slice(q + 1), "latin1");
}
