/**
 * Group commit on a real SQLite file: transactions started in one turn share one COMMIT, each is
 * undone alone when it throws, nobody learns "done" before the COMMIT, and when the COMMIT itself
 * fails every member rejects and nothing of the group is kept.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql, type Transaction } from "kysely";
import { createGroupCommit } from "../../src/store/sqlite-group-commit";

interface Db {
  parent: { id: string };
  child: { id: string; parent_id: string };
}

function open() {
  const file = join(tmpdir(), `group-${randomBytes(6).toString("hex")}.sqlite`);
  const raw = new BetterSqlite3(file);
  raw.pragma("journal_mode = WAL");
  raw.pragma("foreign_keys = ON");
  raw.exec("CREATE TABLE parent (id TEXT PRIMARY KEY); CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parent (id))");
  const commits: string[] = [];
  const traced = new Proxy(raw, {
    get(target, prop, receiver) {
      if (prop !== "prepare") return Reflect.get(target, prop, receiver) as unknown;
      return (text: string) => {
        if (/^commit/i.test(text)) commits.push(text);
        return target.prepare(text);
      };
    },
  });
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: traced }) });
  // A second connection: what another process (or a crash recovery) would see.
  const other = new BetterSqlite3(file, { readonly: true });
  const seen = (id: string): boolean => other.prepare("SELECT 1 FROM parent WHERE id = ?").get(id) !== undefined;
  const close = async () => {
    other.close();
    await db.destroy();
    for (const s of ["", "-wal", "-shm"]) rmSync(file + s, { force: true });
  };
  return { db, commits, seen, close };
}

const insertParent = (trx: Transaction<Db>, id: string) => trx.insertInto("parent").values({ id }).execute();

describe("createGroupCommit (SQLite)", () => {
  it("runs the transactions of one turn under one COMMIT and resolves each with its value", async () => {
    const { db, commits, seen, close } = open();
    const group = createGroupCommit(db, (trx: Transaction<Db>) => trx);
    const values = await Promise.all(
      ["a", "b", "c"].map((id) =>
        group.run(async (trx) => {
          await insertParent(trx, id);
          return id.toUpperCase();
        }),
      ),
    );
    expect(values).toEqual(["A", "B", "C"]);
    expect(commits).toHaveLength(1);
    expect(["a", "b", "c"].map(seen)).toEqual([true, true, true]);
    await close();
  });

  it("undoes only the transaction that throws", async () => {
    const { db, seen, close } = open();
    const group = createGroupCommit(db, (trx: Transaction<Db>) => trx);
    const r = await Promise.allSettled([
      group.run((trx) => insertParent(trx, "kept-1")),
      group.run(async (trx) => {
        await insertParent(trx, "undone");
        throw new Error("boom");
      }),
      group.run((trx) => insertParent(trx, "kept-2")),
    ]);
    expect(r.map((x) => x.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((r[1] as PromiseRejectedResult).reason).toEqual(new Error("boom"));
    expect([seen("kept-1"), seen("undone"), seen("kept-2")]).toEqual([true, false, true]);
    await close();
  });

  it("settles nothing before the COMMIT: a member's write is invisible to others until its promise resolves", async () => {
    const { db, seen, close } = open();
    const group = createGroupCommit(db, (trx: Transaction<Db>) => trx);
    let visibleWhileOpen: boolean | undefined;
    const first = group.run((trx) => insertParent(trx, "early"));
    const second = group.run(async (trx) => {
      visibleWhileOpen = seen("early"); // "early" is written, but its group has not committed
      await insertParent(trx, "late");
    });
    await Promise.all([first, second]);
    expect(visibleWhileOpen).toBe(false);
    expect(seen("early")).toBe(true);
    await close();
  });

  it("when the COMMIT fails, every member rejects and none of the group is kept", async () => {
    const { db, seen, close } = open();
    const group = createGroupCommit(db, (trx: Transaction<Db>) => trx);
    const r = await Promise.allSettled([
      group.run((trx) => insertParent(trx, "innocent")),
      group.run(async (trx) => {
        // A deferred foreign key is only checked at COMMIT: the COMMIT of the whole group fails.
        await sql`PRAGMA defer_foreign_keys = ON`.execute(trx);
        await trx.insertInto("child").values({ id: "orphan", parent_id: "missing" }).execute();
      }),
    ]);
    expect(r.map((x) => x.status)).toEqual(["rejected", "rejected"]);
    expect(String((r[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(seen("innocent")).toBe(false);
    // The connection is usable again afterwards.
    await group.run((trx) => insertParent(trx, "after"));
    expect(seen("after")).toBe(true);
    await close();
  });

  it("transactions of later turns go into later groups", async () => {
    const { db, commits, close } = open();
    const group = createGroupCommit(db, (trx: Transaction<Db>) => trx);
    await group.run((trx) => insertParent(trx, "one"));
    await group.run((trx) => insertParent(trx, "two"));
    expect(commits).toHaveLength(2);
    await close();
  });
});
