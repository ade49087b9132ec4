/**
 * The outcome of one legacy request or one transition, before it is rendered as a synchronous
 * reply or as a kickback (mappings/layout.yaml decides both): one source of truth for both.
 */
import type { Mode } from "./mode";

export type LegacyOutcome = "success" | "failure" | "pending";

export interface LegacyResult {
  readonly outcome: LegacyOutcome;
  /** Full 11-character legacy error code (ER000000000 on success). */
  readonly ec: string;
  readonly pid: string | null;
  /** Canonical upper-case job. */
  readonly job: string;
  readonly sod: string | null;
  /** Legacy total `ta` in yen. */
  readonly total: number | null;
  readonly mode: Mode;
  /** Set when the result is about an auto-billing (自動課金): its acid, actp, acdc, and for the
   *  management answers its status code and next billing date. */
  readonly recurring?: LegacyRecurring;
  /** The member (upcmemberid) a result names: the card a job=CHECK verified, to charge by memberpay. */
  readonly member?: string;
}

export interface LegacyRecurring {
  readonly acid: string;
  readonly actp: string;
  readonly acdc: string | null;
  /** Auto-billing status code (acst), in management answers only. */
  readonly status?: string;
  /** Next billing date YYYYMMDD (acnd), in management answers only. */
  readonly nextOn?: string | null;
}
