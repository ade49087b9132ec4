/**
 * UnivaPay API sandbox: a stand-alone, faithful simulator of the new REST API for card payments
 * (tokens, charges, captures, cancels, refunds, subscriptions, webhooks, limits, idempotency, test cards) with a
 * controllable clock and fault injection, plus UnivaPay's hosted link form (`/forms/{id}`,
 * src/sandbox/link-form). It must never import gateway code: like the real API it knows nothing
 * about its clients. With `stateFile` its whole state survives restarts (src/sandbox/persistence);
 * without it nothing touches the disk.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter, setMaxListeners } from "node:events";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import pino from "pino";
import type { Logger } from "../logging/logger";
import { createSystemClock, type SandboxClock } from "./clock";
import { FaultInjector } from "./faults";
import { createApp } from "./http/create-app";
import type { SandboxDeps } from "./http/context";
import { IdempotencyStore } from "./idempotency";
import { newId } from "./ids";
import { createLinkFormMiddleware } from "./link-form/link-form-routes";
import { openStateFile, type OpenedStateFile } from "./persistence/open-state-file";
import { restoreState } from "./persistence/restore-state";
import type { StatePersister } from "./persistence/state-persister";
import { PaymentProcessor } from "./processing/payment-processor";
import { appTokenIdOf, createStoreWithCredentials, credentialsOf, type CreateStoreOptions, type SandboxCredentials } from "./processing/store-registry";
import { TokenService } from "./processing/token-service";
import { RateLimiter, scaledRateLimits } from "./rate-limit";
import { parseInput } from "./http/validation";
import { TokenCreateSchema } from "./schemas/token-schemas";
import { createAdminRoutes } from "./routes/admin-routes";
import { createCancelRoutes } from "./routes/cancel-routes";
import { createChargeRoutes } from "./routes/charge-routes";
import { createCustomerRoutes } from "./routes/customer-routes";
import { createInfoRoutes } from "./routes/info-routes";
import { createRefundRoutes } from "./routes/refund-routes";
import type { SandboxRoutePlugin } from "./routes/subscription-seam";
import { createSubscriptionPlugin } from "./routes/subscription-plugin";
import { createTokenRoutes } from "./routes/token-routes";
import { createTransactionHistoryRoutes } from "./routes/transaction-history-routes";
import { createWebhookRoutes } from "./routes/webhook-routes";
import { SandboxState } from "./state/sandbox-state";
import { postWebhook, type WebhookPoster } from "./webhooks/http-post";
import { registerSandboxInternals } from "./testing/sandbox-internals";
import { WebhookSender, type WebhookDeliveryAttempt } from "./webhooks/webhook-sender";

export type { SandboxClock } from "./clock";
export { createManualClock, createSystemClock } from "./clock";
export type { SandboxCredentials, CreateStoreOptions } from "./processing/store-registry";
export type { FaultInjector, FaultConfigInput } from "./faults";
export type { WebhookDeliveryAttempt } from "./webhooks/webhook-sender";
export type { SandboxRoutePlugin } from "./routes/subscription-seam";
export { StateFileError } from "./persistence/state-file-error";

export interface SandboxOptions {
  logger?: Logger;
  /** Default: real time with an advanceable offset. */
  clock?: SandboxClock;
  /** pending → final after this much sandbox time (default 200); 0 = right after the create response. */
  settleDelayMs?: number;
  /** Real §1.5 limits (default true). */
  rateLimits?: boolean;
  /** Benchmarks only: the §1.5 limits × this factor (default 1), the headers saying so. */
  rateLimitScale?: number;
  /** Default 1440 (§1.5); null = off. */
  testChargeDailyLimit?: number | null;
  /** Default "live-only" (FAQ: the 30-s rule does not apply to test tokens). */
  chargeTooQuick?: "live-only" | "always" | "off";
  /** 400 CHARGE_TOO_QUICK (default) or a charge that settles failed with error 311 (§5.3 conflict). */
  duplicateChargeAs?: "error" | "failed-311";
  /** The §1.5 card lock (5 failures in 30 min → 403 CARD_LOCKED for 2 h); default "always" (the doc names no mode). */
  cardLock?: "always" | "live-only" | "off";
  /** Removes test-mode recurring tokens one month after creation, as §6 says (default true). */
  testRecurringTokenExpiry?: boolean;
  /** Subscriptions (§2.5, §7) on the sandbox clock (default true). */
  subscriptions?: boolean;
  /** Store setting "retry count" of subscriptions, including the first attempt (default 3, §7). */
  subscriptionRetryCount?: number;
  /** Extra API routes, mounted after the built-in ones (subscriptions included). */
  plugins?: readonly SandboxRoutePlugin[];
  /** Replaces the HTTP webhook poster (tests of the sender only). */
  webhookPoster?: WebhookPoster;
  /**
   * Keeps the whole sandbox in this file (created with its directory if missing): signing key,
   * stores and credentials, tokens, charges, refunds, cancels, webhooks, subscriptions, idempotency
   * records. Loaded at creation (a bad file throws StateFileError), saved within about a second of
   * each change and on close(); pending work resumes after a restart. Default: memory only.
   */
  stateFile?: string;
}

export interface Sandbox {
  /** Creates a merchant+store with an app token (JWT) and secret. */
  createStore(opts: CreateStoreOptions): SandboxCredentials;
  /** Test mode, pci true, infinite recurring privilege. */
  readonly demo: SandboxCredentials;
  /**
   * What UnivaPay's own data migration did for legacy merchants: recurring card tokens made on its
   * side (the old one-touch cards), outside the API and its rate limits. Returns their ids.
   */
  /** `cvvAuthorized`: as cards registered with a CVV authorization (what a zero-yen subscription needs). */
  migrateCards(storeId: string, count: number, cardNumber?: string, opts?: { readonly cvvAuthorized?: boolean }): string[];
  readonly clock: SandboxClock;
  faults: FaultInjector;
  /** Every webhook delivery attempt so far, oldest first. */
  webhookDeliveries(): readonly WebhookDeliveryAttempt[];
  /** Listener for each logged webhook attempt; returns an unsubscribe function. */
  onWebhookAttempt(listener: (a: WebhookDeliveryAttempt) => void): () => void;
  /** Listener called with the resource id whenever a ?polling=true GET starts being held. */
  onPollHeld(listener: (resourceId: string) => void): () => void;
  /** The state file (absolute path) and whether it existed at creation; null = memory only. */
  readonly stateFile: { readonly path: string; readonly loaded: boolean } | null;
  /** Writes every change so far to the state file and resolves once it is on disk (no-op in memory). */
  saveState(): Promise<void>;
  listen(port: number, host?: string): Promise<{ url: string }>;
  /** Stops timers, ends held polls, closes sockets (keep-alive too), then saves the state file. */
  close(): Promise<void>;
}

export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const log = (opts.logger ?? pino({ level: "silent" })).child({ module: "sandbox" });
  const file = opts.stateFile === undefined ? null : openStateFile(opts.stateFile);
  try {
    return buildSandbox(opts, log, file);
  } catch (err) {
    file?.abandon();
    throw err;
  }
}

function buildSandbox(opts: SandboxOptions, log: Logger, file: OpenedStateFile | null): Sandbox {
  const loaded = file?.loaded ?? null;
  const onTaskError = (err: unknown): void => log.error({ err }, "sandbox task failed");
  // A restarted sandbox keeps the time earlier advance() calls had moved its clock to.
  const clock = opts.clock ?? createSystemClock(onTaskError, loaded ? loaded.lastSave.at - loaded.lastSave.real : 0);
  if (loaded && opts.clock && opts.clock.now() < loaded.lastSave.at) {
    log.warn({ clock: opts.clock.now(), saved: loaded.lastSave.at }, "the given clock is behind the state file's sandbox time");
  }
  const state = new SandboxState();
  const idempotency = new IdempotencyStore(() => clock.now());
  if (loaded) restoreState(loaded.records, loaded.lastSave.seq, state, idempotency);
  const jwtKey = loaded?.identity.jwtKey ?? randomBytes(32);
  const faults = new FaultInjector();
  const shutdown = new AbortController();
  // Every held poll listens on it (and removes its listener when done): many at once is normal.
  setMaxListeners(0, shutdown.signal);
  const sender = new WebhookSender({ state, clock, faults, logger: log.child({ component: "webhooks" }), post: opts.webhookPoster ?? postWebhook });
  const engine = {
    state,
    clock,
    sender,
    logger: log,
    options: {
      settleDelayMs: opts.settleDelayMs ?? 200,
      chargeTooQuick: opts.chargeTooQuick ?? "live-only",
      duplicateChargeAs: opts.duplicateChargeAs ?? "error",
      testChargeDailyLimit: opts.testChargeDailyLimit === undefined ? 1440 : opts.testChargeDailyLimit,
      cardLock: opts.cardLock ?? "always",
      testRecurringTokenExpiry: opts.testRecurringTokenExpiry ?? true,
    },
  } as const;
  const payments = new PaymentProcessor(engine);
  const deps: SandboxDeps = {
    state,
    clock,
    logger: log,
    jwtKey,
    payments,
    tokens: new TokenService(engine, payments),
    sender,
    faults,
    idempotency,
    rateLimiter: opts.rateLimits === false ? null : new RateLimiter(() => clock.now(), scaledRateLimits(opts.rateLimitScale ?? 1)),
    shutdown: shutdown.signal,
    pollEvents: new EventEmitter(),
    platformId: loaded?.identity.platformId ?? newId(),
  };
  const createStore = (o: CreateStoreOptions): SandboxCredentials => createStoreWithCredentials(state, jwtKey, clock.now(), o);
  const plugins = [...(opts.subscriptions === false ? [] : [createSubscriptionPlugin({ retryCount: opts.subscriptionRetryCount })]), ...(opts.plugins ?? [])];
  const app = createApp(deps, {
    admin: createAdminRoutes(deps, createStore),
    linkForm: createLinkFormMiddleware(deps),
    api: [
      createInfoRoutes,
      createCustomerRoutes,
      createTokenRoutes,
      createChargeRoutes,
      createCancelRoutes,
      createRefundRoutes,
      createTransactionHistoryRoutes,
      createWebhookRoutes,
    ]
      .map((f) => f(deps))
      .concat(plugins.map((p) => p.createRoutes(deps))),
  });
  const demo =
    (loaded && credentialsOf(state, loaded.identity.demo.storeId, loaded.identity.demo.jti)) ||
    createStore({ name: "Sandbox demo store", mode: "test", pci: true, recurringPrivilege: "infinite", domains: ["localhost", "127.0.0.1"] });
  let persister: StatePersister | null = null;
  if (file) {
    if (loaded) {
      payments.resumeAfterLoad();
      deps.tokens.resumeAfterLoad();
      for (const p of plugins) p.resumeAfterLoad?.();
    }
    const identity = { jwtKey, platformId: deps.platformId, demo: { storeId: demo.storeId, jti: appTokenIdOf(state, demo.appToken) ?? "" } };
    persister = file.start({ state, idempotency, identity, sandboxNow: () => clock.now(), logger: log.child({ component: "state-file" }) });
  }
  let server: Server | undefined;

  const migrateCards = (storeId: string, count: number, cardNumber = "4000020000000000", o: { readonly cvvAuthorized?: boolean } = {}): string[] => {
    const store = state.stores.get(storeId);
    if (!store) throw new Error(`no store ${storeId}`);
    const body = parseInput(TokenCreateSchema, {
      payment_type: "card",
      type: "recurring",
      email: "migrated@example.com",
      data: {
        cardholder: "TARO YAMADA",
        card_number: cardNumber,
        exp_month: "12",
        exp_year: "2030",
        cvv: "123",
        ...(o.cvvAuthorized ? { cvv_authorize: { enabled: true } } : {}),
      },
    });
    return Array.from({ length: count }, () => deps.tokens.create(store, body, null).id);
  };

  const sandbox: Sandbox = {
    createStore,
    demo,
    migrateCards,
    clock,
    faults,
    webhookDeliveries: () => sender.attempts(),
    onWebhookAttempt: (l) => sender.onAttempt(l),
    onPollHeld: (l) => {
      deps.pollEvents.on("held", l);
      return () => deps.pollEvents.off("held", l);
    },
    stateFile: file && { path: file.file, loaded: loaded !== null },
    saveState: async () => {
      await persister?.saveNow();
    },
    async listen(port, host = "127.0.0.1") {
      if (server) throw new Error("sandbox already listening");
      const s = app.listen(port, host);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once("listening", resolve);
        s.once("error", reject);
      });
      const { port: bound } = s.address() as AddressInfo;
      return { url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}` };
    },
    async close() {
      shutdown.abort();
      sender.stop();
      clock.stop();
      for (const p of plugins) p.close?.();
      const s = server;
      server = undefined;
      if (s) {
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
      // Last: no request or task can change the state any more.
      await persister?.close();
    },
  };
  registerSandboxInternals(sandbox, { state, idempotency });
  return sandbox;
}
