/**
 * Bench child: one gateway (startGateway, the real composition root) in its own process, so the
 * load generator never shares its event loop. LOG_LEVEL silent. It also does what only code with
 * the store in hand can do: map member tokens, seed kickbacks, resolve pids to charge ids.
 */
import { loadConfig, type Config } from "../../src/config/config";
import type { Merchant } from "../../src/config/merchants";
import { startGateway, type Gateway } from "../../src/gateway";
import { createLogger, Secret } from "../../src/logging/logger";
import { serveRpc } from "./rpc";
import { processUsage } from "./usage";
import { enableSqlTiming, sqlStats, type SqlStat } from "./sql-timing";

export interface BenchMerchant {
  readonly sid: string;
  readonly storeId: string;
  readonly appToken: string;
  readonly secret: string;
  readonly webhookToken: string;
  readonly tokenId: string;
}

export interface GatewayStartArgs {
  readonly databaseUrl: string;
  readonly pgSchema?: string;
  readonly sandboxUrl: string;
  readonly kickbackUrl: string;
  readonly merchants: readonly BenchMerchant[];
  readonly memberId: string;
  /** true: loops run from the start, as in production (also turns on default process metrics). */
  readonly background: boolean;
  /** Time every SQL statement (diagnostic; adds overhead). */
  readonly sqlTiming?: boolean;
  /** Extra env knobs (e.g. UNIVAPAY_POLL_DEADLINE_MS). */
  readonly env?: Record<string, string>;
}

let gateway: Gateway | undefined;
let config: Config | undefined;

function toMerchant(m: BenchMerchant, kickbackUrl: string): Merchant {
  return {
    sid: m.sid,
    name: `bench ${m.sid}`,
    mode: "test",
    credentials: { storeId: m.storeId, appToken: new Secret(m.appToken), secret: new Secret(m.secret) },
    webhookToken: new Secret(m.webhookToken),
    kickbackUrl,
    kickbackUrls: {},
    charset: "auto",
    returnUrls: {},
    allowedSources: undefined,
    gatewayCardPayments: true,
  };
}

function running(): { gw: Gateway; cfg: Config } {
  if (!gateway || !config) throw new Error("gateway not started");
  return { gw: gateway, cfg: config };
}

/** A kickback query shaped like a real CAPTURE kickback (same fields, similar length). */
function kickbackQuery(sid: string, pid: string, n: number): string {
  return `sid=${sid}&pid=${pid}&rst=1&ap=TestMode&ec=ER000000000&god=&cod=&ta=1000&job=CAPTURE&sod=KB${n}&svid=1`;
}

export const gatewayHandlers = {
  usage: processUsage,
  /** Starts the gateway; with background false, startLoops turns the loops on later. */
  async start(a: GatewayStartArgs): Promise<{ url: string; dialect: string }> {
    if (a.sqlTiming) enableSqlTiming();
    config = loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      ADMIN_PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: a.databaseUrl,
      UNIVAPAY_BASE_URL: a.sandboxUrl,
      GATEWAY_SECRET: "bench-secret-0123456789abcdef0123456789",
      KICKBACK_ALLOW_PRIVATE_NETWORKS: "true",
      ...a.env,
    });
    gateway = await startGateway(config, {
      logger: createLogger({ level: (process.env.BENCH_GATEWAY_LOG as "warn" | undefined) ?? "silent", destination: process.stderr }),
      merchants: a.merchants.map((m) => toMerchant(m, a.kickbackUrl)),
      ...(a.pgSchema ? { pgSchema: a.pgSchema } : {}),
      background: a.background,
    });
    for (const m of a.merchants) await gateway.store.putMemberToken(m.sid, a.memberId, m.tokenId);
    return { url: gateway.url, dialect: gateway.store.dialect };
  },
  /** The kickback dispatcher and webhook processor loops, as startGateway({background}) runs them. */
  async startLoops(): Promise<null> {
    const { gw, cfg } = running();
    gw.dispatcher.start(cfg.KICKBACK_POLL_MS);
    gw.processor.start(cfg.WEBHOOK_POLL_MS);
    return null;
  },
  /** Inserts `count` captured payments, each with one due kickback to `url`, in batched transactions. */
  async seedKickbacks(a: { count: number; sid: string; url: string }): Promise<{ pids: number; seedMs: number }> {
    const { gw } = running();
    const started = performance.now();
    const now = new Date();
    const batch = 250;
    for (let done = 0; done < a.count; done += batch) {
      await gw.store.transaction(async (tx) => {
        for (let i = done; i < Math.min(a.count, done + batch); i++) {
          const { payment, transition } = await tx.createPayment(
            {
              sid: a.sid,
              requestKey: `bench-kb-${i}-${now.getTime()}`,
              chargeId: null,
              tokenId: null,
              job: "CAPTURE",
              svid: "1",
              amount: 1000,
              total: 1000,
              sod: `KB${i}`,
              orderKey: `KB${i}`,
              state: "captured",
              echo: "",
              charset: "UTF-8",
              mode: "test",
            },
            {
              sid: a.sid,
              kind: "charge",
              job: "CAPTURE",
              requestKey: null,
              resource: null,
              univapayId: null,
              state: "succeeded",
              univapayStatus: "successful",
              errorCode: null,
              echo: "",
            },
          );
          await tx.enqueueKickback({ pid: payment.pid, sid: a.sid, transition: transition.id, url: a.url, query: kickbackQuery(a.sid, payment.pid, i) }, now);
        }
      });
    }
    return { pids: a.count, seedMs: performance.now() - started };
  },
  async queueDepths(): Promise<{ kickbacksPending: number; kickbacksDead: number; webhooksPending: number }> {
    return running().gw.store.queueDepths(new Date());
  },
  /** Charge ids of gateway payments, for webhook bodies about real charges. */
  async chargeIds(a: { pids: readonly string[] }): Promise<Array<string | null>> {
    const { gw } = running();
    const ids: Array<string | null> = [];
    for (const pid of a.pids) ids.push((await gw.store.findPaymentByPid(pid))?.chargeId ?? null);
    return ids;
  },
  async sqlStats(): Promise<SqlStat[]> {
    return sqlStats();
  },
  async close(): Promise<null> {
    await gateway?.close();
    gateway = undefined;
    return null;
  },
};
export type GatewayHandlers = typeof gatewayHandlers;

serveRpc(gatewayHandlers);
