/**
 * Migration 4 on a database written under migration 3: payments that still carried their
 * univapay_status / error_code, an `operations` table with captures, cancels and refunds in every
 * state, and kickbacks keyed the old way ("AUTH", "SALES", "CANCEL:failed:<op>"). Every payment
 * gets its creation transition, every operation becomes a transition with its id, nothing is lost
 * or reopened, and the Store reads the result back (and settles what was open) through its API.
 */
import { Kysely, sql } from "kysely";
import { createLogger } from "../../src/logging/logger";
import { createStore } from "../../src/store/create-store";
import type { Database } from "../../src/store/db-schema";
import { MIGRATIONS } from "../../src/store/migrations/migrations";
import { openPostgres } from "../../src/store/open-postgres";
import { openSqlite, sqlitePathFromUrl } from "../../src/store/open-sqlite";
import { runMigrations } from "../../src/store/run-migrations";
import type { Store } from "../../src/store/store-types";
import { createManualClock, postgresTarget, sqliteTarget, type DbTarget } from "./store-builders";

const silent = createLogger({ level: "silent" });
const T0 = 1_900_000_000_000; // 2030-03-17T17:46:40Z
const MIN = 60_000;

/** A payments row as migration 3 stored it (instants as epoch ms here; per dialect on insert). */
interface V3Payment {
  pid: string;
  sid: string;
  request_key: string;
  charge_id: string | null;
  token_id: string | null;
  job: string;
  svid: string;
  amount: number;
  total: number;
  sod: string | null;
  state: string;
  univapay_status: string | null;
  error_code: string | null;
  echo: string;
  charset: string;
  mode: string;
  created_at: number;
  updated_at: number;
}

/** An operations row as migration 3 stored it. */
interface V3Operation {
  id: string;
  pid: string;
  sid: string;
  request_key: string;
  job: string;
  kind: "capture" | "cancel" | "refund";
  univapay_id: string | null;
  state: "requested" | "pending" | "succeeded" | "failed";
  error_code: string | null;
  echo: string;
  created_at: number;
  updated_at: number;
}

interface V3Kickback {
  id: string;
  pid: string;
  sid: string;
  transition: string;
  url: string;
  query: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  next_trigger: string;
  locked_by: string | null;
  locked_until: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

const payment = (n: number, over: Partial<V3Payment>): V3Payment => ({
  pid: `1000000${n}`,
  sid: n % 2 === 0 ? "S002" : "S001",
  request_key: `h1:rk-${n}`,
  charge_id: `ch_${n}`,
  token_id: `tk_${n}`,
  job: "AUTH",
  svid: "1",
  amount: 1000 + n,
  total: 1100 + n,
  sod: `order-${n}`,
  state: "authorized",
  univapay_status: "authorized",
  error_code: null,
  echo: `no=${n}&x=%83e`,
  charset: n % 2 === 0 ? "UTF-8" : "Shift_JIS",
  mode: "test",
  created_at: T0 + n * MIN,
  updated_at: T0 + n * MIN + 5_000,
  ...over,
});

const PAYMENTS: readonly V3Payment[] = [
  payment(1, { job: "CAPTURE", state: "requested", charge_id: null, token_id: null, univapay_status: null }),
  payment(2, { state: "pending", univapay_status: "pending" }),
  payment(3, { state: "authorized" }),
  payment(4, { state: "captured", univapay_status: "successful" }),
  payment(5, { state: "canceled", univapay_status: "authorized" }),
  payment(6, { job: "CAPTURE", state: "refunded", univapay_status: "successful", sod: null }),
  payment(7, { job: "CAPTURE", state: "failed", univapay_status: "failed", error_code: "ER000T52G01" }),
  payment(8, { job: "CAPTURE", state: "captured", univapay_status: "successful", mode: "live" }),
  // declined before any charge existed: no UnivaPay resource at all
  payment(9, { job: "CAPTURE", state: "failed", charge_id: null, token_id: null, univapay_status: null, error_code: "ER000T11G02" }),
];
const byPid = new Map(PAYMENTS.map((p) => [p.pid, p]));
const P = (n: number): V3Payment => byPid.get(`1000000${n}`) as V3Payment;

const op = (id: string, n: number, over: Partial<V3Operation> & Pick<V3Operation, "kind" | "state">): V3Operation => ({
  id,
  pid: P(n).pid,
  sid: P(n).sid,
  request_key: `h1:${id}`,
  job: over.kind === "capture" ? "SALES" : "CANCEL",
  univapay_id: null,
  error_code: null,
  echo: `memo=${id}`,
  created_at: P(n).created_at + 10 * MIN,
  updated_at: P(n).created_at + 10 * MIN + 2_000,
  ...over,
});

const OPERATIONS: readonly V3Operation[] = [
  op("op-3a", 3, {
    kind: "capture",
    state: "failed",
    error_code: "ER000T52G05",
    created_at: P(3).created_at + 2 * MIN,
    updated_at: P(3).created_at + 2 * MIN + 1_000,
  }),
  op("op-3b", 3, {
    kind: "cancel",
    state: "failed",
    error_code: "ER000T52G01",
    created_at: P(3).created_at + 3 * MIN,
    updated_at: P(3).created_at + 3 * MIN + 1_000,
  }),
  op("op-3c", 3, { kind: "capture", state: "pending" }), // a SALES UnivaPay accepted, not settled yet
  op("op-4a", 4, { kind: "capture", state: "succeeded", created_at: P(4).created_at + 2 * MIN, updated_at: P(4).created_at + 2 * MIN + 1_000 }),
  op("op-4b", 4, { kind: "refund", state: "requested" }), // its create never answered
  op("op-5a", 5, { kind: "cancel", state: "succeeded", univapay_id: "cn_5" }),
  op("op-6a", 6, { kind: "refund", state: "succeeded", univapay_id: "rf_6", echo: "" }),
  op("op-8a", 8, { kind: "refund", state: "pending", univapay_id: "rf_8" }),
];

const kickback = (id: string, n: number, transition: string, over: Partial<V3Kickback> = {}): V3Kickback => ({
  id,
  pid: P(n).pid,
  sid: P(n).sid,
  transition,
  url: `http://merchant${n}.example/kb`,
  query: `pid=${P(n).pid}&rst=1&sod=%83e`,
  state: "delivered",
  attempts: 1,
  next_attempt_at: P(n).created_at + MIN,
  next_trigger: "auto",
  locked_by: null,
  locked_until: null,
  last_status: 200,
  last_error: null,
  created_at: P(n).created_at + MIN,
  delivered_at: P(n).created_at + MIN + 300,
  ...over,
});

const KICKBACKS: readonly V3Kickback[] = [
  kickback("kb-3-auth", 3, "AUTH"),
  kickback("kb-3-sales-failed", 3, "SALES:failed:op-3a"),
  kickback("kb-3-cancel-failed", 3, "CANCEL:failed:op-3b"),
  kickback("kb-4-auth", 4, "AUTH"),
  kickback("kb-4-sales", 4, "SALES", {
    state: "pending",
    attempts: 2,
    last_status: 500,
    last_error: "HTTP 500",
    delivered_at: null,
    locked_by: "w-1",
    locked_until: T0 + 99 * MIN,
  }),
  kickback("kb-5-cancel", 5, "CANCEL", { next_trigger: "manual" }),
  kickback("kb-6-capture", 6, "CAPTURE"),
  kickback("kb-6-cancel", 6, "CANCEL"),
  kickback("kb-7-failed", 7, "CAPTURE:failed", { state: "dead", attempts: 8, last_status: null, last_error: "ECONNREFUSED", delivered_at: null }),
];

// What migration 4 is meant to make of them (written out, not derived from its SQL).
const CREATION_STATE: Record<string, string> = {
  requested: "requested",
  pending: "pending",
  authorized: "succeeded",
  captured: "succeeded",
  canceled: "succeeded",
  refunded: "succeeded",
  failed: "failed",
};
const TRANSITION_KIND = { capture: "capture", cancel: "cancel", refund: "cancel" } as const;
const TRANSITION_RESOURCE = { capture: "charge", cancel: "cancel", refund: "refund" } as const;

function expectedCreation(p: V3Payment) {
  return {
    id: `c-${p.pid}`,
    pid: p.pid,
    sid: p.sid,
    kind: "charge",
    job: p.job,
    request_key: null,
    resource: p.charge_id === null ? null : "charge",
    univapay_id: p.charge_id,
    state: CREATION_STATE[p.state],
    univapay_status: p.univapay_status,
    error_code: p.error_code,
    echo: "", // the order's echo stays on the payment
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}

function expectedOperation(o: V3Operation) {
  return {
    id: o.id,
    pid: o.pid,
    sid: o.sid,
    kind: TRANSITION_KIND[o.kind],
    job: o.job,
    request_key: o.request_key,
    resource: TRANSITION_RESOURCE[o.kind],
    // a capture acts on the charge itself; a cancel/refund names its own UnivaPay object
    univapay_id: o.kind === "capture" ? P(Number(o.pid.slice(-1))).charge_id : o.univapay_id,
    state: o.state,
    univapay_status: null,
    error_code: o.error_code,
    echo: o.echo,
    created_at: o.created_at,
    updated_at: o.updated_at,
  };
}

/** Instants and BIGINTs as plain numbers, whichever driver read them. */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = v instanceof Date ? v.getTime() : (k === "amount" || k === "total") && typeof v === "string" ? Number(v) : v;
  }
  return out;
}

describe.each(["sqlite", "postgres"] as const)("migration 4 (%s)", (dialect) => {
  let target: DbTarget;
  let db: Kysely<Database>;
  let closeRaw: () => Promise<void>;
  let store: Store | undefined;
  /** What the kickbacks table held just before migration 4 ran. */
  let kickbacksBefore: Array<Record<string, unknown>>;

  // The legacy tables and columns are no longer in db-schema.ts: address them untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const legacy = (): Kysely<any> => (db as unknown as Kysely<any>).withSchema(target.pgSchema ?? "main");
  const at = (ms: number | null) => (ms === null ? null : dialect === "sqlite" ? ms : new Date(ms));
  /** Every row of a table, ordered by `key` in code (byte order on both dialects, whatever the collation). */
  const rowsOf = async (table: string, key = "id") =>
    (await legacy().selectFrom(table).selectAll().execute())
      .map((r) => plain(r as Record<string, unknown>))
      .sort((a, b) => (String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0));

  async function columnsOf(table: string): Promise<string[]> {
    const r =
      dialect === "sqlite"
        ? await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db)
        : await sql<{
            name: string;
          }>`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = ${target.pgSchema ?? ""} AND table_name = ${table}`.execute(db);
    return r.rows.map((c) => c.name).sort();
  }
  async function tableExists(table: string): Promise<boolean> {
    const r =
      dialect === "sqlite"
        ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ${table}`.execute(db)
        : await sql<{
            name: string;
          }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${target.pgSchema ?? ""} AND table_name = ${table}`.execute(db);
    return r.rows.length > 0;
  }

  beforeEach(async () => {
    target = dialect === "sqlite" ? sqliteTarget() : postgresTarget();
    if (dialect === "sqlite") {
      const opened = openSqlite(sqlitePathFromUrl(target.databaseUrl));
      db = new Kysely<Database>({ dialect: opened.dialect });
      closeRaw = async () => {
        closeRaw = async () => undefined;
        await opened.stopBackground();
        await db.destroy();
      };
    } else {
      db = new Kysely<Database>({ dialect: openPostgres(target.databaseUrl, target.pgSchema, 2, () => undefined) });
      closeRaw = async () => {
        closeRaw = async () => undefined;
        await db.destroy();
      };
    }
    store = undefined;

    await runMigrations(
      db,
      dialect,
      target.pgSchema,
      MIGRATIONS.filter((m) => m.version <= 3),
    );
    for (const p of PAYMENTS)
      await legacy()
        .insertInto("payments")
        .values({ ...p, created_at: at(p.created_at), updated_at: at(p.updated_at) })
        .execute();
    for (const o of OPERATIONS)
      await legacy()
        .insertInto("operations")
        .values({ ...o, created_at: at(o.created_at), updated_at: at(o.updated_at) })
        .execute();
    for (const k of KICKBACKS) {
      await legacy()
        .insertInto("kickbacks")
        .values({
          ...k,
          next_attempt_at: at(k.next_attempt_at),
          locked_until: at(k.locked_until),
          created_at: at(k.created_at),
          delivered_at: at(k.delivered_at),
        })
        .execute();
    }
    kickbacksBefore = await rowsOf("kickbacks");
    expect(kickbacksBefore).toHaveLength(KICKBACKS.length);

    // Migration 4 alone, so what is asserted below is its work; createStore applies any later one.
    expect(
      await runMigrations(
        db,
        dialect,
        target.pgSchema,
        MIGRATIONS.filter((m) => m.version <= 4),
      ),
    ).toEqual([4]);
  });

  afterEach(async () => {
    await store?.close();
    await closeRaw();
    await target.cleanup();
  });

  it("keeps every payment and gives each its creation transition", async () => {
    const payments = await rowsOf("payments", "pid");
    expect(payments).toEqual(
      PAYMENTS.map(({ univapay_status: _s, error_code: _e, ...kept }) => kept), // all but the two moved columns, unchanged
    );
    const creations = (await rowsOf("transitions")).filter((t) => String(t.id).startsWith("c-"));
    expect(creations).toEqual(PAYMENTS.map(expectedCreation).sort((a, b) => (a.id < b.id ? -1 : 1)));
  });

  it("turns every operation into a transition with its id, state, ec and echo", async () => {
    const transitions = await rowsOf("transitions");
    expect(transitions).toHaveLength(PAYMENTS.length + OPERATIONS.length); // no row lost, none invented
    const moved = transitions.filter((t) => !String(t.id).startsWith("c-"));
    expect(moved).toEqual(OPERATIONS.map(expectedOperation).sort((a, b) => (a.id < b.id ? -1 : 1)));
    // spelled out for the three legacy kinds
    const one = (id: string) => moved.find((t) => t.id === id);
    expect(one("op-3c")).toMatchObject({ kind: "capture", resource: "charge", univapay_id: "ch_3", state: "pending", job: "SALES" });
    expect(one("op-5a")).toMatchObject({ kind: "cancel", resource: "cancel", univapay_id: "cn_5", state: "succeeded", job: "CANCEL" });
    expect(one("op-8a")).toMatchObject({ kind: "cancel", resource: "refund", univapay_id: "rf_8", state: "pending", job: "CANCEL" });
    expect(one("op-4b")).toMatchObject({ kind: "cancel", resource: "refund", univapay_id: null, state: "requested" });
    expect(one("op-3b")).toMatchObject({ kind: "cancel", resource: "cancel", state: "failed", error_code: "ER000T52G01" });
  });

  it("drops the operations table and the payment columns the transitions now own", async () => {
    expect(await tableExists("operations")).toBe(false);
    expect(await tableExists("transitions")).toBe(true);
    const cols = await columnsOf("payments");
    expect(cols).not.toContain("univapay_status");
    expect(cols).not.toContain("error_code");
    expect(cols).toEqual([
      "amount",
      "charge_id",
      "charset",
      "created_at",
      "echo",
      "job",
      "mode",
      "pid",
      "request_key",
      "sid",
      "sod",
      "state",
      "svid",
      "token_id",
      "total",
      "updated_at",
    ]);
    // (sid, request_key) stays unique among transitions, as it was among operations
    const fails = (p: Promise<unknown>) =>
      p.then(
        () => false,
        () => true,
      ); // better-sqlite3 errors are cross-realm
    const dup = { ...expectedOperation(OPERATIONS[0] as V3Operation), id: "op-dup" };
    expect(
      await fails(
        legacy()
          .insertInto("transitions")
          .values({ ...dup, created_at: at(dup.created_at), updated_at: at(dup.updated_at) })
          .execute(),
      ),
    ).toBe(true);
  });

  it("leaves the kickbacks, old transition keys included, untouched", async () => {
    expect(await rowsOf("kickbacks")).toEqual(kickbacksBefore);
    expect((await rowsOf("kickbacks")).map((k) => k.transition)).toEqual([
      "AUTH",
      "CANCEL:failed:op-3b",
      "SALES:failed:op-3a",
      "AUTH",
      "SALES",
      "CANCEL",
      "CANCEL",
      "CAPTURE",
      "CAPTURE:failed",
    ]);
  });

  it("is read back and settled through the Store", async () => {
    await closeRaw(); // as a restarted gateway would: a fresh store on the migrated database
    const clock = createManualClock(new Date("2030-06-01T00:00:00.000Z"));
    const s = await createStore({ databaseUrl: target.databaseUrl, pgSchema: target.pgSchema, logger: silent, now: clock.now });
    store = s; // (it has applied the migrations after 4, if any: the rows must read back through them too)

    for (const p of PAYMENTS) {
      expect(await s.findPaymentByPid(p.pid)).toEqual({
        pid: p.pid,
        sid: p.sid,
        requestKey: p.request_key,
        chargeId: p.charge_id,
        tokenId: p.token_id,
        job: p.job,
        svid: p.svid,
        amount: p.amount,
        total: p.total,
        sod: p.sod,
        orderKey: null, // order_key came with migration 8: older payments are not guarded
        recurring: null, // migration 9: a one-time payment
        state: p.state,
        echo: p.echo,
        charset: p.charset,
        mode: p.mode,
        createdAt: new Date(p.created_at),
        updatedAt: new Date(p.updated_at),
      });
      expect((await s.findPaymentByRequestKey(p.sid, p.request_key))?.pid).toBe(p.pid);
      const c = expectedCreation(p);
      expect(await s.findTransition(c.id)).toEqual({
        id: c.id,
        pid: c.pid,
        sid: c.sid,
        kind: "charge",
        job: c.job,
        requestKey: null,
        resource: c.resource,
        univapayId: c.univapay_id,
        state: c.state,
        univapayStatus: c.univapay_status,
        errorCode: c.error_code,
        echo: "",
        createdAt: new Date(c.created_at),
        updatedAt: new Date(c.updated_at),
      });
    }
    for (const o of OPERATIONS) {
      const e = expectedOperation(o);
      const row = {
        id: e.id,
        pid: e.pid,
        sid: e.sid,
        kind: e.kind,
        job: e.job,
        requestKey: e.request_key,
        resource: e.resource,
        univapayId: e.univapay_id,
        state: e.state,
        univapayStatus: null,
        errorCode: e.error_code,
        echo: e.echo,
        createdAt: new Date(e.created_at),
        updatedAt: new Date(e.updated_at),
      };
      expect(await s.findTransition(o.id)).toEqual(row);
      expect(await s.findTransitionByRequestKey(o.sid, o.request_key)).toEqual(row); // a resent SALES/CANCEL finds it
    }
    expect(await s.findTransitionByRequestKey("S001", P(3).request_key)).toBeUndefined(); // a creation's key is the payment's

    expect((await s.listTransitions(P(3).pid)).map((t) => t.id)).toEqual(["c-10000003", "op-3a", "op-3b", "op-3c"]);
    expect((await s.listTransitions(P(4).pid)).map((t) => t.id)).toEqual(["c-10000004", "op-4a", "op-4b"]);
    expect((await s.listTransitions(P(9).pid)).map((t) => t.id)).toEqual(["c-10000009"]);
    expect((await s.listTransitionsByUnivapayId("ch_4")).map((t) => t.id)).toEqual(["c-10000004", "op-4a"]);
    expect((await s.listTransitionsByUnivapayId("rf_8")).map((t) => t.id)).toEqual(["op-8a"]);
    // the reconciler sees what was open, oldest first
    expect((await s.listStaleTransitions(clock.now(), 100)).map((t) => t.id)).toEqual(["c-10000001", "c-10000002", "op-3c", "op-4b", "op-8a"]);

    // A refund that was pending at the upgrade settles once, with a kickback keyed by its id.
    clock.advance(MIN);
    const kb = { pid: P(8).pid, sid: P(8).sid, transition: "op-8a", url: "http://merchant8.example/kb", query: "pid=10000008&rst=1" };
    const settled = await s.settleTransition("op-8a", { state: "succeeded", univapayStatus: "successful" }, { state: "refunded" }, kb, clock.now());
    expect(settled?.enqueued).toBe(true);
    expect(settled?.transition).toMatchObject({
      id: "op-8a",
      state: "succeeded",
      univapayStatus: "successful",
      univapayId: "rf_8",
      resource: "refund",
      errorCode: null,
      updatedAt: clock.now(),
      createdAt: new Date(P(8).created_at + 10 * MIN),
    });
    expect(settled?.payment).toMatchObject({ pid: P(8).pid, state: "refunded", chargeId: "ch_8", echo: P(8).echo });
    expect((await s.findPaymentByPid(P(8).pid))?.state).toBe("refunded");
    expect((await s.listKickbacks(P(8).pid)).map((k) => [k.transition, k.state])).toEqual([["op-8a", "pending"]]);
    expect(await s.settleTransition("op-8a", { state: "failed", errorCode: "ER000T52G01" }, { state: "captured" }, kb, clock.now())).toBeUndefined();

    // A creation that was pending at the upgrade settles too.
    const c2 = await s.settleTransition(
      "c-10000002",
      { state: "succeeded", univapayStatus: "authorized" },
      { state: "authorized" },
      { pid: P(2).pid, sid: P(2).sid, transition: "c-10000002", url: "http://merchant2.example/kb", query: "pid=10000002&rst=1" },
      clock.now(),
    );
    expect(c2?.transition).toMatchObject({ state: "succeeded", univapayId: "ch_2", resource: "charge" });
    expect(c2?.payment.state).toBe("authorized");

    // What was settled before the upgrade stays settled: no second kickback, no state reopened.
    const old = { pid: P(4).pid, sid: P(4).sid, transition: "op-4a", url: "http://merchant4.example/kb", query: "pid=10000004&rst=1" };
    expect(await s.settleTransition("op-4a", { state: "failed", errorCode: "ER000T52G01" }, { state: "authorized" }, old, clock.now())).toBeUndefined();
    expect(await s.settleTransition("c-10000007", { state: "succeeded" }, { state: "captured" }, null, clock.now())).toBeUndefined();
    expect((await s.findTransition("op-4a"))?.state).toBe("succeeded");
    expect((await s.findPaymentByPid(P(4).pid))?.state).toBe("captured");
    expect((await s.listKickbacks(P(4).pid)).map((k) => [k.id, k.transition, k.state])).toEqual([
      ["kb-4-auth", "AUTH", "delivered"],
      ["kb-4-sales", "SALES", "pending"],
    ]);
    expect(await s.findKickback("kb-5-cancel")).toMatchObject({ transition: "CANCEL", nextTrigger: "manual", state: "delivered", attempts: 1 });
  });
});
