/**
 * Applies pending numbered migrations at start-up, all in one transaction. On PostgreSQL a
 * transaction-scoped advisory lock (keyed by schema) serialises gateway instances that start at
 * the same time: the loser waits, then sees the winner's schema_migrations rows and does nothing.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import { AppError } from "../errors/app-error";
import type { Database, Dialect } from "./db-schema";
import type { Migration } from "./migrations/migration";
import { MIGRATIONS } from "./migrations/migrations";

const CREATE_MIGRATIONS_TABLE: Record<Dialect, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
  postgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`,
};

/** Returns the versions applied by this call (empty when the schema was already current). */
export async function runMigrations(
  db: Kysely<Database>,
  dialect: Dialect,
  pgSchema: string | undefined,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    if (dialect === "postgres") await preparePostgres(trx, pgSchema);
    await sql.raw(CREATE_MIGRATIONS_TABLE[dialect]).execute(trx);
    const rows = await trx.selectFrom("schema_migrations").select("version").execute();
    const done = new Set(rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...migrations.map((m) => m.version));
    const unknown = [...done].filter((v) => v > newest);
    if (unknown.length > 0) {
      throw new AppError("config_invalid", `database schema has migration ${Math.max(...unknown)}, newer than this gateway (${newest})`);
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      for (const statement of m[dialect]) await sql.raw(statement).execute(trx);
      const appliedAt = dialect === "sqlite" ? Date.now() : new Date();
      await trx.insertInto("schema_migrations").values({ version: m.version, name: m.name, applied_at: appliedAt }).execute();
      applied.push(m.version);
    }
    return applied;
  });
}

async function preparePostgres(trx: Transaction<Database>, pgSchema: string | undefined): Promise<void> {
  // Lock first: concurrent CREATE SCHEMA/TABLE IF NOT EXISTS can still fail on a unique index.
  // The key names the target schema; current_schema() is NULL while pgSchema does not exist yet.
  const target = pgSchema === undefined ? sql`coalesce(current_schema(), '')` : sql`${pgSchema}::text`;
  await sql`SELECT pg_advisory_xact_lock(hashtext('ccps-gateway:migrate:' || ${target}))`.execute(trx);
  if (pgSchema === undefined) return;
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(pgSchema)}`.execute(trx);
  await sql`SET LOCAL search_path TO ${sql.id(pgSchema)}`.execute(trx);
}
