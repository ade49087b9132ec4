/**
 * prepareQuery: placeholders land in the right parameter slots on both dialects, constants stay
 * bound as constants, one statement shape is compiled once, and a placeholder that would be
 * inlined into the SQL text is refused at compile time (it would otherwise reach the database).
 */
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import type { Database } from "../../../src/store/db-schema";
import { prepareQuery, preparedByShape, type Placeholder } from "../../../src/store/prepared-query";

function sqliteCtx() {
  const raw = new BetterSqlite3(":memory:");
  raw.exec("CREATE TABLE member_tokens (sid TEXT, member_id TEXT, token_id TEXT, created_at INTEGER, updated_at INTEGER, PRIMARY KEY (sid, member_id))");
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) }), dialect: "sqlite" as const };
}

// Compiling needs no connection: the pool is never asked for one.
const pgCtx = () => ({ db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: {} as never }) }), dialect: "postgres" as const });

type Row = { sid: string; member_id: string; token_id: string; created_at: number; updated_at: number };

const INSERT = prepareQuery((db, p: Placeholder<Row>) =>
  db
    .insertInto("member_tokens")
    .values({ sid: p("sid"), member_id: p("member_id"), token_id: p("token_id"), created_at: p("created_at"), updated_at: p("updated_at") }),
);
const SELECT = prepareQuery((db, p: Placeholder<{ sid: string; ids: string }>) =>
  db
    .selectFrom("member_tokens")
    .selectAll()
    .where("sid", "=", p("sid"))
    .where("member_id", "in", ["a", p("ids"), "c"])
    .orderBy("member_id"),
);

describe("prepareQuery", () => {
  it("binds each placeholder to its slot and keeps constants as bound constants", () => {
    expect(SELECT.compiled(pgCtx())).toEqual({
      sql: 'select * from "member_tokens" where "sid" = $1 and "member_id" in ($2, $3, $4) order by "member_id"',
      slots: [{ name: "sid" }, { value: "a" }, { name: "ids" }, { value: "c" }],
    });
    expect(SELECT.compiled(sqliteCtx()).sql).toBe('select * from "member_tokens" where "sid" = ? and "member_id" in (?, ?, ?) order by "member_id"');
  });

  it("runs on a real database with the values given per call", async () => {
    const ctx = sqliteCtx();
    for (const m of ["a", "b", "c", "d"]) await INSERT.run(ctx, { sid: "S1", member_id: m, token_id: `t-${m}`, created_at: 1, updated_at: 2 });
    await INSERT.run(ctx, { sid: "S2", member_id: "b", token_id: "other", created_at: 1, updated_at: 2 });
    const { rows } = await SELECT.run(ctx, { sid: "S1", ids: "b" });
    expect(rows.map((r) => r.token_id)).toEqual(["t-a", "t-b", "t-c"]);
    const inserted = await INSERT.run(ctx, { sid: "S3", member_id: "x", token_id: "t", created_at: 1, updated_at: 2 });
    expect(inserted.numAffectedRows).toBe(1n);
    await ctx.db.destroy();
  });

  it("compiles once per dialect: the SQL text is the same string object on every call", () => {
    const ctx = sqliteCtx();
    expect(SELECT.compiled(ctx).sql).toBe(SELECT.compiled(ctx).sql);
    expect(SELECT.compiled(ctx)).toBe(SELECT.compiled(ctx));
  });

  it("refuses a statement that inlines a placeholder into the SQL text", () => {
    const bad = prepareQuery((db, p: Placeholder<{ sid: string }>) =>
      db
        .selectFrom("member_tokens")
        .selectAll()
        .where("sid", "=", sql.lit(p("sid"))),
    );
    expect(() => bad.compiled(pgCtx())).toThrow(/inlined a placeholder/);
  });

  it("preparedByShape makes one statement per shape key", () => {
    let made = 0;
    const byShape = preparedByShape((shape: "one" | "two") => {
      made++;
      return prepareQuery((db, p: Placeholder<{ sid: string }>) =>
        shape === "one"
          ? db.selectFrom("member_tokens").select("sid").where("sid", "=", p("sid"))
          : db.selectFrom("member_tokens").select("token_id").where("sid", "=", p("sid")),
      );
    });
    expect(byShape("one")).toBe(byShape("one"));
    expect(byShape("two").compiled(pgCtx()).sql).toContain('select "token_id"');
    expect(made).toBe(2);
  });
});
