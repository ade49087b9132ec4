/**
 * Migration 10: the batch migrator's ledger (`npm run migrate`). A `migration_runs` row is one
 * input file of one kind for one merchant (its id is derived from the file's bytes, so a rerun of
 * the same file resumes the same run); a `migration_rows` row is the outcome of one input record,
 * written in the same transaction as the mapping it stored, so a run killed at any point resumes
 * exactly where its last committed row left it and never stores a mapping twice. An imported
 * payment's charge is unique among imported payments (two rows naming one charge, even checked at
 * once by two runs, import one of them); members are found by their token, so one card is not
 * mapped to two members.
 * NEVER edit once merged.
 */
import type { Migration } from "./migration";

const tables = (instant: string) => [
  `CREATE TABLE migration_runs (
    run_id TEXT PRIMARY KEY,
    sid TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    options TEXT NOT NULL,
    summary TEXT,
    started_at ${instant} NOT NULL,
    updated_at ${instant} NOT NULL,
    finished_at ${instant}
  )`,
  `CREATE TABLE migration_rows (
    run_id TEXT NOT NULL REFERENCES migration_runs (run_id),
    line INTEGER NOT NULL,
    item_key TEXT NOT NULL,
    status TEXT NOT NULL,
    new_id TEXT,
    error_code TEXT,
    message TEXT,
    created_at ${instant} NOT NULL,
    PRIMARY KEY (run_id, line)
  )`,
  `CREATE INDEX member_tokens_token_idx ON member_tokens (sid, token_id)`,
  `CREATE UNIQUE INDEX payments_imported_charge ON payments (charge_id) WHERE request_key LIKE 'mig:%'`,
];

export const migration0010MigrationLedger: Migration = {
  version: 10,
  name: "migration_ledger",
  sqlite: tables("INTEGER"),
  postgres: tables("TIMESTAMPTZ"),
};
