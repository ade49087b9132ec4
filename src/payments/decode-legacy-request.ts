/**
 * Turns the raw bytes of a legacy request into a validated LegacyRequest, or into the legacy
 * failure the old gateway would have answered. Order matters and mirrors the old gateway:
 * who is calling (sid, source IP) before what they ask (charset, job, fields).
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { isSourceAllowed, type Merchant } from "../config/merchants";
import { containsCardNumber } from "../legacy/card-number-scan";
import { encodeEcho, parseLegacyForm, peekAsciiParam, readLegacyForm, withoutFields, type LegacyForm } from "../legacy/legacy-form";
import type { Secret } from "../logging/logger";
import { isEchoedParam, legacyFailure, resolveOperation, type GatewayErrorKey, type LegacyFailure } from "../mapping";
import type { LegacyCharset } from "../domain/legacy-charset";
import type { LegacyEndpoint, LegacyRequest } from "../transitions/legacy-request";
import type { PaymentDeps } from "../transitions/payment-deps";

export interface DecodeFailure {
  readonly failure: LegacyFailure;
  readonly charset: LegacyCharset;
  readonly merchant?: Merchant;
  readonly form?: LegacyForm;
}

export type Decoded = { ok: true; req: LegacyRequest } | ({ ok: false } & DecodeFailure);

/**
 * HMAC-SHA256 (keyed with GATEWAY_SECRET) over sid, endpoint and the sorted (name, value bytes)
 * pairs: order-insensitive. Keyed because the request may carry a card number and CVV: an
 * unkeyed hash of it, stored next to the other fields, would let anyone holding the database
 * recover a CVV in a thousand guesses.
 */
export function legacyRequestKey(secret: Secret, sid: string, endpoint: LegacyEndpoint, form: LegacyForm): string {
  return `${REQUEST_KEY_SCHEME}${digestRequest(createHmac("sha256", secret.reveal()), sid, endpoint, form)}`;
}

/** Keys carry their scheme, so rows written under an earlier one can be told apart (and retired). */
export const REQUEST_KEY_SCHEME = "h1:";
/** How long after an upgrade a resend may still find its row under a pre-HMAC key: UnivaPay's
 *  replay window for the idempotency keys derived from it. */
export const PRIOR_KEY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The key as computed before it was keyed (unkeyed SHA-256, no scheme): only for lookups of rows
 *  written by that version, never stored. */
export function priorRequestKey(sid: string, endpoint: LegacyEndpoint, form: LegacyForm): string {
  return digestRequest(createHash("sha256"), sid, endpoint, form);
}

function digestRequest(h: Hash | Hmac, sid: string, endpoint: LegacyEndpoint, form: LegacyForm): string {
  h.update(`${sid}\u0000${endpoint}`);
  const pairs = form.fields.map((f) => `${f.name}\u0000${f.bytes.toString("hex")}`).sort();
  for (const p of pairs) h.update(`\u0001${p}`);
  return h.digest("hex");
}

export function decodeLegacyRequest(
  deps: Pick<PaymentDeps, "table" | "merchants" | "requestKeySecret" | "priorKeysUntil" | "now">,
  endpoint: LegacyEndpoint,
  raw: Buffer,
  sourceIp: string,
): Decoded {
  const { table } = deps;
  // Split and percent-decoded once: the sid now, the whole form once the charset is known.
  const split = readLegacyForm(raw);
  const sid = peekAsciiParam(split, "sid");
  if (!sid) return { ok: false, failure: legacyFailure(table, "sid_missing", "sid is missing"), charset: "UTF-8" };
  const merchant = deps.merchants.get(sid);
  if (!merchant) return { ok: false, failure: legacyFailure(table, "sid_unknown", `unknown sid ${sid}`), charset: "UTF-8" };
  const fallbackCharset: LegacyCharset = merchant.charset === "auto" ? "UTF-8" : merchant.charset;
  if (!isSourceAllowed(merchant, sourceIp)) {
    return { ok: false, merchant, charset: fallbackCharset, failure: legacyFailure(table, "source_ip_denied", `source ${sourceIp} not allowed`) };
  }
  const parsed = parseLegacyForm(split, { charset: merchant.charset });
  if (!parsed.ok) {
    const key: GatewayErrorKey = parsed.failure.reason;
    return { ok: false, merchant, charset: fallbackCharset, failure: legacyFailure(table, key, parsed.failure.detail, parsed.failure.field) };
  }
  // A card number may only arrive in the card parameters: anywhere else it would be stored in
  // the echo, sent back in every kickback and written to UnivaPay metadata. Refused, never kept.
  const leaking = (f: LegacyForm["fields"][number]) => !table.params.cardNames.has(f.name) && containsCardNumber(f.value);
  const leak = parsed.form.fields.find(leaking);
  if (leak) {
    return {
      ok: false,
      merchant,
      form: withoutFields(parsed.form, leaking),
      charset: parsed.form.charset,
      failure: legacyFailure(table, "card_number_in_field", "a card number in a field other than the card parameters", leak.name),
    };
  }
  const form = parsed.form;
  const resolved = resolveOperation(table, endpoint, form);
  if (!resolved.ok) {
    return { ok: false, merchant, form, charset: form.charset, failure: resolved.failures[0] ?? legacyFailure(table, "internal", "no failure") };
  }
  const echoFields = form.fields.filter((f) => isEchoedParam(table, f.name));
  return {
    ok: true,
    req: {
      endpoint,
      merchant,
      form,
      op: resolved.value,
      requestKey: legacyRequestKey(deps.requestKeySecret, sid, endpoint, form),
      ...(deps.priorKeysUntil && deps.now() < deps.priorKeysUntil ? { priorKey: priorRequestKey(sid, endpoint, form) } : {}),
      echo: encodeEcho(echoFields),
      // The service the request names, or the mapping table's default for its endpoint; empty
      // only for an operation on a pid, which keeps its payment's service.
      svid: form.get("svid") || table.services.missingSvid[endpoint] || "",
      // Real time, not deps.now(): the deadline is how long the merchant waits.
      receivedAt: Date.now(),
    },
  };
}
