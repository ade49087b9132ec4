/**
 * Migration 3 on a database that already holds webhook events written under migration 2: every
 * row survives, and de-duplication becomes per merchant.
 */
import { Kysely, sql } from "kysely";
import type { Database } from "../../src/store/db-schema";
import { MIGRATIONS } from "../../src/store/migrations/migrations";
import { openPostgres } from "../../src/store/open-postgres";
import { openSqlite, sqlitePathFromUrl } from "../../src/store/open-sqlite";
import { runMigrations } from "../../src/store/run-migrations";
import { postgresTarget, sqliteTarget, type DbTarget } from "./store-builders";

describe.each(["sqlite", "postgres"] as const)("migration 3 (%s)", (dialect) => {
  let target: DbTarget;
  let db: Kysely<Database>;
  let stop: () => Promise<void> = async () => undefined;
  beforeEach(() => {
    target = dialect === "sqlite" ? sqliteTarget() : postgresTarget();
    if (dialect === "sqlite") {
      const opened = openSqlite(sqlitePathFromUrl(target.databaseUrl));
      stop = () => opened.stopBackground();
      db = new Kysely<Database>({ dialect: opened.dialect });
    } else {
      db = new Kysely<Database>({ dialect: openPostgres(target.databaseUrl, target.pgSchema, 2, () => undefined) });
    }
  });
  afterEach(async () => {
    await stop();
    await db.destroy();
    await target.cleanup();
  });

  it("keeps the rows and lets two merchants use the same event id", async () => {
    const v2 = MIGRATIONS.filter((m) => m.version <= 2);
    await runMigrations(db, dialect, target.pgSchema, v2);
    const at = dialect === "sqlite" ? 1_900_000_000_000 : new Date(1_900_000_000_000);
    const row = (id: string, sid: string) => ({
      id,
      sid,
      dedupe_key: "id:e1",
      event: "charge_finished",
      resource_id: "c1",
      body: "{}",
      state: "processed",
      attempts: 1,
      next_attempt_at: at,
      locked_until: null,
      last_error: null,
      received_at: at,
    });
    const insert = (r: ReturnType<typeof row>) =>
      db
        .withSchema(target.pgSchema ?? "main")
        .insertInto("webhook_events")
        .values(r as never)
        .execute();
    // (resolves/rejects to a boolean: a better-sqlite3 error comes from another realm than jest's Error)
    const fails = (p: Promise<unknown>) =>
      p.then(
        () => false,
        () => true,
      );
    await insert(row("w1", "A"));
    expect(await fails(insert(row("w2", "B")))).toBe(true); // the old, global constraint

    expect((await runMigrations(db, dialect, target.pgSchema))[0]).toBe(3); // and those after it
    expect(await fails(insert(row("w2", "B")))).toBe(false);
    expect(await fails(insert(row("w3", "A")))).toBe(true);
    const ids = await db
      .withSchema(target.pgSchema ?? "main")
      .selectFrom("webhook_events")
      .select("id")
      .orderBy("id")
      .execute();
    expect(ids.map((r) => r.id)).toEqual(["w1", "w2"]);
    const idx =
      dialect === "sqlite"
        ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'webhook_events_state_next_attempt_at_idx'`.execute(db)
        : await sql<{
            name: string;
          }>`SELECT indexname AS name FROM pg_indexes WHERE schemaname = ${target.pgSchema ?? ""} AND indexname = 'webhook_events_state_next_attempt_at_idx'`.execute(
            db,
          );
    expect(idx.rows).toHaveLength(1);
  });
});
