/**
 * The WAL is checkpointed by the background thread, not by commits on the event loop: after
 * writes and one interval, the WAL's frames are in the database file, and closing is clean.
 */
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { statSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { startCheckpointer } from "../../src/store/sqlite-checkpointer";

describe("startCheckpointer", () => {
  it("checkpoints a WAL that the writing connection never checkpoints itself", async () => {
    const file = join(tmpdir(), `ckpt-${randomBytes(6).toString("hex")}.sqlite`);
    const db = new BetterSqlite3(file);
    db.pragma("journal_mode = WAL");
    db.pragma("wal_autocheckpoint = 0");
    db.exec("CREATE TABLE t (v TEXT)");
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    for (let i = 0; i < 500; i++) insert.run(`row ${i}`);
    // Nothing checkpointed yet: the rows live only in the WAL, the database file is still tiny.
    const before = statSync(file).size;
    const errors: string[] = [];
    const ckpt = startCheckpointer(file, 20, (m) => errors.push(m));
    await ckpt.stop(); // at least one checkpoint ran in the worker (stop() runs a final one)
    const after = statSync(file).size;
    expect(errors).toEqual([]);
    expect(after).toBeGreaterThan(before + 4096);
    expect((db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n).toBe(500);
    db.close();
  });
});
