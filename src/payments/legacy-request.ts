/**
 * Turns the raw bytes of a legacy request into a validated LegacyRequest, or into the legacy
 * failure the old gateway would have answered. Order matters and mirrors the old gateway:
 * who is calling (sid, source IP) before what they ask (charset, job, fields).
 */
import { createHash } from "node:crypto";
import { isSourceAllowed, type Merchant } from "../config/merchants";
import { encodeEcho, parseLegacyForm, peekAsciiParam, type LegacyForm } from "../legacy/legacy-form";
import { ecFor, isEchoedParam, resolveOperation, type GatewayErrorKey, type LegacyFailure, type MappingTable, type ResolvedOperation } from "../mapping";
import type { LegacyCharset } from "../store/store-types";
import type { PaymentDeps } from "./payment-deps";

export type LegacyEndpoint = "memberpay" | "payment";

export interface LegacyRequest {
  readonly endpoint: LegacyEndpoint;
  readonly merchant: Merchant;
  readonly form: LegacyForm;
  readonly op: ResolvedOperation;
  /** Derived from every field of the request: the same request sent twice has the same key. */
  readonly requestKey: string;
  /** Merchant-defined fields of this request, canonically percent-encoded (see encodeEcho). */
  readonly echo: string;
  readonly svid: string;
}

export interface DecodeFailure {
  readonly failure: LegacyFailure;
  readonly charset: LegacyCharset;
  readonly merchant?: Merchant;
  readonly form?: LegacyForm;
}

export type Decoded = { ok: true; req: LegacyRequest } | ({ ok: false } & DecodeFailure);

export function failure(table: MappingTable, key: GatewayErrorKey, message: string, field?: string): LegacyFailure {
  return { key, ec: ecFor(table, key), message, ...(field ? { field } : {}) };
}

/** sha256 over sid, endpoint and the sorted (name, value bytes) pairs: order-insensitive. */
export function legacyRequestKey(sid: string, endpoint: LegacyEndpoint, form: LegacyForm): string {
  const h = createHash("sha256").update(`${sid}\u0000${endpoint}`);
  const pairs = form.fields
    .map((f) => `${f.name}\u0000${f.bytes.toString("hex")}`)
    .sort();
  for (const p of pairs) h.update(`\u0001${p}`);
  return h.digest("hex");
}

export function decodeLegacyRequest(
  deps: Pick<PaymentDeps, "table" | "merchants">,
  endpoint: LegacyEndpoint,
  raw: Buffer,
  sourceIp: string,
): Decoded {
  const { table } = deps;
  const sid = peekAsciiParam(raw, "sid");
  if (!sid) return { ok: false, failure: failure(table, "sid_missing", "sid is missing"), charset: "UTF-8" };
  const merchant = deps.merchants.get(sid);
  if (!merchant) return { ok: false, failure: failure(table, "sid_unknown", `unknown sid ${sid}`), charset: "UTF-8" };
  const fallbackCharset: LegacyCharset = merchant.charset === "auto" ? "UTF-8" : merchant.charset;
  if (!isSourceAllowed(merchant, sourceIp)) {
    return { ok: false, merchant, charset: fallbackCharset, failure: failure(table, "source_ip_denied", `source ${sourceIp} not allowed`) };
  }
  const parsed = parseLegacyForm(raw, { charset: merchant.charset });
  if (!parsed.ok) {
    const key: GatewayErrorKey = parsed.failure.reason;
    return { ok: false, merchant, charset: fallbackCharset, failure: failure(table, key, parsed.failure.detail, parsed.failure.field) };
  }
  const form = parsed.form;
  const resolved = resolveOperation(table, endpoint, form);
  if (!resolved.ok) {
    return { ok: false, merchant, form, charset: form.charset, failure: resolved.failures[0] ?? failure(table, "internal", "no failure") };
  }
  const echoFields = form.fields.filter((f) => isEchoedParam(table, f.name));
  return {
    ok: true,
    req: {
      endpoint,
      merchant,
      form,
      op: resolved.value,
      requestKey: legacyRequestKey(sid, endpoint, form),
      echo: encodeEcho(echoFields),
      svid: form.get("svid") ?? "1",
    },
  };
}
