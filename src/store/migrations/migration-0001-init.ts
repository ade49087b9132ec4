/**
 * Migration 1: initial schema. NEVER edit once merged; add migration-0002-… instead.
 * Same tables in both dialects; only instant and bigint types differ (see db-schema.ts).
 */
import type { Migration } from "./migration";

const tables = (instant: string, bigint: string): string[] => [
  `CREATE TABLE payments (
    pid TEXT PRIMARY KEY,
    sid TEXT NOT NULL,
    request_key TEXT NOT NULL,
    charge_id TEXT,
    token_id TEXT,
    job TEXT NOT NULL,
    svid TEXT NOT NULL,
    amount ${bigint} NOT NULL,
    total ${bigint} NOT NULL,
    sod TEXT,
    state TEXT NOT NULL,
    univapay_status TEXT,
    error_code TEXT,
    echo TEXT NOT NULL,
    charset TEXT NOT NULL,
    mode TEXT NOT NULL,
    created_at ${instant} NOT NULL,
    updated_at ${instant} NOT NULL,
    CONSTRAINT payments_sid_request_key_key UNIQUE (sid, request_key)
  )`,
  `CREATE INDEX payments_charge_id_idx ON payments (charge_id)`,
  `CREATE TABLE operations (
    id TEXT PRIMARY KEY,
    pid TEXT NOT NULL REFERENCES payments (pid),
    sid TEXT NOT NULL,
    request_key TEXT NOT NULL,
    job TEXT NOT NULL,
    kind TEXT NOT NULL,
    univapay_id TEXT,
    state TEXT NOT NULL,
    error_code TEXT,
    echo TEXT NOT NULL,
    created_at ${instant} NOT NULL,
    updated_at ${instant} NOT NULL,
    CONSTRAINT operations_sid_request_key_key UNIQUE (sid, request_key)
  )`,
  `CREATE INDEX operations_univapay_id_idx ON operations (univapay_id)`,
  `CREATE INDEX operations_pid_idx ON operations (pid)`,
  `CREATE TABLE member_tokens (
    sid TEXT NOT NULL,
    member_id TEXT NOT NULL,
    token_id TEXT NOT NULL,
    created_at ${instant} NOT NULL,
    updated_at ${instant} NOT NULL,
    PRIMARY KEY (sid, member_id)
  )`,
  `CREATE TABLE kickbacks (
    id TEXT PRIMARY KEY,
    pid TEXT NOT NULL REFERENCES payments (pid),
    sid TEXT NOT NULL,
    transition TEXT NOT NULL,
    url TEXT NOT NULL,
    query TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at ${instant} NOT NULL,
    next_trigger TEXT NOT NULL DEFAULT 'auto',
    locked_by TEXT,
    locked_until ${instant},
    last_status INTEGER,
    last_error TEXT,
    created_at ${instant} NOT NULL,
    delivered_at ${instant},
    CONSTRAINT kickbacks_pid_transition_key UNIQUE (pid, transition)
  )`,
  `CREATE INDEX kickbacks_state_next_attempt_at_idx ON kickbacks (state, next_attempt_at)`,
  `CREATE TABLE kickback_attempts (
    id TEXT PRIMARY KEY,
    kickback_id TEXT NOT NULL REFERENCES kickbacks (id),
    attempt_no INTEGER NOT NULL,
    url TEXT NOT NULL,
    status_code INTEGER,
    duration_ms INTEGER NOT NULL,
    body_head TEXT NOT NULL,
    error TEXT,
    trigger TEXT NOT NULL,
    at ${instant} NOT NULL
  )`,
  `CREATE INDEX kickback_attempts_kickback_id_idx ON kickback_attempts (kickback_id)`,
  `CREATE TABLE webhook_events (
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
    CONSTRAINT webhook_events_dedupe_key_key UNIQUE (dedupe_key)
  )`,
  `CREATE INDEX webhook_events_state_next_attempt_at_idx ON webhook_events (state, next_attempt_at)`,
];

export const migration0001Init: Migration = {
  version: 1,
  name: "init",
  sqlite: tables("INTEGER", "INTEGER"),
  postgres: tables("TIMESTAMPTZ", "BIGINT"),
};
