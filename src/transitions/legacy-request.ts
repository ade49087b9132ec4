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
  /** Derived from every field of the request: the same request sent twice has the same key. */
  readonly requestKey: string;
  /** The same request's key as the gateway computed it before keys were an HMAC: set only during
   *  the day after an upgrade, when a resend may still find a row under it. */
  readonly priorKey?: string;
  /** Merchant-defined fields of this request, canonically percent-encoded (see encodeEcho). */
  readonly echo: string;
  readonly svid: string;
  /** When the gateway received it (epoch ms): its answer deadline counts from here. */
  readonly receivedAt: number;
}
