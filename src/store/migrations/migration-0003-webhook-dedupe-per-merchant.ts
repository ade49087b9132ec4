/**
 * Migration 3: webhook de-duplication per merchant. Migration 1 made dedupe_key unique across all
 * merchants, so an event id first sent with merchant B's token made merchant A's genuine event
 * with the same id a "duplicate" that was dropped. NEVER edit once merged.
 */
import type { Migration } from "./migration";

const columns = (instant: string) => `
    id TEXT PRIMARY KEY,
    sid TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    event TEXT NOT NULL,
    resource_id TEXT,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at ${instant} NOT NULL,
    locked_until ${instant},
    last_error TEXT,
    received_at ${instant} NOT NULL,
    CONSTRAINT webhook_events_sid_dedupe_key_key UNIQUE (sid, dedupe_key)`;

const COLUMN_LIST = "id, sid, dedupe_key, event, resource_id, body, state, attempts, next_attempt_at, locked_until, last_error, received_at";

export const migration0003WebhookDedupePerMerchant: Migration = {
  version: 3,
  name: "webhook-dedupe-per-merchant",
  // SQLite cannot drop a table constraint: the table is rebuilt (inside the migration's transaction).
  sqlite: [
    `CREATE TABLE webhook_events_v3 (${columns("INTEGER")})`,
    `INSERT INTO webhook_events_v3 (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM webhook_events`,
    `DROP TABLE webhook_events`,
    `ALTER TABLE webhook_events_v3 RENAME TO webhook_events`,
    `CREATE INDEX webhook_events_state_next_attempt_at_idx ON webhook_events (state, next_attempt_at)`,
  ],
  postgres: [
    `ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_dedupe_key_key`,
    `ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_sid_dedupe_key_key UNIQUE (sid, dedupe_key)`,
  ],
};
