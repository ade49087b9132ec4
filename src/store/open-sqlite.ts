/**
 * Opens the SQLite file behind a Kysely dialect. One connection, one process: SQLite means ONE
 * gateway instance (claims rely on the single writer). Prepared statements are cached by SQL text
 * because Kysely's driver would otherwise re-prepare every query.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from "kysely";
import { startCheckpointer, type Checkpointer } from "./sqlite-checkpointer";

/** busy_timeout: how long a writer waits for another connection (e.g. an operator's sqlite3 shell). */
const BUSY_TIMEOUT_MS = 5000;
/** Bounded so ad-hoc SQL (different texts) cannot grow the cache without limit. */
const STATEMENT_CACHE_SIZE = 500;

/** Accepts `sqlite:<path>`, `sqlite://<path>` and `sqlite::memory:`. */
export function sqlitePathFromUrl(databaseUrl: string): string {
  const rest = databaseUrl.replace(/^sqlite:/, "");
  return rest.startsWith("//") ? rest.slice(2) : rest;
}

/** How often the background thread checkpoints the WAL into the database file. Short, so each
 *  pass copies little and the WAL stays small (each read searches the WAL index). */
const CHECKPOINT_INTERVAL_MS = 250;

export interface OpenedSqlite {
  readonly dialect: SqliteDialect;
  /** The absolute file path, and whether its directory had to be created (both logged at start). */
  readonly file: string;
  readonly createdDirectory: boolean;
  /** Stops the background checkpointer; call before destroying the Kysely instance. */
  stopBackground(): Promise<void>;
}

export function openSqlite(path: string, onCheckpointError: (message: string) => void = () => undefined): OpenedSqlite {
  const file = path === ":memory:" ? path : resolve(path);
  const createdDirectory = path !== ":memory:" && !existsSync(dirname(file));
  if (createdDirectory) mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode survives a process crash; only an OS crash or power loss can lose the
  // last commits. FULL would fsync every commit and cap throughput at the disk's fsync rate.
  db.pragma("synchronous = NORMAL");
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma("foreign_keys = ON");
  let checkpointer: Checkpointer | undefined;
  if (path !== ":memory:") {
    // Never inside a request's commit: a worker thread checkpoints, and the main connection only
    // between transactions when the WAL grows large (see sqlite-checkpointer).
    db.pragma("wal_autocheckpoint = 0");
    checkpointer = startCheckpointer(db, path, { intervalMs: CHECKPOINT_INTERVAL_MS, onError: onCheckpointError });
  }
  return {
    dialect: new SqliteDialect({ database: withStatementCache(db) }),
    file,
    createdDirectory,
    stopBackground: async () => checkpointer?.stop(),
  };
}

function withStatementCache(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      // The last connection to close checkpoints what is left of the WAL.
      db.close();
    },
    prepare: (sqlText) => {
      const hit = cache.get(sqlText);
      if (hit) return hit;
      const stmt = db.prepare(sqlText);
      // Map iteration order is insertion order: drop the oldest entry.
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value ?? "");
      cache.set(sqlText, stmt);
      return stmt;
    },
  };
}
