/**
 * Migration 4: every legacy-visible transition of a payment (its creation: AUTH/CAPTURE; then
 * SALES, CANCEL, and later kinds) becomes a row of one table, `transitions`, that owns its
 * UnivaPay resource, state, ec and echo. The payment keeps what its pid names: amounts, order,
 * charset, mode, the money state. Existing payments get their creation transition (id "c-<pid>"),
 * operations move over with their ids, and the operations table goes. NEVER edit once merged.
 */
import type { Migration } from "./migration";

const table = (instant: string) => `CREATE TABLE transitions (
    id TEXT PRIMARY KEY,
    pid TEXT NOT NULL REFERENCES payments (pid),
    sid TEXT NOT NULL,
    kind TEXT NOT NULL,
    job TEXT NOT NULL,
    request_key TEXT,
    resource TEXT,
    univapay_id TEXT,
    state TEXT NOT NULL,
    univapay_status TEXT,
    error_code TEXT,
    echo TEXT NOT NULL,
    created_at ${instant} NOT NULL,
    updated_at ${instant} NOT NULL,
    CONSTRAINT transitions_sid_request_key_key UNIQUE (sid, request_key)
  )`;

const CREATIONS = `INSERT INTO transitions (id, pid, sid, kind, job, request_key, resource, univapay_id, state, univapay_status, error_code, echo, created_at, updated_at)
  SELECT 'c-' || pid, pid, sid, 'charge', job, NULL, CASE WHEN charge_id IS NULL THEN NULL ELSE 'charge' END, charge_id,
    CASE state WHEN 'requested' THEN 'requested' WHEN 'pending' THEN 'pending' WHEN 'failed' THEN 'failed' ELSE 'succeeded' END,
    univapay_status, error_code, '', created_at, updated_at
  FROM payments`;

const OPERATIONS = `INSERT INTO transitions (id, pid, sid, kind, job, request_key, resource, univapay_id, state, univapay_status, error_code, echo, created_at, updated_at)
  SELECT o.id, o.pid, o.sid, CASE o.kind WHEN 'capture' THEN 'capture' ELSE 'cancel' END, o.job, o.request_key,
    CASE o.kind WHEN 'capture' THEN 'charge' ELSE o.kind END,
    CASE o.kind WHEN 'capture' THEN p.charge_id ELSE o.univapay_id END,
    CASE o.state WHEN 'succeeded' THEN 'succeeded' ELSE o.state END, NULL, o.error_code, o.echo, o.created_at, o.updated_at
  FROM operations o JOIN payments p ON p.pid = o.pid`;

const rest = [
  CREATIONS,
  OPERATIONS,
  `CREATE INDEX transitions_pid_idx ON transitions (pid)`,
  `CREATE INDEX transitions_univapay_id_idx ON transitions (univapay_id)`,
  `CREATE INDEX transitions_open_updated_idx ON transitions (updated_at) WHERE state IN ('requested', 'pending')`,
  `DROP TABLE operations`,
  // Now the creation transition's; the payment's row keeps request_key and job: the request that
  // created the pid, by which a repeat finds it.
  `ALTER TABLE payments DROP COLUMN univapay_status`,
  `ALTER TABLE payments DROP COLUMN error_code`,
];

export const migration0004Transitions: Migration = {
  version: 4,
  name: "transitions",
  sqlite: [table("INTEGER"), ...rest],
  postgres: [table("TIMESTAMPTZ"), ...rest],
};
