/**
 * `npm run multi-instance`: three gateway processes on one PostgreSQL schema under load, one of
 * them killed with SIGKILL every few seconds and restarted, then the money and the kickbacks are
 * checked against what every merchant request was answered (issue 10, item 6):
 *
 * - every `rst=1` answer: its charge holds the money and a success kickback arrived;
 * - every `rst=2` answer: no charge of that order holds money, and no success kickback came;
 * - a request cut off by a kill (no answer): either the money moved and a success kickback says
 *   so, or nothing holds money and no success kickback came;
 * - no order (`sod`) holds money twice; nothing is left unfinished in the store;
 * - duplicates from at-least-once delivery are counted, per kill.
 *
 * Prints the figures as JSON on stdout and exits non-zero if any check fails. Runs in CI after
 * `npm test` (.ci/run); about two minutes, most of it waiting for the reconciler to prove that
 * charges cut off by a kill never reached UnivaPay (NOT_CREATED_PROOF_MS).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import pino from "pino";
import { createSandbox } from "../src/sandbox/sandbox";
import { createHttpClient, type HttpClient } from "./bench/http-client";
import type { GatewayHandlers } from "./bench/gateway-proc";
import { gatewayNodeFlags } from "./bench/gateway-node-flags";
import { BENCH_MEMBER_ID, prepareMerchants } from "./bench/setup";
import { spawnChild, type BenchChild } from "./bench/spawn-child";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const INSTANCES = 3;
const PAYMENTS = Number(process.env.MI_PAYMENTS ?? 1500);
const KILLS = Number(process.env.MI_KILLS ?? 6);
const CONCURRENCY = 16;
const KILL_EVERY_MS = 2_000;
const RESTART_AFTER_MS = 1_000;
const SETTLE_LIMIT_MS = 180_000;
const ENV: Record<string, string> = {
  UNIVAPAY_POLL_DEADLINE_MS: "3500",
  UNIVAPAY_TIMEOUT_MS: "2000",
  RECONCILE_INTERVAL_MS: "1000",
  RECONCILE_STALE_AFTER_MS: "6000",
  KICKBACK_TIMEOUT_MS: "2000",
  KICKBACK_LOCK_MS: "12000",
};

const log = (msg: string): void => void process.stderr.write(`[multi-instance +${process.uptime().toFixed(1)}s] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fieldOf = (q: string, name: string): string | undefined => new URLSearchParams(q).get(name) ?? undefined;

interface Slot {
  child: BenchChild<GatewayHandlers> | undefined;
  url: string | undefined;
  client: HttpClient | undefined;
}

type Outcome = { sod: string; kind: "rst1" | "rst2" | "none" | "other"; pid?: string; ec?: string };

async function main(): Promise<void> {
  const schema = `mi_${randomBytes(5).toString("hex")}`;
  const sandbox = createSandbox({ logger: pino({ level: "silent" }), settleDelayMs: 50, rateLimits: false, testChargeDailyLimit: null });
  const { url: sandboxUrl } = await sandbox.listen(0, "127.0.0.1");
  const creds = sandbox.createStore({ name: "multi", mode: "test", pci: true, recurringPrivilege: "infinite" });
  const [merchant] = await prepareMerchants(sandboxUrl, [creds], 500_001);
  if (!merchant) throw new Error("no merchant");

  const deliveries: string[] = [];
  const receiver = http.createServer((req, res) => {
    const q = (req.url ?? "").split("?")[1] ?? "";
    deliveries.push(q);
    res.end("OK!!");
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  const kickbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kb`;

  const slots: Slot[] = Array.from({ length: INSTANCES }, () => ({ child: undefined, url: undefined, client: undefined }));
  const start = async (slot: Slot): Promise<void> => {
    const child = spawnChild<GatewayHandlers>("gateway-proc", gatewayNodeFlags());
    const { url } = await child.rpc.call("start", {
      databaseUrl: PG_URL,
      pgSchema: schema,
      sandboxUrl,
      kickbackUrl,
      merchants: [merchant],
      memberId: BENCH_MEMBER_ID,
      background: true,
      env: ENV,
    });
    Object.assign(slot, { child, url, client: createHttpClient(url, { maxSockets: CONCURRENCY }) });
  };
  const kill = (slot: Slot): void => {
    const child = slot.child;
    slot.client?.close();
    Object.assign(slot, { child: undefined, url: undefined, client: undefined });
    if (child) process.kill(child.pid, "SIGKILL");
  };

  const failures: string[] = [];
  const outcomes: Outcome[] = [];
  let kills = 0;
  try {
    for (const s of slots) await start(s);
    log(`${INSTANCES} gateways on schema ${schema}; ${PAYMENTS} payments, ${KILLS} kills`);

    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < PAYMENTS) {
        const i = next++;
        const sod = `MI${i}`;
        let slot: Slot | undefined;
        while (!(slot = slots.filter((s) => s.client)[i % INSTANCES] ?? slots.find((s) => s.client))) await sleep(20);
        const client = slot.client as HttpClient;
        const r = await client.request({
          method: "GET",
          path: `/memberpay.aspx?sid=${merchant.sid}&job=CAPTURE&upcmemberid=${BENCH_MEMBER_ID}&siam1=1000&sod=${sod}`,
        });
        if (r.status !== 200) {
          outcomes.push({ sod, kind: "none" });
          continue;
        }
        const rst = fieldOf(r.body, "rst");
        const pid = fieldOf(r.body, "pid") || undefined;
        const ec = fieldOf(r.body, "ec");
        outcomes.push({ sod, kind: rst === "1" ? "rst1" : rst === "2" ? "rst2" : "other", ...(pid ? { pid } : {}), ...(ec ? { ec } : {}) });
      }
    };
    const killer = async (): Promise<void> => {
      await sleep(1_000);
      while (kills < KILLS) {
        const slot = slots[kills % INSTANCES] as Slot;
        kill(slot);
        kills++;
        log(`SIGKILL ${kills}/${KILLS}`);
        await sleep(RESTART_AFTER_MS);
        await start(slot);
        await sleep(KILL_EVERY_MS - RESTART_AFTER_MS);
      }
    };
    const load = async (): Promise<void> => {
      // Keeps the load on until the last kill, sending the rest afterwards.
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    };
    await Promise.all([load(), killer()]);
    log(`load done: ${outcomes.length} requests; waiting for every payment and kickback to finish`);

    const db = new Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await db.connect();
    try {
      const t0 = Date.now();
      let unfinished = -1;
      let pendingKickbacks = -1;
      while (Date.now() - t0 < SETTLE_LIMIT_MS) {
        unfinished = Number((await db.query(`SELECT count(*) AS n FROM transitions WHERE state IN ('requested','pending','reversing')`)).rows[0].n);
        pendingKickbacks = Number((await db.query(`SELECT count(*) AS n FROM kickbacks WHERE state = 'pending'`)).rows[0].n);
        if (unfinished === 0 && pendingKickbacks === 0) break;
        await sleep(1_000);
      }
      log(`settled in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${unfinished} unfinished transitions, ${pendingKickbacks} pending kickbacks`);
      if (unfinished !== 0) failures.push(`${unfinished} transitions left unfinished`);
      if (pendingKickbacks !== 0) failures.push(`${pendingKickbacks} kickbacks still pending`);
      const reversed = Number((await db.query(`SELECT count(*) AS n FROM transitions WHERE state = 'reversed'`)).rows[0].n);
      const states = (await db.query(`SELECT state, count(*) AS n FROM payments GROUP BY state ORDER BY state`)).rows.map((r) => `${r.state}:${r.n}`);

      // The money, as UnivaPay shows it.
      const api = createHttpClient(sandboxUrl, { maxSockets: 8 });
      const auth = { authorization: `Bearer ${creds.secret}.${creds.appToken}` };
      const charges: Array<{ id: string; status: string; charged_amount: number | null; metadata: Record<string, unknown> }> = [];
      for (let cursor: string | undefined; ;) {
        const r = await api.request({ method: "GET", path: `/stores/${creds.storeId}/charges?limit=100${cursor ? `&cursor=${cursor}` : ""}`, headers: auth });
        const page = JSON.parse(r.body) as { items: typeof charges; has_more: boolean };
        charges.push(...page.items);
        if (!page.has_more || page.items.length === 0) break;
        cursor = page.items[page.items.length - 1]?.id;
      }
      const holdsMoney = new Map<string, boolean>();
      for (const c of charges) {
        let holds = c.status === "authorized";
        if (c.status === "successful") {
          const r = await api.request({ method: "GET", path: `/stores/${creds.storeId}/charges/${c.id}/refunds?limit=100`, headers: auth });
          const refunded = (JSON.parse(r.body) as { items: Array<{ status: string; amount: number }> }).items
            .filter((x) => x.status === "successful")
            .reduce((s, x) => s + x.amount, 0);
          holds = refunded < (c.charged_amount ?? 0);
        }
        holdsMoney.set(c.id, holds);
      }
      api.close();
      const moneyBySod = new Map<string, number>();
      for (const c of charges) {
        const sod = c.metadata["univapay-reference-id"];
        if (typeof sod === "string" && holdsMoney.get(c.id)) moneyBySod.set(sod, (moneyBySod.get(sod) ?? 0) + 1);
      }
      const successKickbacks = new Map<string, number>();
      for (const q of deliveries) {
        if (fieldOf(q, "rst") === "1") {
          const sod = fieldOf(q, "sod") ?? "";
          successKickbacks.set(sod, (successKickbacks.get(sod) ?? 0) + 1);
        }
      }
      for (const [sod, n] of moneyBySod) if (n > 1) failures.push(`order ${sod} holds money ${n} times`);
      for (const o of outcomes) {
        const money = (moneyBySod.get(o.sod) ?? 0) > 0;
        const told = (successKickbacks.get(o.sod) ?? 0) > 0;
        if (o.kind === "rst1" && !(money && told)) failures.push(`${o.sod} answered rst=1: money ${money}, success kickback ${told}`);
        if (o.kind === "rst2" && (money || told)) failures.push(`${o.sod} answered rst=2 (${o.ec}): money ${money}, success kickback ${told}`);
        if (o.kind === "none" && money !== told) failures.push(`${o.sod} unanswered: money ${money}, success kickback ${told}`);
        if (o.kind === "other") failures.push(`${o.sod} answered neither rst=1 nor rst=2 (${o.ec})`);
      }
      const byKind = (k: Outcome["kind"]) => outcomes.filter((o) => o.kind === k).length;
      const unique = new Set(deliveries.map((q) => `${fieldOf(q, "pid")}/${fieldOf(q, "job")}`)).size;
      const duplicates = deliveries.length - unique;
      const figures = {
        instances: INSTANCES,
        kills,
        payments: outcomes.length,
        answeredRst1: byKind("rst1"),
        answeredRst2: byKind("rst2"),
        unanswered: byKind("none"),
        rst2Codes: Object.fromEntries(
          [...new Set(outcomes.filter((o) => o.kind === "rst2").map((o) => o.ec))].map((ec) => [ec, outcomes.filter((o) => o.ec === ec).length]),
        ),
        paymentStates: states,
        transitionsReversed: reversed,
        chargesAtUnivapay: charges.length,
        kickbacksDelivered: deliveries.length,
        kickbacksUnique: unique,
        duplicateDeliveries: duplicates,
        duplicatesPerKill: kills > 0 ? Number((duplicates / kills).toFixed(1)) : 0,
        failures: failures.slice(0, 20),
        failureCount: failures.length,
      };
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    } finally {
      await db.end();
    }
  } finally {
    for (const s of slots) {
      s.client?.close();
      await s.child?.stop().catch(() => undefined);
    }
    await new Promise<void>((r) => receiver.close(() => r()));
    await sandbox.close();
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await c.end();
  }
  if (failures.length > 0) {
    process.stderr.write(`multi-instance: ${failures.length} checks failed\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`multi-instance failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
