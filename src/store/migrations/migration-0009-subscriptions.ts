/**
 * Migration 9: auto-billings (自動課金). A `subscriptions` row is the legacy auto-billing number
 * (acid, minted by the gateway) ↔ the UnivaPay subscription, with the legacy schedule it was asked
 * for (actp/acdc/acmc, the per-cycle amount and count), the drift note (how UnivaPay's schedule
 * differs from the old one), the status UnivaPay last reported and when the reconciler should look
 * at it next. Every payment of an auto-billing (its first payment and one per automatic charge)
 * names it in `payments.recurring`, so each reply and kickback carries acid/actp/acdc.
 * NEVER edit once merged.
 */
import type { Migration } from "./migration";

const table = (instant: string, bigint: string) => `CREATE TABLE subscriptions (
    acid TEXT PRIMARY KEY,
    sid TEXT NOT NULL,
    first_pid TEXT NOT NULL REFERENCES payments (pid),
    subscription_id TEXT,
    token_id TEXT,
    actp TEXT NOT NULL,
    acdc TEXT,
    acmc TEXT,
    cycle_amount ${bigint} NOT NULL,
    automatic_charges INTEGER,
    status TEXT NOT NULL,
    next_due_on TEXT,
    sync_after ${instant},
    drift TEXT NOT NULL,
    created_at ${instant} NOT NULL,
    updated_at ${instant} NOT NULL,
    CONSTRAINT subscriptions_first_pid_key UNIQUE (first_pid)
  )`;

const rest = [
  `ALTER TABLE payments ADD COLUMN recurring TEXT`,
  `CREATE UNIQUE INDEX subscriptions_univapay_idx ON subscriptions (subscription_id) WHERE subscription_id IS NOT NULL`,
  `CREATE INDEX subscriptions_sync_idx ON subscriptions (sync_after) WHERE sync_after IS NOT NULL`,
];

export const migration0009Subscriptions: Migration = {
  version: 9,
  name: "subscriptions",
  sqlite: [table("INTEGER", "INTEGER"), ...rest],
  postgres: [table("TIMESTAMPTZ", "BIGINT"), ...rest],
};
