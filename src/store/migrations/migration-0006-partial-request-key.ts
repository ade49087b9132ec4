/**
 * Migration 6: on PostgreSQL the uniqueness of (sid, request_key) on transitions becomes a partial
 * unique index over the rows that have a request key. A payment's creation transition has none
 * (its payment holds the key), so every payment no longer pays for an index entry that can never
 * conflict, on insert and on its settlement. Same semantics (NULLs never conflicted). SQLite keeps
 * its table constraint: a rebuild would buy nothing there. NEVER edit once merged.
 */
import type { Migration } from "./migration";

export const migration0006PartialRequestKey: Migration = {
  version: 6,
  name: "partial-request-key",
  sqlite: [],
  postgres: [
    `ALTER TABLE transitions DROP CONSTRAINT transitions_sid_request_key_key`,
    `CREATE UNIQUE INDEX transitions_sid_request_key_idx ON transitions (sid, request_key) WHERE request_key IS NOT NULL`,
  ],
};
