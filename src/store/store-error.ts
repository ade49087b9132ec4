/**
 * Translates driver errors (better-sqlite3, pg) into AppError where they enter, so callers never
 * see driver types. Busy/connection failures are marked retryable; constraint errors are bugs.
 */
import { AppError, isAppError } from "../errors/app-error";

const RETRYABLE_CODES = new Set([
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "53300", // too_many_connections
]);

function errorCode(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null || !("code" in e)) return undefined;
  const code = (e as { code: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

export function toStoreError(operation: string, e: unknown): AppError {
  if (isAppError(e)) return e;
  const code = errorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  return new AppError("internal", `store.${operation} failed: ${code ? `${code} ` : ""}${message}`, {
    cause: e,
    retryable: code !== undefined && (RETRYABLE_CODES.has(code) || code.startsWith("08")),
  });
}

/** Wraps one async store method so driver errors leave as AppError. */
export function guarded<A extends unknown[], R>(operation: string, f: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    try {
      return await f(...args);
    } catch (e) {
      throw toStoreError(operation, e);
    }
  };
}
