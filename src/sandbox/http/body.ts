/**
 * Reads a JSON request body with the documented 256 KB cap (§1.7). Oversized → 413, malformed or
 * non-object JSON → 400 VALIDATION_ERROR; an empty body is `{}` (e.g. a cancel without metadata).
 */
import type { IncomingMessage } from "node:http";
import { ApiError, validationError } from "../errors";

export const MAX_BODY_BYTES = 256 * 1024;

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw validationError([{ field: "body", reason: "INVALID_FORMAT_OBJECT" }]);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw validationError([{ field: "body", reason: "INVALID_FORMAT_OBJECT" }]);
  }
  return parsed as Record<string, unknown>;
}

function tooLarge(): ApiError {
  return new ApiError(413, "REQUEST_ENTITY_TOO_LARGE", [{ field: "body", reason: "Request body must not exceed 256 KB" }]);
}
