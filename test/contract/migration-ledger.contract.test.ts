/**
 * The batch migrator's part of the store, on both SQLite and PostgreSQL: a pre-switch payment
 * imported under its own pid (once, whichever of two rows naming its pid or its charge comes
 * first), and the run ledger a killed run resumes from.
 */
import { Client } from "pg";
import { createLogger } from "../../src/logging/logger";
import { createStore } from "../../src/store/create-store";
import type { NewPayment, Store } from "../../src/store/store-types";
import { buildCreation, buildPayment, createManualClock, postgresTarget, sqliteTarget, type DbTarget } from "./store-builders";

const silent = createLogger({ level: "silent" });

describe.each([
  ["sqlite", sqliteTarget],
  ["postgres", postgresTarget],
] as const)("Migration ledger and imports (%s)", (dialect, makeTarget) => {
  let target: DbTarget;
  let store: Store;
  const clock = createManualClock();

  beforeAll(async () => {
    target = makeTarget();
    store = await createStore({ databaseUrl: target.databaseUrl, pgSchema: target.pgSchema, logger: silent, now: clock.now });
  });
  afterAll(async () => {
    await store?.close();
    await target?.cleanup();
  });

  /** "waiting" once a session of the test database waits for an advisory lock, "done" if `other` settles first. */
  const lockWaitOr = async (other: Promise<unknown>): Promise<"waiting" | "done"> => {
    let settled = false;
    void other.finally(() => (settled = true)).catch(() => undefined);
    const c = new Client({ connectionString: target.databaseUrl });
    await c.connect();
    try {
      while (!settled) {
        const r = await c.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        if ((r.rows[0] as { n: number }).n > 0) return "waiting";
        await new Promise((res) => setTimeout(res, 10));
      }
      return "done";
    } finally {
      await c.end();
    }
  };

  const imported = (pid: string, chargeId: string): [string, NewPayment, ReturnType<typeof buildCreation>] => {
    const p = buildPayment({ requestKey: `mig:${pid}`, chargeId, state: "captured" });
    return [pid, p, buildCreation(p, { univapayId: chargeId, state: "succeeded", resource: "charge" })];
  };

  it("imports a payment under its legacy pid with a settled creation, and never twice", async () => {
    const first = await store.importPayment(...imported("61234567", "ch-imp-1"));
    expect(first.created).toBe(true);
    expect(first.payment).toMatchObject({ pid: "61234567", chargeId: "ch-imp-1", state: "captured" });
    expect((await store.listTransitionsByUnivapayId("ch-imp-1")).map((t) => [t.pid, t.state])).toEqual([["61234567", "succeeded"]]);
    const again = await store.importPayment(...imported("61234567", "ch-imp-1"));
    expect(again).toMatchObject({ created: false, payment: { pid: "61234567" } });
  });

  it("refuses a second pid for a charge already imported, even asked at once", async () => {
    const [a, b] = await Promise.all([store.importPayment(...imported("61234570", "ch-imp-2")), store.importPayment(...imported("61234571", "ch-imp-2"))]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    const winner = a.created ? a.payment.pid : b.payment.pid;
    // The refused one is told which payment holds the charge.
    expect((a.created ? b : a).payment.pid).toBe(winner);
    expect(await store.findPaymentByPid(winner === "61234570" ? "61234571" : "61234570")).toBeUndefined();
  });

  it("maps one token to one member: another member's token is returned, not mapped", async () => {
    expect((await store.addMemberToken("S001", "m-a", "tok-shared")).created).toBe(true);
    const second = await store.addMemberToken("S001", "m-b", "tok-shared");
    expect(second).toMatchObject({ created: false, row: { memberId: "m-a", tokenId: "tok-shared" } });
    expect(await store.getMemberToken("S001", "m-b")).toBeUndefined();
    expect((await store.findOtherMemberOfToken("S001", "tok-shared", "m-b"))?.memberId).toBe("m-a");
    expect(await store.findOtherMemberOfToken("S001", "tok-shared", "m-a")).toBeUndefined();
    // Another merchant's member may hold the same token id: the rule is per sid.
    expect((await store.addMemberToken("S002", "m-b", "tok-shared")).created).toBe(true);
  });

  it("maps one token to one member when two transactions name it at once", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let mapped!: () => void;
    const firstMapped = new Promise<void>((r) => (mapped = r));
    // The first mapping is made (its lock taken) and held uncommitted before the second one starts.
    const first = store.transaction(async (tx) => {
      const r = await tx.addMemberToken("S001", "m-race-1", "tok-race");
      mapped();
      await held;
      return r;
    });
    await firstMapped;
    const second = store.transaction((tx) => tx.addMemberToken("S001", "m-race-2", "tok-race"));
    let waited: "waiting" | "done" | "sqlite" = "sqlite";
    try {
      // On PostgreSQL the second waits for the first's lock on the token (SQLite queues it anyway).
      if (dialect === "postgres") waited = await lockWaitOr(second);
    } finally {
      release();
    }
    expect(waited).toBe(dialect === "postgres" ? "waiting" : "sqlite");
    const [a, b] = await Promise.all([first, second]);
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ created: false, row: { memberId: "m-race-1" } });
    expect(await store.getMemberToken("S001", "m-race-2")).toBeUndefined();
  });

  it("keeps a run's rows by line, replaces a retried line, and resumes the same run id", async () => {
    const run = { runId: "run-contract-1", sid: "S001", kind: "members", fileName: "m.csv", fileSha256: "ab".repeat(32), options: "{}" };
    const opened = await store.openMigrationRun(run);
    expect(opened.created).toBe(true);
    expect(opened.run).toMatchObject({ runId: run.runId, summary: null, finishedAt: null });
    await store.recordMigrationRow(run.runId, {
      line: 2,
      key: "taro",
      status: "error",
      newId: null,
      errorCode: "unavailable",
      message: "UnivaPay did not answer",
    });
    await store.recordMigrationRow(run.runId, { line: 3, key: "hanako", status: "migrated", newId: "tok-2", errorCode: null, message: "" });
    await store.recordMigrationRow(run.runId, { line: 2, key: "taro", status: "migrated", newId: "tok-1", errorCode: null, message: "" });
    await store.finishMigrationRun(run.runId, '{"rows":2}');
    const resumed = await store.openMigrationRun(run);
    expect(resumed.created).toBe(false);
    expect(resumed.run.summary).toBe('{"rows":2}');
    expect((await store.listMigrationRows(run.runId, 1, 1000)).map((r) => [r.line, r.key, r.status, r.newId])).toEqual([
      [2, "taro", "migrated", "tok-1"],
      [3, "hanako", "migrated", "tok-2"],
    ]);
    expect(await store.listMigrationRows(run.runId, 3, 3)).toHaveLength(1);
  });
});
