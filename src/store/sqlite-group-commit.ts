/**
 * Group commit for SQLite: the write transactions asked for in one event-loop turn share one
 * database transaction and one commit. Each keeps its own all-or-nothing behaviour through a
 * savepoint: one that throws is rolled back to its savepoint and rejects alone, the others go on.
 * Nobody's promise settles before the COMMIT, so "resolved" still means "durable"; if the COMMIT
 * fails, every transaction of the group rejects with that error.
 *
 * Why: a commit writes every page the transaction dirtied to the WAL (and its checksums), and
 * with one connection and one writer that was most of SQLite's cost per payment. Under load a
 * turn holds many transactions (measured: usually nine or more at a thousand payments a second),
 * so pages they share (the newest leaf of each table and index) are written once per group. At
 * low load a group is one transaction, delayed by one setImmediate.
 *
 * PostgreSQL does not use this: its transactions run on a pool and commit concurrently.
 */
import { sql, type Kysely, type Transaction } from "kysely";

interface Unit<Ops> {
  readonly fn: (tx: Ops) => Promise<unknown>;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

const SAVEPOINT = sql`SAVEPOINT unit`;
const RELEASE = sql`RELEASE unit`;
const ROLLBACK_TO = sql`ROLLBACK TO unit`;

export interface GroupCommit<Ops> {
  /** Runs fn in the next group; resolves with its value once the group has committed. */
  run<T>(fn: (tx: Ops) => Promise<T>): Promise<T>;
}

export function createGroupCommit<DB, Ops>(db: Kysely<DB>, opsOf: (trx: Transaction<DB>) => Ops): GroupCommit<Ops> {
  let queue: Unit<Ops>[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const units = queue;
    queue = [];
    const outcomes: Outcome[] = [];
    try {
      await db.transaction().execute(async (trx) => {
        const ops = opsOf(trx);
        for (const u of units) {
          await SAVEPOINT.execute(trx);
          try {
            const value = await u.fn(ops);
            await RELEASE.execute(trx);
            outcomes.push({ ok: true, value });
          } catch (error) {
            // Undo this unit only; the savepoint stays open until released.
            await ROLLBACK_TO.execute(trx);
            await RELEASE.execute(trx);
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const u of units) u.reject(error);
      return;
    }
    units.forEach((u, i) => {
      const o = outcomes[i];
      if (o?.ok) u.resolve(o.value);
      else u.reject(o ? o.error : new Error("group commit lost a unit"));
    });
  }

  return {
    run<T>(fn: (tx: Ops) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}
