/**
 * Reads a request body as raw bytes with a size limit. Legacy bodies must never go through a
 * body parser: percent-decoding before charset decoding would corrupt Shift_JIS text. A client
 * that goes away mid-body is an outcome ("gone"), not an error.
 */
import type { IncomingMessage } from "node:http";
import { isClientGone } from "./client-gone";

export type RawBody = { ok: true; bytes: Buffer } | { ok: false; reason: "too_large" | "gone" };

export function readRawBody(req: IncomingMessage, limit: number): Promise<RawBody> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) return Promise.resolve({ ok: false, reason: "too_large" });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const settle = (r: RawBody) => {
      if (done) return;
      done = true;
      resolve(r);
    };
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        req.pause();
        settle({ ok: false, reason: "too_large" });
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => settle({ ok: true, bytes: Buffer.concat(chunks, size) }));
    req.on("error", (err) => {
      if (isClientGone(err)) settle({ ok: false, reason: "gone" });
      else if (!done) {
        done = true;
        reject(err);
      }
    });
    // Closed before 'end' (client reset, or our request timeout destroyed the socket).
    req.on("close", () => settle({ ok: false, reason: "gone" }));
  });
}

/** The raw query string bytes of a request target. Node hands the target over as latin1, byte for byte. */
export function rawQuery(url: string | undefined): Buffer {
  if (!url) return Buffer.alloc(0);
  const q = url.indexOf("?");
  return q < 0 ? Buffer.alloc(0) : Buffer.from(url.slice(q + 1), "latin1");
}

/** A legacy body is a form: `application/x-www-form-urlencoded` (any parameters), or no type at
 *  all, as some PHP stream clients send. JSON, XML or multipart would be parsed as nonsense. */
export function isFormContentType(header: string | undefined): boolean {
  if (header === undefined || header.trim() === "") return true;
  return header.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
}
