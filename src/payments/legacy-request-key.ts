/**
 * The request key: what makes two legacy requests "the same request", so that a resend is
 * answered from the first one's result instead of charging again. It is computed over the decoded,
 * normalised request — field order, the case of `job`, `1500.00` = `1500`, the charset the bytes
 * came in, empty fields (which count as absent) — because a merchant resending "the same" request
 * does not resend the same bytes: one order charged five times in the evidence differed only so.
 *
 * Keyed (HMAC-SHA256 with GATEWAY_SECRET) because the request may carry a card number and CVV:
 * an unkeyed hash of it, stored next to the other fields, would let anyone holding the database
 * recover a CVV in a thousand guesses. Keys carry their scheme, so rows written under an earlier
 * one can be told apart and, for a day after an upgrade, still found (priorRequestKeys).
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import type { LegacyForm } from "../legacy/legacy-form";
import type { Secret } from "../logging/logger";
import { ITEM_AMOUNT, parseYen } from "../mapping";
import type { LegacyEndpoint } from "../transitions/legacy-request";

/** The current scheme: normalised fields. "h1:" keyed the raw bytes; no scheme was unkeyed. */
export const REQUEST_KEY_SCHEME = "h2:";
const RAW_BYTES_SCHEME = "h1:";
/** How long after an upgrade a resend may still find its row under an earlier scheme's key:
 *  the replay window the earlier version gave it (UnivaPay replays idempotency keys for 24 h). */
export const PRIOR_KEY_WINDOW_MS = 24 * 60 * 60 * 1000;

export function legacyRequestKey(secret: Secret, sid: string, endpoint: LegacyEndpoint, form: LegacyForm): string {
  const h = createHmac("sha256", secret.reveal());
  return `${REQUEST_KEY_SCHEME}${digest(h, sid, endpoint, normalisedPairs(form))}`;
}

/** The same request's keys under the earlier schemes (raw bytes keyed, then unkeyed), for lookups
 *  of rows those versions wrote; never stored. */
export function priorRequestKeys(secret: Secret, sid: string, endpoint: LegacyEndpoint, form: LegacyForm): string[] {
  return [`${RAW_BYTES_SCHEME}${digest(createHmac("sha256", secret.reveal()), sid, endpoint, rawPairs(form))}`, unkeyedRequestKey(sid, endpoint, form)];
}

/** The pre-HMAC key (unkeyed SHA-256 of the raw bytes, no scheme). */
export function unkeyedRequestKey(sid: string, endpoint: LegacyEndpoint, form: LegacyForm): string {
  return digest(createHash("sha256"), sid, endpoint, rawPairs(form));
}

/** Whether a stored key is under an earlier scheme that is derived from the raw bytes. */
export function isRawBytesKey(key: string): boolean {
  return key.startsWith(RAW_BYTES_SCHEME) || !key.includes(":");
}

/** (name, value) as the gateway reads them: decoded text, `job` in upper case, amounts as yen. */
function normalisedPairs(form: LegacyForm): string[] {
  const pairs: string[] = [];
  for (const f of form.fields) {
    if (f.value === "") continue;
    pairs.push(`${f.name}\u0000${normalisedValue(f.name, f.value)}`);
  }
  return pairs.sort();
}

function normalisedValue(name: string, value: string): string {
  if (name === "job") return value.trim().toUpperCase();
  if (ITEM_AMOUNT.test(name)) {
    const y = parseYen(value);
    if (y.ok) return String(y.value);
  }
  return value;
}

function rawPairs(form: LegacyForm): string[] {
  return form.fields.map((f) => `${f.name}\u0000${f.bytes.toString("hex")}`).sort();
}

function digest(h: Hash | Hmac, sid: string, endpoint: LegacyEndpoint, pairs: readonly string[]): string {
  h.update(`${sid}\u0000${endpoint}`);
  for (const p of pairs) h.update(`\u0001${p}`);
  return h.digest("hex");
}
