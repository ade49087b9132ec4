/**
 * Migration 2: partial indexes over open payments and operations, so the reconciler's "open and
 * not updated since T" scan stays cheap however many settled rows accumulate. NEVER edit once merged.
 */
import type { Migration } from "./migration";

const statements = [
  `CREATE INDEX payments_open_updated_idx ON payments (updated_at) WHERE state IN ('requested', 'pending')`,
  `CREATE INDEX operations_open_updated_idx ON operations (updated_at) WHERE state IN ('requested', 'pending')`,
];

export const migration0002OpenRows: Migration = {
  version: 2,
  name: "open-rows-indexes",
  sqlite: statements,
  postgres: statements,
};
