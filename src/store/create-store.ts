/**
 * Builds the Store from a database URL: SQLite (`sqlite:<path>`, `sqlite::memory:`; ONE gateway
 * instance) or PostgreSQL (`postgres://`, `postgresql://`; any number of instances). Applies
 * pending migrations before returning. Never imports Koa; never does network I/O besides the DB.
 */
import { Kysely } from "kysely";
import { redactDatabaseUrl } from "../config/database-url";
import { AppError, isAppError } from "../errors/app-error";
import type { Logger } from "../logging/logger";
import type { KickbackOutcome, NewKickbackAttempt, Store, StoreOps } from "./store-types";
import { createInstantCodec, type Database, type Dialect } from "./db-schema";
import type { QueryContext } from "./query-context";
import { openSqlite, sqlitePathFromUrl } from "./open-sqlite";
import { openPostgres } from "./open-postgres";
import { selectStaleTransitions, touchTransitionRow, countReversing, selectReversals } from "./transition-queries";
import { newestPriorKeyRow, retirePriorKeys } from "./prior-request-keys";
import { runMigrations } from "./run-migrations";
import { createStoreOps, mintPid } from "./store-ops";
import { guarded } from "./store-error";
import { createGroupCommit } from "./sqlite-group-commit";
import {
  applyKickbackOutcome,
  applyKickbackOutcomesAtOnce,
  claimDueKickbackRows,
  countKickbacksByState,
  insertKickbackAttempt,
  requeueKickbackRow,
} from "./kickback-queries";
import { claimDueWebhookEventRows, completeWebhookEventRow, countPendingWebhookEvents } from "./webhook-event-queries";

export interface CreateStoreOptions {
  readonly databaseUrl: string;
  readonly logger: Logger;
  /** PostgreSQL only: schema to create (if missing) and put on every connection's search_path. */
  readonly pgSchema?: string;
  /** PostgreSQL pool size; default 10. */
  readonly pgPoolMax?: number;
  /** Clock for created_at/updated_at; default the system clock. Queue methods take `now` explicitly. */
  readonly now?: () => Date;
  /** Test seam for the pid collision path; default mintPid (crypto.randomInt, 8 digits). */
  readonly mintPid?: () => string;
}

export function dialectOfUrl(databaseUrl: string): Dialect {
  if (databaseUrl.startsWith("sqlite:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return "postgres";
  throw new AppError("config_invalid", "DATABASE_URL must start with sqlite:, postgres:// or postgresql://");
}

export async function createStore(opts: CreateStoreOptions): Promise<Store> {
  const log = opts.logger.child({ module: "store" });
  const dialect = dialectOfUrl(opts.databaseUrl);
  const sqlite =
    dialect === "sqlite"
      ? openSqlite(sqlitePathFromUrl(opts.databaseUrl), (message) => log.warn({ error: message }, "background WAL checkpoint failed"))
      : undefined;
  if (sqlite) log.info({ file: sqlite.file, createdDirectory: sqlite.createdDirectory }, "SQLite database opened");
  const kysely = new Kysely<Database>({
    dialect:
      sqlite?.dialect ?? openPostgres(opts.databaseUrl, opts.pgSchema, opts.pgPoolMax ?? 10, (err) => log.warn({ err }, "idle database connection failed")),
  });
  try {
    const applied = await runMigrations(kysely, dialect, dialect === "postgres" ? opts.pgSchema : undefined);
    log.info({ dialect, applied }, applied.length > 0 ? "store migrated" : "store schema current");
  } catch (e) {
    await sqlite?.stopBackground();
    await kysely.destroy().catch(() => undefined);
    // Say which database and which setting: a bare ECONNREFUSED tells an operator nothing.
    if (isAppError(e)) throw e;
    const where = sqlite
      ? `SQLite file ${sqlite.file}`
      : `PostgreSQL at ${redactDatabaseUrl(opts.databaseUrl)}${opts.pgSchema ? ` (schema ${opts.pgSchema})` : ""}`;
    throw new AppError("config_invalid", `DATABASE_URL: cannot open ${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const store = buildStore({ db: kysely, dialect, codec: createInstantCodec(dialect), now: opts.now ?? (() => new Date()), mintPid: opts.mintPid ?? mintPid });
  if (!sqlite) return store;
  return {
    ...store,
    close: async () => {
      await sqlite.stopBackground();
      await store.close();
    },
  };
}

/** Every write method of the outer store, each as a one-statement transaction so it joins a
 *  group (SQLite). Reads stay outside groups: they never wait for a commit. */
function groupedWrites(transaction: Store["transaction"]): Partial<StoreOps> {
  return {
    createPayment: (p, t) => transaction((tx) => tx.createPayment(p, t)),
    createOrderPayment: (p, t, g) => transaction((tx) => tx.createOrderPayment(p, t, g)),
    updatePayment: (pid, patch) => transaction((tx) => tx.updatePayment(pid, patch)),
    insertTransition: (pid, t) => transaction((tx) => tx.insertTransition(pid, t)),
    recordPending: (id, patch, payment) => transaction((tx) => tx.recordPending(id, patch, payment)),
    settleTransition: (id, patch, payment, kickback, now) => transaction((tx) => tx.settleTransition(id, patch, payment, kickback, now)),
    moveTransition: (id, from, patch, payment) => transaction((tx) => tx.moveTransition(id, from, patch, payment)),
    putMemberToken: (sid, memberId, tokenId) => transaction((tx) => tx.putMemberToken(sid, memberId, tokenId)),
    enqueueKickback: (k, now) => transaction((tx) => tx.enqueueKickback(k, now)),
    insertWebhookEvent: (e, now) => transaction((tx) => tx.insertWebhookEvent(e, now)),
  };
}

/** PostgreSQL: the multi-statement writes as transactions of their own (the one-statement ones,
 *  createPayment's and settleTransition's CTEs, need none). */
function transactionalWrites(transaction: Store["transaction"]): Partial<StoreOps> {
  return {
    recordPending: (id, patch, payment) => transaction((tx) => tx.recordPending(id, patch, payment)),
    moveTransition: (id, from, patch, payment) => transaction((tx) => tx.moveTransition(id, from, patch, payment)),
  };
}

function buildStore(ctx: QueryContext): Store {
  const { db } = ctx;
  const completeAll = async (workerId: string, items: ReadonlyArray<{ attempt: NewKickbackAttempt; outcome: KickbackOutcome }>): Promise<boolean[]> =>
    items.length === 0
      ? []
      : ctx.dialect === "postgres"
        ? applyKickbackOutcomesAtOnce(ctx, workerId, items)
        : db.transaction().execute(async (trx) => {
            const tx = { ...ctx, db: trx };
            const applied: boolean[] = [];
            for (const { attempt, outcome } of items) {
              const ok = await applyKickbackOutcome(tx, workerId, attempt, outcome);
              if (ok) await insertKickbackAttempt(tx, attempt);
              applied.push(ok);
            }
            return applied;
          });
  const opsIn = (trx: Kysely<Database>): StoreOps => createStoreOps({ ...ctx, db: trx });
  // SQLite: writes share commits (sqlite-group-commit.ts). PostgreSQL: one transaction each.
  const group = ctx.dialect === "sqlite" ? createGroupCommit(db, opsIn) : undefined;
  const transaction = <T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> => (group ? group.run(fn) : db.transaction().execute((trx) => fn(opsIn(trx))));
  return {
    dialect: ctx.dialect,
    ...createStoreOps(ctx),
    ...(group ? groupedWrites(transaction) : transactionalWrites(transaction)),
    // SQLite has one connection: calling the outer store (not `tx`) inside fn would deadlock.
    transaction,
    claimDueKickbacks: guarded("claimDueKickbacks", async (workerId, now, limit, lockMs) =>
      limit <= 0 ? [] : claimDueKickbackRows(ctx, workerId, now, limit, lockMs),
    ),
    completeKickbackAttempt: guarded(
      "completeKickbackAttempt",
      async (workerId, attempt, outcome) => (await completeAll(workerId, [{ attempt, outcome }]))[0] === true,
    ),
    completeKickbackAttempts: guarded("completeKickbackAttempts", (workerId, items) => completeAll(workerId, items)),
    requeueKickback: guarded("requeueKickback", (id, now) => requeueKickbackRow(ctx, id, now)),
    claimDueWebhookEvents: guarded("claimDueWebhookEvents", async (workerId, now, limit, lockMs) =>
      limit <= 0 ? [] : claimDueWebhookEventRows(ctx, workerId, now, limit, lockMs),
    ),
    completeWebhookEvent: guarded("completeWebhookEvent", (workerId, id, outcome) => completeWebhookEventRow(ctx, workerId, id, outcome)),
    listStaleTransitions: guarded("listStaleTransitions", (before, limit) => selectStaleTransitions(ctx, before, limit)),
    touchTransition: guarded("touchTransition", (id) => touchTransitionRow(ctx, id)),
    newestPriorKeyRow: guarded("newestPriorKeyRow", () => newestPriorKeyRow(ctx)),
    retirePriorKeys: guarded("retirePriorKeys", (before) => retirePriorKeys(ctx, before)),
    queueDepths: guarded("queueDepths", async () => {
      const [k, webhooksPending, reversalsPending] = await Promise.all([countKickbacksByState(ctx), countPendingWebhookEvents(ctx), countReversing(ctx)]);
      return { kickbacksPending: k.pending, kickbacksDead: k.dead, webhooksPending, reversalsPending };
    }),
    listReversals: guarded("listReversals", (limit) => selectReversals(ctx, limit)),
    ping: guarded("ping", async () => {
      await db.selectNoFrom((eb) => eb.lit(1).as("one")).execute();
    }),
    close: () => db.destroy(),
  };
}
