/**
 * Reads a browser form post (application/x-www-form-urlencoded, UTF-8) into single values: the
 * first value of a repeated name wins. Capped at 16 KB, far above what the card form sends; a
 * larger body is refused before it is read to the end.
 */
import type { IncomingMessage } from "node:http";

export const MAX_FORM_BYTES = 16 * 1024;

export class FormBodyTooLarge extends Error {}

export async function readFormBody(req: IncomingMessage): Promise<Record<string, string>> {
  if (Number(req.headers["content-length"] ?? "0") > MAX_FORM_BYTES) throw new FormBodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_FORM_BYTES) throw new FormBodyTooLarge();
    chunks.push(buf);
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString("utf8"))) {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) fields[name] = value;
  }
  return fields;
}
