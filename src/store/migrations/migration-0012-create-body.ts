/**
 * Migration 12: the body of the create the batch migrator sent for an auto-billing it created
 * (`migrate autobillings --create`), stored with the row before the create is sent. A rerun after
 * a lost answer resends exactly this body under the row's Idempotency-Key, whatever the file or
 * the member's card say by then: the create that may have been made is the one UnivaPay replays.
 * NULL for every other row. NEVER edit once merged.
 */
import type { Migration } from "./migration";

const statements = [`ALTER TABLE subscriptions ADD COLUMN create_body TEXT`];

export const migration0012CreateBody: Migration = {
  version: 12,
  name: "create_body",
  sqlite: statements,
  postgres: statements,
};
