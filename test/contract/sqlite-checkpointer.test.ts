/**
 * The WAL is checkpointed by the background thread, not by commits on the event loop; under
 * sustained writes (the worker never catches up on its own) the main connection finishes the
 * checkpoint between transactions and the WAL rewinds instead of growing without bound.
 */
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rmSync, statSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { createMainFinisher, needsFinishOnMain, startCheckpointer, type CheckpointProgress } from "../../src/store/sqlite-checkpointer";

const tempDb = (): { file: string; db: BetterSqlite3.Database; cleanup: () => void } => {
  const file = join(tmpdir(), `ckpt-${randomBytes(6).toString("hex")}.sqlite`);
  const db = new BetterSqlite3(file);
  db.pragma("journal_mode = WAL");
  db.pragma("wal_autocheckpoint = 0");
  db.exec("CREATE TABLE t (v TEXT)");
  return { file, db, cleanup: () => ["", "-wal", "-shm"].forEach((s) => rmSync(file + s, { force: true })) };
};

describe("startCheckpointer", () => {
  it("checkpoints a WAL that the writing connection never checkpoints itself", async () => {
    const { file, db, cleanup } = tempDb();
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    for (let i = 0; i < 500; i++) insert.run(`row ${i}`);
    // Nothing checkpointed yet: the rows live only in the WAL, the database file is still tiny.
    const before = statSync(file).size;
    const errors: string[] = [];
    const ckpt = startCheckpointer(db, file, { intervalMs: 20, onError: (m) => errors.push(m) });
    await ckpt.stop(); // at least one checkpoint ran in the worker (stop() runs a final one)
    const after = statSync(file).size;
    expect(errors).toEqual([]);
    expect(after).toBeGreaterThan(before + 4096);
    expect((db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n).toBe(500);
    db.close();
    cleanup();
  });
});

describe("createMainFinisher (the main connection's half)", () => {
  const walState = (db: BetterSqlite3.Database): { log: number; checkpointed: number } =>
    (db.pragma("wal_checkpoint(PASSIVE)") as Array<{ log: number; checkpointed: number }>)[0] ?? { log: -1, checkpointed: -1 };
  const nextTick = (): Promise<void> => new Promise((r) => setImmediate(r));

  it("finishes a large WAL the worker could not, and the next commit starts the WAL from the beginning", async () => {
    const { db, cleanup } = tempDb();
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    for (let i = 0; i < 300; i++) insert.run(randomBytes(512).toString("hex"));
    const seen: CheckpointProgress[] = [];
    const report = createMainFinisher(db, {
      onError: (m) => {
        throw new Error(m);
      },
      onProgress: (p) => seen.push(p),
      finishOnMainAfterFrames: 64,
      stopped: () => false,
    });
    // What the worker would report when writes outran it: many frames, not all copied.
    report({ busy: 0, walFrames: 300, checkpointedFrames: 250 });
    expect(seen).toEqual([]); // never synchronously inside the caller's turn
    await nextTick();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.checkpointedFrames).toBe(seen[0]?.walFrames);
    insert.run("after");
    expect(walState(db).log).toBeLessThan(10); // rewound: one commit's frames, not 300 + 1
    db.close();
    cleanup();
  });

  it("waits for an open transaction to end before checkpointing", async () => {
    const { db, cleanup } = tempDb();
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    for (let i = 0; i < 200; i++) insert.run(randomBytes(512).toString("hex"));
    const seen: CheckpointProgress[] = [];
    const report = createMainFinisher(db, {
      onError: (m) => {
        throw new Error(m);
      },
      onProgress: (p) => seen.push(p),
      finishOnMainAfterFrames: 64,
      stopped: () => false,
    });
    db.exec("BEGIN");
    insert.run("inside");
    report({ busy: 0, walFrames: 200, checkpointedFrames: 0 });
    for (let i = 0; i < 5; i++) await nextTick();
    expect(seen).toEqual([]);
    db.exec("COMMIT");
    await nextTick();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.checkpointedFrames).toBe(seen[0]?.walFrames);
    db.close();
    cleanup();
  });

  it("ignores reports of a small WAL", async () => {
    const { db, cleanup } = tempDb();
    const seen: CheckpointProgress[] = [];
    const report = createMainFinisher(db, { onError: () => undefined, onProgress: (p) => seen.push(p), finishOnMainAfterFrames: 64, stopped: () => false });
    report({ busy: 0, walFrames: 10, checkpointedFrames: 0 });
    report({ busy: 1, walFrames: 500, checkpointedFrames: 0 });
    await nextTick();
    expect(seen).toEqual([]);
    db.close();
    cleanup();
  });
});

describe("needsFinishOnMain", () => {
  it("for a large WAL, copied or not (only the main connection's next write can rewind it), never while another checkpoint runs", () => {
    expect(needsFinishOnMain({ busy: 0, walFrames: 5000, checkpointedFrames: 4990 }, 4096)).toBe(true);
    expect(needsFinishOnMain({ busy: 0, walFrames: 5000, checkpointedFrames: 5000 }, 4096)).toBe(true);
    expect(needsFinishOnMain({ busy: 0, walFrames: 100, checkpointedFrames: 10 }, 4096)).toBe(false);
    expect(needsFinishOnMain({ busy: 1, walFrames: 5000, checkpointedFrames: 0 }, 4096)).toBe(false);
  });
});
