/**
 * The composition root: config → mapping table → merchants → UnivaPay client (the real API, or
 * in demo mode the embedded sandbox) → credential checks → store → listeners, dispatcher, webhook
 * processor and reconciler. The only place where objects are created and wired; used by
 * src/main.ts, the integration tests and the bench. The merchants' port opens last, once every
 * part is wired, so no request ever reaches a half-built gateway.
 */
import type { Config } from "./config/config";
import { redactDatabaseUrl } from "./config/database-url";
import { createMerchantRegistry, loadMerchantsFile, type Merchant, type MerchantStatus } from "./config/merchants";
import { checkMerchant, verifyMerchants } from "./config/verify-merchants";
import { DEMO_MEMBER_CHECK_INTERVAL_MS, DEMO_SID, demoMerchant, ensureDemoMembers } from "./demo/demo-setup";
import { demoGatewaySecret, startEmbeddedSandbox, type EmbeddedSandbox } from "./demo/embedded-sandbox";
import { AppError } from "./errors/app-error";
import { createAdminServer } from "./http/admin-server";
import { createAdminApp, createApp } from "./http/app";
import { createMerchantServer, type MerchantServer } from "./http/merchant-server";
import type { DemoReceiver } from "./http/routes/demo-routes";
import { isLegacyPath } from "./http/routes/legacy-routes";
import { createLogger, Secret, type Logger } from "./logging/logger";
import { loadMappingTable } from "./mapping";
import { createKickbackDispatcher } from "./notify/dispatcher";
import type { RetryPolicy } from "./notify/retry-policy";
import { checkKickbackUrl } from "./notify/url-guard";
import { createMetrics, type Metrics } from "./ops/metrics";
import { refuseLegacyRequest } from "./payments/handle-legacy-request";
import { failure, PRIOR_KEY_WINDOW_MS } from "./payments/legacy-request";
import type { PaymentDeps } from "./payments/payment-deps";
import { createReconciler, type Reconciler } from "./payments/reconciler";
import type { Sandbox, SandboxOptions } from "./sandbox/sandbox";
import { createStore } from "./store/create-store";
import type { Store } from "./store/store-types";
import { DEFAULT_KINDS } from "./transitions/default-kinds";
import { createKindRegistry } from "./transitions/kind-registry";
import type { TransitionKind } from "./transitions/transition-kind";
import { createUnivapayClient } from "./univapay/univapay-client";
import { registerWebhook } from "./webhooks/register-webhook";
import { createWebhookProcessor, type WebhookProcessor } from "./webhooks/webhook-processor";

export interface GatewayOptions {
  readonly logger?: Logger;
  readonly env?: Record<string, string | undefined>;
  /** Extra merchants (tests); added to those of MERCHANTS_FILE. */
  readonly merchants?: readonly Merchant[];
  /** PostgreSQL schema to use (tests isolate themselves this way). */
  readonly pgSchema?: string;
  readonly now?: () => Date;
  /** Options for the embedded sandbox (demo mode). */
  readonly sandbox?: SandboxOptions;
  /** Start the background loops (dispatcher, webhook processor). Tests may drive them by hand. */
  readonly background?: boolean;
  /** The transition kinds (default DEFAULT_KINDS); a test adds its own. */
  readonly kinds?: readonly TransitionKind[];
}

export interface Gateway {
  readonly url: string;
  /** The operator listener (metrics, detailed readiness, demo receiver). */
  readonly adminUrl: string;
  readonly server: MerchantServer;
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

/** How often merchants whose credentials could not be checked (UnivaPay unreachable) are checked again. */
const REVERIFY_INTERVAL_MS = 30_000;

/** How often rows with pre-HMAC request keys are looked for and retired, after an upgrade. */
const PRIOR_KEY_RETIRE_INTERVAL_MS = 60 * 60 * 1000;

/** Retires the pre-HMAC request keys older than their replay window; returns until when resends
 *  may still carry one (undefined: none left). */
async function retireAndFindPriorKeys(store: Store, now: Date, log: Logger): Promise<Date | undefined> {
  const retired = await store.retirePriorKeys(new Date(now.getTime() - PRIOR_KEY_WINDOW_MS));
  if (retired > 0) log.info({ retired }, "pre-HMAC request keys retired (their replay window is over)");
  const newest = await store.newestPriorKeyRow();
  return newest && new Date(newest.getTime() + PRIOR_KEY_WINDOW_MS);
}

/** Every configured kickback URL must pass the SSRF guard at start, not at the first payment. */
function assertKickbackUrls(merchants: ReadonlyArray<Pick<Merchant, "sid" | "kickbackUrl" | "kickbackUrls">>, allowPrivateNetworks: boolean): void {
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

/** Definite credential problems stop start-up, every merchant listed with its fix. */
function assertCredentials(statuses: ReadonlyMap<string, MerchantStatus>): void {
  const details = [...statuses].flatMap(([sid, s]) => (s.state === "rejected" ? [{ path: `merchant ${sid}`, message: s.reason }] : []));
  if (details.length > 0) throw new AppError("config_invalid", "merchant credentials refused", { details });
}

async function checkAll(client: ReturnType<typeof createUnivapayClient>, merchants: readonly Merchant[]): Promise<Map<string, MerchantStatus>> {
  const out = new Map<string, MerchantStatus>();
  await Promise.all(merchants.map(async (m) => out.set(m.sid, await checkMerchant(client, m))));
  return out;
}

export async function startGateway(config: Config, opts: GatewayOptions = {}): Promise<Gateway> {
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL });
  const now = opts.now ?? (() => new Date());
  // Everything that can be wrong in the configuration fails here, before any side effect.
  const table = loadMappingTable(config.MAPPINGS_DIR);
  const kinds = createKindRegistry(opts.kinds ?? DEFAULT_KINDS);
  kinds.assertCovers(table);
  const merchants: Merchant[] = [
    ...(config.MERCHANTS_FILE ? loadMerchantsFile(config.MERCHANTS_FILE, opts.env ?? process.env) : []),
    ...(opts.merchants ?? []),
  ];
  const allowPrivate = config.KICKBACK_ALLOW_PRIVATE_NETWORKS;
  assertKickbackUrls(merchants, allowPrivate);
  if (config.DEMO_KICKBACK_URL) assertKickbackUrls([{ sid: DEMO_SID, kickbackUrl: config.DEMO_KICKBACK_URL, kickbackUrls: {} }], allowPrivate);
  if (merchants.length === 0 && !config.demo) {
    throw new AppError("config_invalid", "no merchants configured", {
      details: [{ path: "MERCHANTS_FILE", message: "required outside demo mode (every request would be refused)" }],
    });
  }

  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanUp = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    let embedded: EmbeddedSandbox | undefined;
    if (config.demo) {
      embedded = await startEmbeddedSandbox(config, logger, opts.sandbox);
      cleanups.push(() => embedded?.sandbox.close());
      logger.warn(
        { univapay: embedded.baseUrl, sandboxState: embedded.stateFile ?? "in memory", merchant: DEMO_SID },
        "DEMO MODE: embedded UnivaPay sandbox and demo merchant only, no real payments. Set MERCHANTS_FILE, UNIVAPAY_BASE_URL and GATEWAY_SECRET for production",
      );
    }
    const baseUrl = config.UNIVAPAY_BASE_URL ?? (embedded as EmbeddedSandbox).baseUrl;
    const client = createUnivapayClient({ baseUrl, timeoutMs: config.UNIVAPAY_TIMEOUT_MS, logger, maxSockets: config.UNIVAPAY_MAX_SOCKETS });
    cleanups.push(() => client.close());
    const requestKeySecret = config.demo ? demoGatewaySecret(config, embedded?.stateFile, logger) : new Secret(config.GATEWAY_SECRET as string);

    const statuses = await checkAll(client, merchants);
    assertCredentials(statuses);

    const store = await createStore({ databaseUrl: config.DATABASE_URL, logger, ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}) });
    cleanups.push(() => store.close());
    const metrics = createMetrics({ defaultMetrics: opts.background !== false });
    const priorKeysUntil = await retireAndFindPriorKeys(store, now(), logger);

    const admin = createAdminServer();
    const adminPort = await admin.listen(config.ADMIN_PORT, config.ADMIN_HOST);
    cleanups.push(() => admin.close());
    const adminUrl = `http://${config.ADMIN_HOST.includes(":") ? `[${config.ADMIN_HOST}]` : config.ADMIN_HOST}:${adminPort}`;

    let demo: DemoReceiver | undefined;
    let demoKickbackUrl: string | undefined;
    if (embedded && !merchants.some((m) => m.sid === DEMO_SID)) {
      demo = { received: [] };
      demoKickbackUrl = config.DEMO_KICKBACK_URL ?? `${adminUrl}/demo/kickback`;
      const m = demoMerchant(embedded.sandbox.demo, demoKickbackUrl);
      merchants.push(m);
      statuses.set(m.sid, await checkMerchant(client, m));
      assertCredentials(statuses);
      await ensureDemoMembers(client, store, m, logger);
    }
    const registry = createMerchantRegistry(merchants);
    for (const [sid, s] of statuses) registry.setStatus(sid, s);
    for (const [sid, s] of statuses) if (s.state === "unverified") logger.warn({ sid, reason: s.reason }, "merchant credentials not verified yet, merchant not served");

    let dispatcher!: ReturnType<typeof createKickbackDispatcher>;
    let processor!: WebhookProcessor;
    const deps: PaymentDeps = {
      store,
      client,
      table,
      kinds,
      merchants: registry,
      logger,
      now,
      pollDeadlineMs: config.UNIVAPAY_POLL_DEADLINE_MS,
      requestKeySecret,
      ...(priorKeysUntil ? { priorKeysUntil } : {}),
      onKickbackEnqueued: () => dispatcher.wake(),
    };
    const workerId = `gw-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    dispatcher = createKickbackDispatcher({
      store,
      logger: logger.child({ module: "notify.dispatcher" }),
      workerId,
      policy: kickbackPolicy(config),
      timeoutMs: config.KICKBACK_TIMEOUT_MS,
      concurrency: config.KICKBACK_CONCURRENCY,
      lockMs: config.KICKBACK_LOCK_MS,
      allowPrivateNetworks: allowPrivate,
      // The built-in demo receiver, by its exact URL: the guard stays on for everything else.
      trustedUrls: demoKickbackUrl && !config.DEMO_KICKBACK_URL ? [demoKickbackUrl] : [],
      now,
      observe: (e) => {
        metrics.kickbackAttempts.inc({ outcome: e.outcome });
        metrics.kickbackDuration.observe(e.durationMs / 1000);
      },
    });
    cleanups.push(() => dispatcher.stop());
    processor = createWebhookProcessor({ deps, logger });
    cleanups.push(() => processor.stop());
    const reconciler = createReconciler({ deps, logger, staleAfterMs: config.RECONCILE_STALE_AFTER_MS });
    cleanups.push(() => reconciler.stop());

    const app = createApp({ deps, metrics, logger, maxLegacyBytes: config.LEGACY_MAX_BYTES, trustProxy: config.TRUST_PROXY, onWebhookStored: () => processor.wake() });
    admin.serve(createAdminApp({ deps, metrics, logger, token: config.ADMIN_TOKEN, ...(demo ? { demoReceiver: demo } : {}) }).callback());

    const server = createMerchantServer({
      port: config.PORT,
      host: config.HOST,
      legacyMaxBytes: config.LEGACY_MAX_BYTES,
      maxConnections: config.MAX_CONNECTIONS,
      // Behind a proxy every connection comes from the proxy: bound clients there instead.
      maxConnectionsPerClient: config.TRUST_PROXY ? 0 : config.MAX_CONNECTIONS_PER_CLIENT,
      headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
      rendering: {
        isLegacyPath,
        legacyRefusal: (key) => {
          const r = refuseLegacyRequest({ table }, failure(table, key, "refused by the HTTP parser"));
          return { body: r.body, type: `text/plain; charset=${r.charset}` };
        },
      },
      log: logger.child({ module: "http.front" }),
    });
    const port = await server.listen(app.callback());
    cleanups.push(() => server.close(config.SHUTDOWN_GRACE_MS));
    const url = `http://${config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`;

    const timers: NodeJS.Timeout[] = [];
    if (embedded && demo) {
      const m = registry.get(DEMO_SID) as Merchant;
      await registerWebhook(client, m, `${url}/webhooks/univapay`);
      const check = setInterval(() => void ensureDemoMembers(client, store, m, logger).catch((err: unknown) => logger.warn({ err }, "demo member check failed")), DEMO_MEMBER_CHECK_INTERVAL_MS);
      check.unref();
      timers.push(check);
    }
    if (priorKeysUntil) {
      const retire = setInterval(() => void retireAndFindPriorKeys(store, now(), logger).catch((err: unknown) => logger.warn({ err }, "retiring pre-HMAC request keys failed")), PRIOR_KEY_RETIRE_INTERVAL_MS);
      retire.unref();
      timers.push(retire);
    }
    // Chained, not an interval: a sweep against a struggling UnivaPay never overlaps the next one.
    let reverify: NodeJS.Timeout | undefined;
    let stopped = false;
    const sweep = () => {
      reverify = setTimeout(() => {
        void verifyMerchants(client, registry, logger)
          .catch((err: unknown) => logger.warn({ err }, "merchant re-verification failed"))
          .finally(() => !stopped && sweep());
      }, REVERIFY_INTERVAL_MS);
      reverify.unref();
    };
    sweep();
    cleanups.push(() => {
      stopped = true;
      if (reverify) clearTimeout(reverify);
      timers.forEach(clearInterval);
    });

    if (opts.background !== false) {
      dispatcher.start(config.KICKBACK_POLL_MS);
      processor.start(config.WEBHOOK_POLL_MS);
      reconciler.start(config.RECONCILE_INTERVAL_MS);
    }
    logger.info(
      { url, adminUrl, pid: process.pid, merchants: merchants.map((m) => m.sid), database: store.dialect, databaseUrl: redactDatabaseUrl(config.DATABASE_URL), demo: config.demo },
      "gateway listening",
    );

    let closing: Promise<void> | undefined;
    return {
      url,
      adminUrl,
      server,
      store,
      deps,
      metrics,
      dispatcher,
      processor,
      reconciler,
      sandbox: embedded?.sandbox,
      univapayBaseUrl: baseUrl,
      demo,
      close: () => (closing ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
