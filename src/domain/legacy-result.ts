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
}
