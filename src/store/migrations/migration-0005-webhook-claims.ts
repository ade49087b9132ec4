/**
 * Migration 5: webhook events are claimed like kickbacks, by a named worker (locked_by), so a
 * worker whose claim expired cannot complete an event another worker has claimed since. Attempts
 * are now counted at claim (rows of both queues keep their counts). Also drops migration 2's
 * index of open payments and migration 1's index of charge ids: since migration 4 open work and
 * charges are found on transitions, and the two indexes only slowed every payment's writes (a
 * settled payment's update can now stay a heap-only update). NEVER edit once merged.
 */
import type { Migration } from "./migration";

export const migration0005WebhookClaims: Migration = {
  version: 5,
  name: "webhook-claims",
  sqlite: [
    `ALTER TABLE webhook_events ADD COLUMN locked_by TEXT`,
    `DROP INDEX IF EXISTS payments_open_updated_idx`,
    `DROP INDEX IF EXISTS payments_charge_id_idx`,
  ],
  postgres: [
    `ALTER TABLE webhook_events ADD COLUMN locked_by TEXT`,
    `DROP INDEX IF EXISTS payments_open_updated_idx`,
    `DROP INDEX IF EXISTS payments_charge_id_idx`,
  ],
};
