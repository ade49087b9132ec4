/**
 * The outcome of one legacy request or one state transition, before it is rendered as a
 * synchronous reply or as a kickback. Keeping it separate from rendering lets the reply and the
 * kickback share one source of truth.
 */
import type { Mode } from "../store/store-types";

export type LegacyOutcome = "success" | "failure" | "pending";

export interface LegacyResult {
  readonly outcome: LegacyOutcome;
  /** Full 11-character legacy error code (ER000000000 on success). */
  readonly ec: string;
  readonly pid: string | null;
  readonly job: string;
  readonly sod: string | null;
  readonly total: number | null;
  readonly mode: Mode;
}
