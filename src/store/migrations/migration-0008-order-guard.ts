/**
 * Migration 8: the order guard (duplicate-payment prevention, P72P0D) looks up a merchant's
 * recent payments for one `sod` on every new payment: indexed, and only rows that have a sod.
 * NEVER edit once merged.
 */
import type { Migration } from "./migration";

const statements = [`CREATE INDEX payments_sid_sod_created_idx ON payments (sid, sod, created_at) WHERE sod IS NOT NULL`];

export const migration0008OrderGuard: Migration = {
  version: 8,
  name: "order-guard",
  sqlite: statements,
  postgres: statements,
};
