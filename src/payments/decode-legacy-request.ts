/**
 * Turns the raw bytes of a legacy request into a validated LegacyRequest, or into the legacy
 * failure the old gateway would have answered. Order matters and mirrors the old gateway:
 * who is calling (sid, source IP) before what they ask (charset, job, fields).
 */
import { fallbackCharsetOf, isSourceAllowed, type Merchant } from "../config/merchants";
import { containsCardNumber } from "../legacy/card-number-scan";
import { encodeEcho, parseLegacyForm, peekAsciiParam, readLegacyForm, withoutFields, type LegacyForm } from "../legacy/legacy-form";
import { isEchoedParam, legacyFailure, resolveOperation, type GatewayErrorKey, type LegacyFailure } from "../mapping";
import type { LegacyCharset } from "../domain/legacy-charset";
import type { LegacyEndpoint, LegacyRequest } from "../transitions/legacy-request";
import type { PaymentDeps } from "../transitions/payment-deps";
import { legacyRequestKey, priorRequestKeys } from "./legacy-request-key";

export interface DecodeFailure {
  readonly failure: LegacyFailure;
  readonly charset: LegacyCharset;
  readonly merchant?: Merchant;
  readonly form?: LegacyForm;
}

export type Decoded = { ok: true; req: LegacyRequest } | ({ ok: false } & DecodeFailure);

export function decodeLegacyRequest(
  deps: Pick<PaymentDeps, "table" | "merchants" | "requestKeySecret" | "priorKeysUntil" | "now">,
  endpoint: LegacyEndpoint,
  raw: Buffer,
  /** null: a shopper's browser (the link method), checked by its Referer instead. */
  sourceIp: string | null,
): Decoded {
  const { table } = deps;
  // Split and percent-decoded once: the sid now, the whole form once the charset is known.
  const split = readLegacyForm(raw);
  const sid = peekAsciiParam(split, "sid");
  if (!sid) return { ok: false, failure: legacyFailure(table, "sid_missing", "sid is missing"), charset: "UTF-8" };
  const merchant = deps.merchants.get(sid);
  if (!merchant) return { ok: false, failure: legacyFailure(table, "sid_unknown", `unknown sid ${sid}`), charset: "UTF-8" };
  const fallbackCharset = fallbackCharsetOf(merchant);
  if (sourceIp !== null && !isSourceAllowed(merchant, sourceIp)) {
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
      priorKeys: deps.priorKeysUntil && deps.now() < deps.priorKeysUntil ? priorRequestKeys(deps.requestKeySecret, sid, endpoint, form) : [],
      echo: encodeEcho(echoFields),
      // The service the request names, or the mapping table's default for its endpoint; empty
      // only for an operation on a pid, which keeps its payment's service.
      svid: form.get("svid") || table.services.missingSvid[endpoint] || "",
      // Real time, not deps.now(): the deadline is how long the merchant waits.
      receivedAt: Date.now(),
    },
  };
}
