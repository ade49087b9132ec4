/**
 * The server on top of the core: configuration files checked (loadCoreParts) → operator listener
 * → demo mode's sandbox and merchant (demo/demo-mode) → the core (client, credential checks,
 * store) → dispatcher, webhook processor and reconciler → the merchants' port. Used by
 * src/main.ts, the integration tests and the bench; command-line tools use the core alone. The
 * merchants' port opens last, once every part is wired, so no request ever reaches a half-built
 * gateway.
 */
import type { Config } from "./config/config";
import { redactDatabaseUrl } from "./config/database-url";
import type { Merchant } from "./config/merchants";
import { verifyMerchants } from "./config/verify-merchants";
import { createCore, loadCoreParts } from "./core";
import { checkDemoConfig, startDemoMode, type DemoMode } from "./demo/demo-mode";
import { AppError } from "./errors/app-error";
import { createAdminServer } from "./http/admin-server";
import { createAdminApp, createApp } from "./http/app";
import { createMerchantServer, type MerchantServer } from "./http/merchant-server";
import type { DemoReceiver } from "./http/routes/demo-routes";
import { isLegacyPath } from "./http/routes/legacy-routes";
import { createLogger, Secret, type Logger } from "./logging/logger";
import { createKickbackDispatcher } from "./notify/dispatcher";
import type { RetryPolicy } from "./notify/retry-policy";
import { createMetrics, type Metrics } from "./ops/metrics";
import { refuseLegacyRequest } from "./payments/handle-legacy-request";
import { PRIOR_KEY_WINDOW_MS } from "./payments/legacy-request-key";
import { legacyFailure } from "./mapping";
import type { PaymentDeps } from "./transitions/payment-deps";
import { createSettleSignals } from "./transitions/settle-signals";
import { startPgSignalRelay } from "./store/pg-signal-relay";
import { createReconciler, type Reconciler } from "./payments/reconciler";
import type { Sandbox, SandboxOptions } from "./sandbox/sandbox";
import type { Store } from "./store/store-types";
import type { TransitionKind } from "./transitions/transition-kind";
import { createRateLimiter } from "./token/token-rate-limiter";
import { generateTokenKeys, parseTokenKeys, type TokenKeys } from "./token/token-keys";
import { renderTokenScript } from "./token/token-script";
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
  /** The token protocol's current public key (PEM), as the served script embeds it; undefined: off. */
  readonly tokenPublicKeyPem: string | undefined;
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

export function kickbackPolicy(config: Config): RetryPolicy {
  return {
    baseMs: config.KICKBACK_RETRY_BASE_MS,
    factor: config.KICKBACK_RETRY_FACTOR,
    maxDelayMs: config.KICKBACK_RETRY_MAX_DELAY_MS,
    maxAttempts: config.KICKBACK_MAX_ATTEMPTS,
    jitter: config.KICKBACK_RETRY_JITTER,
  };
}

/** The token protocol's keys: configured, or made for the demo; a merchant that enables the token
 *  script without them stops start-up rather than answering its shoppers 904. */
function tokenKeysFor(config: Config, merchants: readonly Merchant[]): TokenKeys | undefined {
  if (config.TOKEN_RSA_PRIVATE_KEYS) return parseTokenKeys(config.TOKEN_RSA_PRIVATE_KEYS);
  if (config.demo) return generateTokenKeys();
  const enabled = merchants.filter((m) => m.tokenScript).map((m) => m.sid);
  if (enabled.length > 0)
    throw new AppError("config_invalid", "the token script is enabled without a key", {
      details: [{ path: "TOKEN_RSA_PRIVATE_KEYS", message: `required: merchants ${enabled.join(", ")} enable tokenScript` }],
    });
  return undefined;
}

/** UnivaPay's checkout host, where its link forms live. */
export const UNIVAPAY_CHECKOUT_DEFAULT = "https://checkout.univapay.com";

/** The link method sends shoppers to UnivaPay, which sends them back to PUBLIC_URL: without it a
 *  merchant's shoppers would pay and be stranded on a dead address, so start-up stops instead. */
function checkHostedConfig(config: Config, merchants: readonly Merchant[]): void {
  const enabled = merchants.filter((m) => m.hostedPage).map((m) => m.sid);
  if (enabled.length > 0 && !config.PUBLIC_URL && !config.demo)
    throw new AppError("config_invalid", "the link method is set up without a public address", {
      details: [{ path: "PUBLIC_URL", message: `required: merchants ${enabled.join(", ")} have hostedPage (UnivaPay's form returns shoppers there)` }],
    });
}

export async function startGateway(config: Config, opts: GatewayOptions = {}): Promise<Gateway> {
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL });
  const now = opts.now ?? (() => new Date());
  // Everything that can be wrong in the configuration fails here, before any side effect.
  const loaded = loadCoreParts(config, {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.merchants ? { merchants: opts.merchants } : {}),
    ...(opts.kinds ? { kinds: opts.kinds } : {}),
  });
  checkDemoConfig(config);
  const tokenKeys = tokenKeysFor(config, loaded.merchants);
  checkHostedConfig(config, loaded.merchants);
  if (loaded.merchants.length === 0 && !config.demo) {
    throw new AppError("config_invalid", "no merchants configured", {
      details: [{ path: "MERCHANTS_FILE", message: "required outside demo mode (every request would be refused)" }],
    });
  }
  const allowPrivate = config.KICKBACK_ALLOW_PRIVATE_NETWORKS;

  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanUp = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const admin = createAdminServer();
    const adminPort = await admin.listen(config.ADMIN_PORT, config.ADMIN_HOST);
    cleanups.push(() => admin.close());
    const adminUrl = `http://${config.ADMIN_HOST.includes(":") ? `[${config.ADMIN_HOST}]` : config.ADMIN_HOST}:${adminPort}`;

    const demo = config.demo ? await startDemoMode(config, logger, adminUrl, loaded.merchants, opts.sandbox) : undefined;
    if (demo) cleanups.push(() => demo.close());
    const parts = demo?.merchant ? { ...loaded, merchants: [...loaded.merchants, demo.merchant] } : loaded;
    const baseUrl = config.UNIVAPAY_BASE_URL ?? (demo as DemoMode).embedded.baseUrl;
    const core = await createCore(config, {
      logger,
      parts,
      univapayBaseUrl: baseUrl,
      withStore: true,
      checkCredentials: true,
      now,
      ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}),
    });
    cleanups.push(() => core.close());
    const { client, table, kinds, registry } = core;
    const store = core.store as Store;
    const requestKeySecret = demo?.requestKeySecret ?? new Secret(config.GATEWAY_SECRET as string);
    const metrics = createMetrics({ defaultMetrics: opts.background !== false });
    const priorKeysUntil = await retireAndFindPriorKeys(store, now(), logger);
    await demo?.provision(core, store);

    const workerId = `gw-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const dispatcher = createKickbackDispatcher({
      store,
      logger: logger.child({ module: "notify.dispatcher" }),
      workerId,
      policy: kickbackPolicy(config),
      timeoutMs: config.KICKBACK_TIMEOUT_MS,
      concurrency: config.KICKBACK_CONCURRENCY,
      lockMs: config.KICKBACK_LOCK_MS,
      allowPrivateNetworks: allowPrivate,
      // The built-in demo receiver, by its exact URL: the guard stays on for everything else.
      trustedUrls: demo?.trustedKickbackUrls ?? [],
      now,
      observe: (e) => {
        metrics.kickbackAttempts.inc({ outcome: e.outcome });
        metrics.kickbackDuration.observe(e.durationMs / 1000);
      },
    });
    cleanups.push(() => dispatcher.stop());
    const signals = createSettleSignals();
    if (store.dialect === "postgres") {
      const relay = startPgSignalRelay({ databaseUrl: config.DATABASE_URL, signals, logger, ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}) });
      cleanups.push(() => relay.close());
    }
    const deps: PaymentDeps = {
      store,
      client,
      table,
      kinds,
      merchants: registry,
      logger,
      now,
      answerDeadlineMs: config.ANSWER_DEADLINE_MS,
      pollDeadlineMs: config.UNIVAPAY_POLL_DEADLINE_MS,
      replayWindowMs: config.REPLAY_WINDOW_MS,
      orderGuardWindowMs: config.ORDER_GUARD_WINDOW_MS,
      requestKeySecret,
      ...(priorKeysUntil ? { priorKeysUntil } : {}),
      onKickbackEnqueued: () => dispatcher.wake(),
      signals,
      hostedLinkTtlMs: config.HOSTED_LINK_TTL_MS,
    };
    const processor = createWebhookProcessor({ deps, logger, workerId });
    cleanups.push(() => processor.stop());
    const reconciler = createReconciler({ deps, logger, staleAfterMs: config.RECONCILE_STALE_AFTER_MS });
    cleanups.push(() => reconciler.stop());

    // The demo only knows its own address once listening; PUBLIC_URL is checked at start otherwise.
    const listening: { url?: string } = {};
    const app = createApp({
      deps,
      hosted: {
        checkoutUrl: config.UNIVAPAY_CHECKOUT_URL ?? (demo ? demo.embedded.baseUrl : UNIVAPAY_CHECKOUT_DEFAULT),
        publicUrl: () => config.PUBLIC_URL ?? (demo ? listening.url : undefined),
        perIp: createRateLimiter(config.HOSTED_RATE_PER_IP_PER_MIN, () => now().getTime()),
        perSid: createRateLimiter(config.HOSTED_RATE_PER_SID_PER_MIN, () => now().getTime()),
        returnsPerIp: createRateLimiter(config.HOSTED_RETURN_RATE_PER_IP_PER_MIN, () => now().getTime()),
      },
      metrics,
      logger,
      maxLegacyBytes: config.LEGACY_MAX_BYTES,
      trustProxy: config.TRUST_PROXY,
      token: {
        merchants: registry,
        client,
        keys: tokenKeys,
        script: tokenKeys && renderTokenScript(tokenKeys, config.PUBLIC_URL),
        perIp: createRateLimiter(config.TOKEN_RATE_PER_IP_PER_MIN, () => now().getTime()),
        perSid: createRateLimiter(config.TOKEN_RATE_PER_SID_PER_MIN, () => now().getTime()),
        now,
        logger,
      },
      onWebhookStored: () => processor.wake(),
      // Waiting for webhooks pays only while a processor settles from them (tests may run none).
      onWebhookAuthenticated: (sid) => {
        if (processor.isStarted()) signals.noteWebhook(sid);
      },
    });
    admin.serve(createAdminApp({ deps, metrics, logger, token: config.ADMIN_TOKEN, ...(demo?.receiver ? { demoReceiver: demo.receiver } : {}) }).callback());

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
          const r = refuseLegacyRequest({ table }, legacyFailure(table, key, "refused by the HTTP parser"));
          return { body: r.body, type: `text/plain; charset=${r.charset}` };
        },
      },
      log: logger.child({ module: "http.front" }),
    });
    const port = await server.listen(app.callback());
    cleanups.push(() => server.close(config.SHUTDOWN_GRACE_MS));
    const url = `http://${config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`;

    listening.url = url;
    const timers: NodeJS.Timeout[] = [];
    await demo?.connect(core, url);
    if (priorKeysUntil) {
      const retire = setInterval(
        () => void retireAndFindPriorKeys(store, now(), logger).catch((err: unknown) => logger.warn({ err }, "retiring pre-HMAC request keys failed")),
        PRIOR_KEY_RETIRE_INTERVAL_MS,
      );
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
      {
        url,
        adminUrl,
        pid: process.pid,
        merchants: parts.merchants.map((m) => m.sid),
        database: store.dialect,
        databaseUrl: redactDatabaseUrl(config.DATABASE_URL),
        demo: config.demo,
      },
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
      sandbox: demo?.embedded.sandbox,
      univapayBaseUrl: baseUrl,
      demo: demo?.receiver,
      tokenPublicKeyPem: tokenKeys?.publicKeyPem,
      close: () => (closing ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
