/**
 * Identifiers and timestamps in UnivaPay's wire formats: UUID ids and ISO-8601 UTC instants.
 */
import { randomUUID } from "node:crypto";

export function newId(): string {
  return randomUUID();
}

/** ISO-8601 UTC with a `Z` suffix, as every UnivaPay timestamp (fraction digits vary there too). */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
