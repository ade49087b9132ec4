/**
 * Test builders and database targets shared by the store contract suite and the dispatcher tests:
 * plain functions with overrides, and per-run SQLite files / PostgreSQL schemas that are removed
 * afterwards so parallel runs never collide.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import type { NewKickback, NewPayment, NewTransition, NewWebhookEvent, PaymentRow, StoreOps, TransitionRow } from "../../src/store/store-types";

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function buildPayment(over: Partial<NewPayment> = {}): NewPayment {
  const sod = over.sod === undefined ? "order-1" : over.sod;
  return {
    sid: "S001",
    requestKey: `h2:rk-${randomBytes(6).toString("hex")}`,
    chargeId: null,
    tokenId: null,
    job: "CAPTURE",
    svid: "1",
    amount: 1200,
    total: 1200,
    sod,
    // No order key unless given: the guard's uniqueness would refuse the builder's repeats.
    orderKey: null,
    state: "requested",
    echo: "no=1&x=%83e",
    charset: "Shift_JIS",
    mode: "test",
    ...over,
  };
}

/** The creation transition written with a payment (its job is the payment's). */
export function buildCreation(p: Pick<NewPayment, "sid" | "job">, over: Partial<NewTransition> = {}): NewTransition {
  return {
    sid: p.sid,
    kind: "charge",
    job: p.job,
    requestKey: null,
    resource: null,
    univapayId: null,
    state: "requested",
    univapayStatus: null,
    errorCode: null,
    echo: "",
    ...over,
  };
}

/** A later transition of a payment (a SALES by default), asked for by its own request. */
export function buildTransition(over: Partial<NewTransition> = {}): NewTransition {
  return {
    sid: "S001",
    kind: "capture",
    job: "SALES",
    requestKey: `h2:op-${randomBytes(6).toString("hex")}`,
    resource: "charge",
    univapayId: null,
    state: "requested",
    univapayStatus: null,
    errorCode: null,
    echo: "",
    ...over,
  };
}

/** createPayment with its creation transition, answered as { row, transition, created }. */
export async function insertPayment(
  ops: StoreOps,
  p: NewPayment,
  creation: Partial<NewTransition> = {},
): Promise<{ row: PaymentRow; transition: TransitionRow; created: boolean }> {
  const r = await ops.createPayment(p, buildCreation(p, creation));
  return { row: r.payment, transition: r.transition, created: r.created };
}

export function buildKickback(pid: string, over: Partial<NewKickback> = {}): NewKickback {
  return { pid, sid: "S001", transition: "CAPTURE", url: "http://merchant.example/kb", query: `pid=${pid}&rst=1&sod=%83e`, ...over };
}

export function buildWebhookEvent(over: Partial<NewWebhookEvent> = {}): NewWebhookEvent {
  return { sid: "S001", dedupeKey: `evt-${randomBytes(6).toString("hex")}`, event: "charge_finished", resourceId: "ch_1", body: "{}", ...over };
}

export interface DbTarget {
  readonly databaseUrl: string;
  readonly pgSchema?: string;
  cleanup(): Promise<void>;
}

/** A temp SQLite file under a not-yet-existing data/ folder (the store must create it). */
export function sqliteTarget(): DbTarget {
  const dir = mkdtempSync(join(tmpdir(), "ccps-store-"));
  return {
    databaseUrl: `sqlite:${join(dir, "data", "gateway.sqlite")}`,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh random PostgreSQL schema, dropped by cleanup(). */
export function postgresTarget(): DbTarget {
  const pgSchema = `t_${randomBytes(6).toString("hex")}`;
  return {
    databaseUrl: TEST_PG_URL,
    pgSchema,
    cleanup: async () => {
      const c = new Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A clock tests move by hand: never the wall clock, never sleeps. */
export function createManualClock(start = new Date("2030-01-01T00:00:00.000Z")): { now: () => Date; advance(ms: number): void; set(d: Date): void } {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => void (t += ms), set: (d) => void (t = d.getTime()) };
}
