/**
 * The bench run: start the world (sandbox, receiver, merchants), measure the direct path once
 * (and its latency again alongside each gateway's latency run, for the gateway-added figures),
 * then for each database a gateway for payments + webhooks and a second one for kickback
 * delivery. Every child is stopped and every database dropped, whatever fails.
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { createBenchDatabase, PROFILE_DIR, profileArgs, sqlTop, startBenchGateway } from "./bench-gateway";
import { runKickbackDelivery } from "./kickback-phase";
import type { BenchDb, BenchOptions } from "./options";
import { runDirect, runGatewayPayments, type Log } from "./payment-phases";
import { summarizeProfile, type ProfileSummary } from "./profile-summary";
import { checkTargets, gatewayAdded, LAYOUT, machineInfo, type BenchReport, type DbResults } from "./report";
import { startWorld, type BenchWorld } from "./setup";
import { runWebhookIngest } from "./webhook-phase";
import { runPeak } from "./peak-phase";
import type { RunningGateway } from "./bench-gateway";

const DRAIN_LIMIT_MS = 60_000;

/** Waits (bounded) until the outbox and the webhook inbox are empty: did the loops keep up? */
async function drainQueues(gw: RunningGateway): Promise<{ drainMs: number; pendingAfter: number }> {
  const t0 = performance.now();
  for (;;) {
    const d = await gw.child.rpc.call("queueDepths", null);
    const pending = d.kickbacksPending + d.webhooksPending;
    if (pending === 0 || performance.now() - t0 > DRAIN_LIMIT_MS) return { drainMs: performance.now() - t0, pendingAfter: pending };
    await new Promise((r) => setTimeout(r, 100));
  }
}

function profileOf(opts: BenchOptions, label: string, log: Log): ProfileSummary[] {
  if (!opts.profile) return [];
  try {
    return [summarizeProfile(join(PROFILE_DIR, `${label}.cpuprofile`))];
  } catch (e) {
    log(`profile ${label} unreadable: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}

async function runDatabase(world: BenchWorld, opts: BenchOptions, db: BenchDb, log: Log): Promise<DbResults> {
  const database = createBenchDatabase(db, opts.pgUrl);
  try {
    const gw = await startBenchGateway(world, database, opts, true, `${db}-payments`);
    let rest: Omit<DbResults, "kickbacks" | "profiles" | "sql">;
    let sqlPayments: DbResults["sql"]["payments"] = [];
    try {
      await world.receiver.rpc.call("reset", null);
      // The one-merchant check shows a per-store limit, the same on every database: SQLite only.
      const settle = async (): Promise<void> => {
        const d = await drainQueues(gw);
        log(`${db}: queues drained in ${d.drainMs.toFixed(0)} ms before the latency run (${d.pendingAfter} left)`);
      };
      const payments = await runGatewayPayments(world, gw, { ...opts, singleMerchantS: db === "sqlite" ? opts.singleMerchantS : 0 }, log, db, settle);
      const webhook = await runWebhookIngest(world, gw, payments.samplePids, opts, log, db);
      const drain = await drainQueues(gw);
      const received = await world.receiver.rpc.call("stats", null);
      log(`${db}: outbox drained ${drain.drainMs.toFixed(0)} ms after the last webhook; ${received.unique} payment kickbacks received`);
      const { samplePids: _unused, ...kept } = payments;
      rest = { payments: kept, gatewayAddedLatency: gatewayAdded(payments), webhook, paymentKickbacks: { received, ...drain } };
      sqlPayments = await sqlTop(gw, opts);
    } finally {
      await gw.child.stop();
    }
    const kgw = await startBenchGateway(world, database, opts, false, `${db}-kickbacks`);
    let kickbacks: DbResults["kickbacks"];
    let sqlKickbacks: DbResults["sql"]["kickbacks"] = [];
    try {
      kickbacks = await runKickbackDelivery(world, kgw, opts, log, db);
      sqlKickbacks = await sqlTop(kgw, opts);
    } finally {
      await kgw.child.stop();
    }
    const profiles = [...profileOf(opts, `${db}-payments`, log), ...profileOf(opts, `${db}-kickbacks`, log)];
    return { ...rest, kickbacks, profiles, sql: { payments: sqlPayments, kickbacks: sqlKickbacks } };
  } finally {
    await database.drop().catch((e: unknown) => log(`could not drop ${db} bench database: ${String(e)}`));
  }
}

export async function runBench(opts: BenchOptions, log: Log): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0] ?? 0;
  log(`starting sandbox and receiver, ${opts.merchants} merchants`);
  const world = await startWorld(opts.merchants, opts.profile ? profileArgs("sandbox") : []);
  let report: BenchReport;
  try {
    const direct = await runDirect(world, opts, log);
    const databases: Partial<Record<BenchDb, DbResults>> = {};
    for (const db of opts.dbs) databases[db] = await runDatabase(world, opts, db, log);
    const peak = opts.peakS > 0 ? await runPeak(world, opts, log) : null;
    report = {
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: machineInfo(loadAtStart),
      options: opts,
      layout: LAYOUT,
      direct,
      databases,
      peak,
      targets: checkTargets({ databases, peak }),
    };
  } finally {
    await world.stop();
  }
  // The sandbox writes its profile when it exits, so it is read only now.
  const sandboxProfiles = profileOf(opts, "sandbox", log);
  return sandboxProfiles.length > 0 ? { ...report, sandboxProfiles } : report;
}
