/**
 * Kysely table types (snake_case, as stored) and the instant codec. Instants are stored as
 * epoch milliseconds (INTEGER) in SQLite and as timestamptz in PostgreSQL; the codec is the only
 * place that knows, so query code stays dialect-neutral.
 */
import type { Generated } from "kysely";

/** What an instant column holds in the driver's terms: epoch ms (SQLite) or Date (pg). */
export type DbInstant = number | Date;
/** pg returns BIGINT as a string; SQLite returns a number. */
export type DbBigint = number | string;

export interface PaymentsTable {
  pid: string;
  sid: string;
  request_key: string;
  charge_id: string | null;
  token_id: string | null;
  job: string;
  svid: string;
  amount: DbBigint;
  total: DbBigint;
  sod: string | null;
  order_key: string | null;
  /** JSON of RecurringRef for a payment of an auto-billing; null for one-time payments. */
  recurring: string | null;
  state: string;
  echo: string;
  charset: string;
  mode: string;
  created_at: DbInstant;
  updated_at: DbInstant;
}

export interface TransitionsTable {
  id: string;
  pid: string;
  sid: string;
  kind: string;
  job: string;
  request_key: string | null;
  resource: string | null;
  univapay_id: string | null;
  state: string;
  univapay_status: string | null;
  error_code: string | null;
  echo: string;
  created_at: DbInstant;
  updated_at: DbInstant;
}

export interface SubscriptionsTable {
  acid: string;
  sid: string;
  first_pid: string;
  subscription_id: string | null;
  token_id: string | null;
  actp: string;
  acdc: string | null;
  acmc: string | null;
  cycle_amount: DbBigint;
  automatic_charges: number | null;
  status: string;
  next_due_on: string | null;
  sync_after: DbInstant | null;
  drift: string;
  origin: Generated<string>;
  cycles_after: string | null;
  create_body: string | null;
  created_at: DbInstant;
  updated_at: DbInstant;
}

export interface MemberTokensTable {
  sid: string;
  member_id: string;
  token_id: string;
  created_at: DbInstant;
  updated_at: DbInstant;
}

export interface KickbacksTable {
  id: string;
  pid: string;
  sid: string;
  transition: string;
  url: string;
  query: string;
  state: string;
  attempts: Generated<number>;
  next_attempt_at: DbInstant;
  /** "manual" after an operator requeue, until that attempt completes. */
  next_trigger: Generated<string>;
  locked_by: string | null;
  locked_until: DbInstant | null;
  last_status: number | null;
  last_error: string | null;
  created_at: DbInstant;
  delivered_at: DbInstant | null;
}

export interface KickbackAttemptsTable {
  id: string;
  kickback_id: string;
  attempt_no: number;
  url: string;
  status_code: number | null;
  duration_ms: number;
  body_head: string;
  error: string | null;
  trigger: string;
  at: DbInstant;
}

export interface WebhookEventsTable {
  id: string;
  sid: string;
  dedupe_key: string;
  event: string;
  resource_id: string | null;
  body: string;
  state: string;
  attempts: Generated<number>;
  next_attempt_at: DbInstant;
  locked_by: string | null;
  locked_until: DbInstant | null;
  last_error: string | null;
  received_at: DbInstant;
}

export interface MigrationRunsTable {
  run_id: string;
  sid: string;
  kind: string;
  file_name: string;
  file_sha256: string;
  options: string;
  summary: string | null;
  started_at: DbInstant;
  updated_at: DbInstant;
  finished_at: DbInstant | null;
}

export interface MigrationRowsTable {
  run_id: string;
  line: number;
  item_key: string;
  status: string;
  new_id: string | null;
  error_code: string | null;
  message: string | null;
  created_at: DbInstant;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: DbInstant;
}

export interface Database {
  payments: PaymentsTable;
  transitions: TransitionsTable;
  member_tokens: MemberTokensTable;
  subscriptions: SubscriptionsTable;
  kickbacks: KickbacksTable;
  kickback_attempts: KickbackAttemptsTable;
  webhook_events: WebhookEventsTable;
  migration_runs: MigrationRunsTable;
  migration_rows: MigrationRowsTable;
  schema_migrations: SchemaMigrationsTable;
}

export type Dialect = "sqlite" | "postgres";

/** Converts instants to and from the dialect's column representation. */
export interface InstantCodec {
  toDb(d: Date): DbInstant;
  fromDb(v: DbInstant | string): Date;
}

export function createInstantCodec(dialect: Dialect): InstantCodec {
  return {
    toDb: dialect === "sqlite" ? (d) => d.getTime() : (d) => d,
    fromDb: (v) => (v instanceof Date ? v : new Date(typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v)),
  };
}

export function fromDbInstantOrNull(codec: InstantCodec, v: DbInstant | string | null): Date | null {
  return v === null ? null : codec.fromDb(v);
}

/** PostgreSQL TEXT cannot hold NUL; a merchant's body head may contain one. */
export function stripNul(s: string): string {
  return s.includes("\u0000") ? s.replaceAll("\u0000", "\uFFFD") : s;
}
