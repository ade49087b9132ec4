/**
 * The failure vocabulary shared by every mapping API: the gateway error keys (each bound to a
 * legacy `ec` in mappings/errors.yaml), LegacyFailure and Result. Pure types and constants only;
 * the loader checks that errors.yaml defines exactly GATEWAY_ERROR_KEYS.
 */

/** Error keys the flows may raise. Names are binding: flows and errors.yaml both use them. */
export const GATEWAY_ERROR_KEYS = [
  "sid_missing",
  "sid_unknown",
  "source_ip_denied",
  "referer_denied",
  "return_code_unknown",
  "hosted_not_configured",
  "link_expired",
  "payment_replaced",
  "bad_percent_encoding",
  "undecodable",
  "request_too_large",
  "too_many_fields",
  "content_type_unsupported",
  "card_number_in_field",
  "request_malformed",
  "job_missing",
  "job_unknown",
  "job_not_supported",
  "svid_unsupported",
  "ptype_unsupported",
  "amount_missing",
  "amount_invalid",
  "amount_too_low",
  "amount_too_high",
  "email_invalid",
  "phone_invalid",
  "sod_too_long",
  "installments_not_supported",
  "recurring_period_invalid",
  "recurring_day_invalid",
  "recurring_interval_invalid",
  "recurring_amount_invalid",
  "recurring_count_invalid",
  "recurring_retry_invalid",
  "recurring_not_supported",
  "acid_missing",
  "acid_unknown",
  "member_not_allowed",
  "pid_missing",
  "pid_unknown",
  "member_missing",
  "member_unknown",
  "card_payments_disabled",
  "merchant_unavailable",
  "card_number_short",
  "card_number_invalid",
  "card_expiry_invalid",
  "card_expired",
  "card_cvv_invalid",
  "card_holder_invalid",
  "operation_not_allowed",
  "duplicate_request",
  "upstream_unavailable",
  "result_pending",
  "outcome_unknown",
  "upstream_rejected",
  "payment_failed",
  "internal",
] as const;
export type GatewayErrorKey = (typeof GATEWAY_ERROR_KEYS)[number];

export function isGatewayErrorKey(s: string): s is GatewayErrorKey {
  return (GATEWAY_ERROR_KEYS as readonly string[]).includes(s);
}

/** One problem with a legacy request, already resolved to the full 11-character `ec`. */
export interface LegacyFailure {
  readonly key: GatewayErrorKey;
  /** Full legacy error code: 5-character prefix + 6-character detail code. */
  readonly ec: string;
  /** The legacy parameter at fault, when there is one (e.g. "siam2", "cardno"). */
  readonly field?: string;
  /** English text for logs and operators; merchants see only `ec`. */
  readonly message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; failures: LegacyFailure[] };
