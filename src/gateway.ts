/**
 * The composition root: config → logger → mapping table → store → UnivaPay client (or the
 * embedded sandbox) → merchants → app, kickback dispatcher and webhook processor. The only place
 * where objects are created and wired; used by src/main.ts, the integration tests and the bench.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config/config";
import { createMerchantRegistry, loadMerchantsFile, type Merchant } from "./config/merchants";
import { DEMO_SID, demoMerchant, registerWebhook, seedDemoMembers } from "./demo/demo-setup";
import { createApp } from "./http/app";
import { createTolerantFront } from "./http/request-line-repair";
import type { DemoReceiver } from "./http/routes/demo-routes";
import { createLogger, type Logger } from "./logging/logger";
import { loadMappingTable } from "./mapping";
import { AppError } from "./errors/app-error";
import { createKickbackDispatcher } from "./notify/dispatcher";
import { checkKickbackUrl } from "./notify/url-guard";
import type { RetryPolicy } from "./notify/retry-policy";
import { createMetrics, type Metrics } from "./ops/metrics";
import type { PaymentDeps } from "./payments/payment-deps";
import { createReconciler, type Reconciler } from "./payments/reconciler";
import { createSandbox, type Sandbox } from "./sandbox/sandbox";
import { createStore } from "./store/create-store";
import type { Store } from "./store/store-types";
import { createUnivapayClient } from "./univapay/univapay-client";
import { createWebhookProcessor, type WebhookProcessor } from "./webhooks/webhook-processor";

export interface GatewayOptions {
  readonly logger?: Logger;
  readonly env?: Record<string, string | undefined>;
  /** Extra merchants (tests); added to those of MERCHANTS_FILE. */
  readonly merchants?: readonly Merchant[];
  /** PostgreSQL schema to use (tests isolate themselves this way). */
  readonly pgSchema?: string;
  readonly now?: () => Date;
  /** Options for the embedded sandbox, when UNIVAPAY_BASE_URL is unset. */
  readonly sandbox?: Parameters<typeof createSandbox>[0];
  /** Start the background loops (dispatcher, webhook processor). Tests may drive them by hand. */
  readonly background?: boolean;
}

export interface Gateway {
  readonly url: string;
  readonly server: Server;
  readonly store: Store;
  readonly deps: PaymentDeps;
  readonly metrics: Metrics;
  readonly dispatcher: ReturnType<typeof createKickbackDispatcher>;
  readonly processor: WebhookProcessor;
  readonly reconciler: Reconciler;
  readonly sandbox: Sandbox | undefined;
  readonly univapayBaseUrl: string;
  readonly demo: DemoReceiver | undefined;
  close(): Promise<void>;
}

/** Every configured kickback URL must pass the SSRF guard at start, not at the first payment. */
function assertKickbackUrls(
  merchants: ReadonlyArray<Pick<Merchant, "sid" | "kickbackUrl" | "kickbackUrls">>,
  allowPrivateNetworks: boolean,
): void {
  const details = merchants.flatMap((m) =>
    [m.kickbackUrl, ...Object.values(m.kickbackUrls)].flatMap((u) => {
      if (!u) return [];
      const r = checkKickbackUrl(u, { allowPrivateNetworks });
      const hint = allowPrivateNetworks ? "" : " (for local development set KICKBACK_ALLOW_PRIVATE_NETWORKS=true)";
      return r.ok ? [] : [{ path: `merchant ${m.sid}`, message: `kickback URL ${u}: ${r.reason}${hint}` }];
    }),
  );
  if (details.length > 0) throw new AppError("config_invalid", "invalid kickback URLs", { details });
}

export function kickbackPolicy(config: Config): RetryPolicy {
  return {
    baseMs: config.KICKBACK_RETRY_BASE_MS,
    factor: config.KICKBACK_RETRY_FACTOR,
    maxDelayMs: config.KICKBACK_RETRY_MAX_DELAY_MS,
    maxAttempts: config.KICKBACK_MAX_ATTEMPTS,
    jitter: config.KICKBACK_RETRY_JITTER,
  };
}

export async function startGateway(config: Config, opts: GatewayOptions = {}): Promise<Gateway> {
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL });
  const now = opts.now ?? (() => new Date());
  // Everything that can be wrong in the configuration fails here, before any side effect.
  const table = loadMappingTable(config.MAPPINGS_DIR);
  const merchants: Merchant[] = [
    ...(config.MERCHANTS_FILE ? loadMerchantsFile(config.MERCHANTS_FILE, opts.env ?? process.env) : []),
    ...(opts.merchants ?? []),
  ];
  // The demo receiver lives on this very gateway (loopback), so the demo allows private networks.
  const allowPrivate = config.KICKBACK_ALLOW_PRIVATE_NETWORKS || (!config.UNIVAPAY_BASE_URL && !config.DEMO_KICKBACK_URL);
  assertKickbackUrls(merchants, allowPrivate);
  if (!config.UNIVAPAY_BASE_URL && config.DEMO_KICKBACK_URL) {
    assertKickbackUrls([{ sid: DEMO_SID, kickbackUrl: config.DEMO_KICKBACK_URL, kickbackUrls: {} }], allowPrivate);
  }
  if (merchants.length === 0 && config.UNIVAPAY_BASE_URL) {
    throw new AppError("config_invalid", "no merchants configured", {
      details: [{ path: "MERCHANTS_FILE", message: "required when UNIVAPAY_BASE_URL is set (every request would be refused)" }],
    });
  }
  const store = await createStore({ databaseUrl: config.DATABASE_URL, logger, ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}) });
  const metrics = createMetrics({ defaultMetrics: opts.background !== false });

  let sandbox: Sandbox | undefined;
  if (!config.UNIVAPAY_BASE_URL) sandbox = createSandbox({ logger, ...opts.sandbox });
  const baseUrl = config.UNIVAPAY_BASE_URL ?? (await sandbox!.listen(0, "127.0.0.1")).url;
  if (sandbox) logger.info({ url: baseUrl }, "UNIVAPAY_BASE_URL unset: embedded UnivaPay sandbox started on loopback");
  const client = createUnivapayClient({ baseUrl, timeoutMs: config.UNIVAPAY_TIMEOUT_MS, logger, maxSockets: config.UNIVAPAY_MAX_SOCKETS });

  // Listen before wiring so the demo merchant can register webhook and kickback URLs on our port.
  const server = createServer();
  server.keepAliveTimeout = 65_000;
  const front = createTolerantFront(server);
  await new Promise<void>((resolve) => front.listen(config.PORT, config.HOST, resolve));
  const port = (front.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  let demo: DemoReceiver | undefined;
  if (sandbox && !merchants.some((m) => m.sid === DEMO_SID)) {
    demo = { received: [] };
    const m = demoMerchant(sandbox.demo, config.DEMO_KICKBACK_URL ?? `${url}/demo/kickback`);
    merchants.push(m);
    await registerWebhook(baseUrl, m, `${url}/webhooks/univapay`);
    await seedDemoMembers(client, store, m, logger);
  }

  let dispatcher!: ReturnType<typeof createKickbackDispatcher>;
  let processor!: WebhookProcessor;
  const deps: PaymentDeps = {
    store,
    client,
    table,
    merchants: createMerchantRegistry(merchants),
    logger,
    now,
    pollDeadlineMs: config.UNIVAPAY_POLL_DEADLINE_MS,
    onKickbackEnqueued: () => dispatcher.wake(),
  };
  dispatcher = createKickbackDispatcher({
    store,
    logger: logger.child({ module: "notify.dispatcher" }),
    workerId: `gw-${process.pid}-${port}`,
    policy: kickbackPolicy(config),
    timeoutMs: config.KICKBACK_TIMEOUT_MS,
    concurrency: config.KICKBACK_CONCURRENCY,
    lockMs: config.KICKBACK_LOCK_MS,
    allowPrivateNetworks: allowPrivate,
    now,
    observe: (e) => {
      metrics.kickbackAttempts.inc({ outcome: e.outcome });
      metrics.kickbackDuration.observe(e.durationMs / 1000);
    },
  });
  processor = createWebhookProcessor({ deps, logger });
  const reconciler = createReconciler({ deps, logger, staleAfterMs: config.RECONCILE_STALE_AFTER_MS });
  const app = createApp({
    deps,
    metrics,
    logger,
    maxLegacyBytes: config.LEGACY_MAX_BYTES,
    trustProxy: config.TRUST_PROXY,
    onWebhookStored: () => processor.wake(),
    ...(demo ? { demoReceiver: demo } : {}),
  });
  server.on("request", app.callback());
  if (opts.background !== false) {
    dispatcher.start(config.KICKBACK_POLL_MS);
    processor.start(config.WEBHOOK_POLL_MS);
    reconciler.start(config.RECONCILE_INTERVAL_MS);
  }
  logger.info({ url, merchants: merchants.map((m) => m.sid), database: store.dialect }, "gateway listening");

  return {
    url,
    server,
    store,
    deps,
    metrics,
    dispatcher,
    processor,
    reconciler,
    sandbox,
    univapayBaseUrl: baseUrl,
    demo,
    async close() {
      await new Promise<void>((resolve) => {
        front.close(() => resolve());
        server.closeAllConnections();
      });
      await reconciler.stop();
      await processor.stop();
      await dispatcher.stop();
      client.close();
      await sandbox?.close();
      await store.close();
    },
  };
}
