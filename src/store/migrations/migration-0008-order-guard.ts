/**
 * Migration 8: the order guard (duplicate-payment prevention, P72P0D) looks up a merchant's
 * recent payments for one order on every new payment. The order is the request's `sod`, or the
 * field the merchant names (the EC-CUBE legacy plugin sends no sod: its order number is `no`),
 * kept in `order_key`; indexed, and only rows that have one. Also indexes the transitions an
 * operator watches after an unknown outcome (reversing, reversed). NEVER edit once merged.
 */
import type { Migration } from "./migration";

const statements = [
  `ALTER TABLE payments ADD COLUMN order_key TEXT`,
  // The operator's view of reversals (npm run ops -- reversals, the reversals_pending gauge).
  `CREATE INDEX transitions_reversals_updated_idx ON transitions (updated_at) WHERE state IN ('reversing', 'reversed')`,
  `CREATE INDEX payments_sid_order_key_created_idx ON payments (sid, order_key, created_at) WHERE order_key IS NOT NULL`,
];

export const migration0008OrderGuard: Migration = {
  version: 8,
  name: "order-guard",
  sqlite: statements,
  postgres: statements,
};
