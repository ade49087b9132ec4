/**
 * Idempotency keys for UnivaPay POST/PATCH (api doc §1.6). A key is *derived* from the legacy
 * request (merchant, operation, legacy order id, …), never random: when a merchant retries the
 * same legacy request, or we resend after an unknown outcome, the same key goes out again and
 * UnivaPay replays its stored answer (for 24 h) instead of charging twice.
 */
import { createHash } from "node:crypto";

const PREFIX = "ccps-";
/** UnivaPay documents no length limit; 64 chars stays safe for any key store (236 hash bits left). */
const MAX_LENGTH = 64;

/**
 * Deterministic key: "ccps-" + sha256 hex of the parts, cut to 64 chars. The parts are hashed
 * as a JSON array rather than joined with a separator, because legacy values can contain any
 * character (even a percent-decoded NUL), and ["ab","c"] must never collide with ["a","bc"].
 * Pass parts that identify the *operation*, e.g. (storeId, "charge", legacyOrderId).
 * @throws Error when no part is given (a constant key would merge unrelated requests).
 */
export function deriveIdempotencyKey(...parts: string[]): string {
  if (parts.length === 0) throw new Error("deriveIdempotencyKey needs at least one part");
  const hex = createHash("sha256").update(JSON.stringify(parts), "utf8").digest("hex");
  return (PREFIX + hex).slice(0, MAX_LENGTH);
}
