/**
 * Migration 11: auto-billings the batch migrator brought in (`npm run migrate -- autobillings`).
 * `origin` says where an auto-billing came from: `gateway` (a first payment made through the
 * gateway), `mapped` (a subscription that exists at UnivaPay already, mapped to its legacy acid) or
 * `created` (created by the migrator from the legacy schedule). `cycles_after` is the instant up to
 * which the subscription's charges were known before the import: the merchant recorded those on the
 * old system, so only charges created after it become cycle payments and kickbacks. NULL for
 * `gateway` rows, whose first payment's charge is the first charge.
 * NEVER edit once merged.
 */
import type { Migration } from "./migration";

const statements = [`ALTER TABLE subscriptions ADD COLUMN origin TEXT NOT NULL DEFAULT 'gateway'`, `ALTER TABLE subscriptions ADD COLUMN cycles_after TEXT`];

export const migration0011ImportedAutoBillings: Migration = {
  version: 11,
  name: "imported_auto_billings",
  sqlite: statements,
  postgres: statements,
};
