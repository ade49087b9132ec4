/**
 * Migration 8: the order guard (duplicate-payment prevention, P72P0D). The order is the request's
 * `sod`, or the field the merchant names (the EC-CUBE legacy plugin sends no sod: its order number
 * is `no`), kept in `order_key`. At most one payment per order may hold its money or be about to
 * (requested, pending, authorized, captured): a partial unique index, so the database itself
 * refuses the second of two concurrent inserts, at no cost to the insert that goes through. A
 * holder older than the guard's window gives its order_key up (set NULL) when a new payment comes.
 * Also indexes the transitions an operator watches after an unknown outcome (reversing, reversed).
 * NEVER edit once merged.
 */
import type { Migration } from "./migration";

const statements = [
  `ALTER TABLE payments ADD COLUMN order_key TEXT`,
  // The operator's view of reversals (npm run ops -- reversals, the reversals_pending gauge).
  `CREATE INDEX transitions_reversals_updated_idx ON transitions (updated_at) WHERE state IN ('reversing', 'reversed')`,
  `CREATE UNIQUE INDEX payments_live_order_idx ON payments (sid, order_key) WHERE order_key IS NOT NULL AND state IN ('requested', 'pending', 'authorized', 'captured')`,
];

export const migration0008OrderGuard: Migration = {
  version: 8,
  name: "order-guard",
  sqlite: statements,
  postgres: statements,
};
