/**
 * Opens a pg pool behind a Kysely dialect. With pgSchema, every pooled connection starts with
 * `search_path=<schema>` (a startup option, so it also survives RESET ALL / DISCARD ALL).
 */
import { PostgresDialect } from "kysely";
import { Pool } from "pg";
import { AppError } from "../errors/app-error";
import { withNamedStatements } from "./pg-named-statements";

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function openPostgres(databaseUrl: string, pgSchema: string | undefined, poolMax: number, onIdleError: (err: Error) => void): PostgresDialect {
  if (pgSchema !== undefined && !SCHEMA_NAME.test(pgSchema)) {
    throw new AppError("config_invalid", `pgSchema must match ${SCHEMA_NAME.source}`);
  }
  const pool = new Pool({
    connectionString: databaseUrl,
    max: poolMax,
    ...(pgSchema === undefined ? {} : { options: `-c search_path=${pgSchema}` }),
  });
  // An idle client dying (server restart) emits on the pool; unhandled, it would kill the process.
  pool.on("error", onIdleError);
  return new PostgresDialect({ pool: withNamedStatements(pool) });
}
