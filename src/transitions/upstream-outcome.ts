/**
 * Classifies a failed UnivaPay call for a money path. The three answers need different handling:
 * rejected (nothing happened; a final failure), not sent (nothing happened; may be retried), and
 * unknown (a POST may have been processed: never assume either way, reconcile by the same key).
 */
import { isAppError } from "../errors/app-error";
import { ecForApiError, type MappingTable } from "../mapping";

export type UpstreamOutcome =
  { readonly kind: "rejected"; readonly ec: string; readonly code: string | undefined } | { readonly kind: "not_sent" } | { readonly kind: "unknown" };

export function classifyUpstreamError(table: MappingTable, err: unknown): UpstreamOutcome {
  if (!isAppError(err)) throw err;
  if (err.code === "univapay_rejected") {
    // A VALIDATION_ERROR names its fields; errors.yaml `validationFields` turns them into codes.
    return { kind: "rejected", ec: ecForApiError(table, err.opts.upstream?.code, err.opts.upstream?.fields ?? []), code: err.opts.upstream?.code };
  }
  if (err.code === "univapay_unavailable") return err.opts.upstream?.outcomeUnknown ? { kind: "unknown" } : { kind: "not_sent" };
  throw err;
}
