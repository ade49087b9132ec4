/**
 * A legacy request as a transition kind receives it: decoded, its merchant known, its operation
 * resolved through the mapping table, its request key derived (payments/decode-legacy-request).
 */
import type { Merchant } from "../config/merchants";
import type { LegacyForm } from "../legacy/legacy-form";
import type { ResolvedOperation } from "../mapping";

export type LegacyEndpoint = "memberpay" | "payment";

export interface LegacyRequest {
  readonly endpoint: LegacyEndpoint;
  readonly merchant: Merchant;
  readonly form: LegacyForm;
  readonly op: ResolvedOperation;
  /** Derived from the decoded, normalised request (payments/legacy-request-key): the same request
   *  sent twice has the same key, whatever its field order, charset or `1500.00` vs `1500`. */
  readonly requestKey: string;
  /** The same request's keys as earlier versions computed them: non-empty only during the day
   *  after an upgrade, when a resend may still find a row under one. */
  readonly priorKeys: readonly string[];
  /** Merchant-defined fields of this request, canonically percent-encoded (see encodeEcho). */
  readonly echo: string;
  readonly svid: string;
  /** When the gateway received it (epoch ms): its answer deadline counts from here. */
  readonly receivedAt: number;
}
