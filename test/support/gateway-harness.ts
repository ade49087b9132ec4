/**
 * Starts the real gateway (SQLite or PostgreSQL) against the real sandbox over HTTP, with a real
 * merchant kickback receiver. Background loops are off: a test drives the dispatcher and the
 * webhook processor with tick(), and moves the gateway's clock with advance(), so nothing
 * depends on timing. Webhook deliveries and "wake" calls still run as they do in production.
 */
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import axios from "axios";
import { Client } from "pg";
import { loadConfig } from "../../src/config/config";
import type { Merchant } from "../../src/config/merchants";
import { ensureDemoMembers } from "../../src/demo/demo-setup";
import { startGateway, type Gateway } from "../../src/gateway";
import { registerWebhook } from "../../src/webhooks/register-webhook";
import { createLogger, Secret } from "../../src/logging/logger";
import { createSandbox, type Sandbox, type SandboxOptions, type WebhookDeliveryAttempt } from "../../src/sandbox/sandbox";
import type { LegacyCharset } from "../../src/domain/legacy-charset";
import type { TransitionKind } from "../../src/transitions/transition-kind";
import { startKickbackReceiver } from "./kickback-receiver";
import { createServer } from "node:net";

export const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export type Db = "sqlite" | "postgres";
export const DATABASES: Db[] = ["sqlite", "postgres"];

export interface HarnessOptions {
  readonly db: Db;
  readonly sid?: string;
  readonly charset?: LegacyCharset | "auto";
  readonly receiverScript?: number[];
  readonly sandbox?: SandboxOptions;
  readonly pollDeadlineMs?: number;
  /** The merchant reads rst=0 as accepted (merchants file `acceptsPending`); default false. */
  readonly acceptsPending?: boolean;
  readonly allowedIps?: string[];
  /** The card-token script for the merchant (default off). */
  readonly tokenScript?: { origins: string[]; fallbackEmail: string };
  /** The link method for the merchant (the store's sandbox link form; PUBLIC_URL set to the
   *  gateway's own address); default off. */
  readonly hostedPage?: {
    readonly sourceOrigins: string[];
    readonly returnUrls: Record<string, string>;
    readonly backUrls?: Record<string, string>;
    readonly allowMissingReferer?: boolean;
  };
  /** The PCI gateway method (card data on payment.aspx); default true. */
  readonly gatewayCardPayments?: boolean;
  readonly env?: Record<string, string>;
  /** Transition kinds to run instead of the shipped ones (a test adds its own). */
  readonly kinds?: readonly TransitionKind[];
  /** The gateway reads the sandbox's clock (its offset included): advancing the sandbox's clock
   *  moves both, as auto-billing tests need (due dates, the reconciler's sync times). */
  readonly sharedClock?: boolean;
  /** Collects the gateway's log lines (parsed JSON) at debug level, instead of silence. */
  readonly logLines?: Array<Record<string, unknown>>;
}

export type Receiver = Awaited<ReturnType<typeof startKickbackReceiver>>;

export interface Harness {
  readonly gateway: Gateway;
  readonly sandbox: Sandbox;
  /** The sandbox's base URL, for a test's own REST calls. */
  readonly sandboxUrl: string;
  readonly receiver: Receiver;
  readonly merchant: Merchant;
  readonly sid: string;
  /** Moves the gateway's clock (retry schedules) forward. */
  advance(ms: number): void;
  /** Runs the webhook processor then the dispatcher until both are idle. */
  drain(): Promise<void>;
  /** Resolves once the sandbox has delivered (HTTP 200) a webhook about `resourceId` to the gateway. */
  waitForWebhook(resourceId: string, event?: string): Promise<void>;
  /** The store's charges, read through the sandbox's REST API like any client. */
  listCharges(): Promise<Array<{ id: string; status: string; metadata: Record<string, unknown> }>>;
  /** The store's transaction tokens (first 100), read through the sandbox's REST API. */
  listTokens(): Promise<Array<{ id: string; type: string }>>;
  /** A charge's refunds, read through the sandbox's REST API. */
  listRefunds(chargeId: string): Promise<Array<{ id: string; status: string; amount: number }>>;
  /** The store's subscriptions (first 100), read through the sandbox's REST API. */
  listSubscriptions(): Promise<Array<{ id: string; status: string; metadata: Record<string, unknown> }>>;
  close(): Promise<void>;
}

/** A port free right now (the OS picks it; closed again at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const p = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const sandbox = createSandbox({ settleDelayMs: 20, ...opts.sandbox });
  const sandboxUrl = (await sandbox.listen(0, "127.0.0.1")).url;
  const receiver = await startKickbackReceiver(opts.receiverScript ?? [200]);
  const creds = sandbox.createStore({ name: "shop", mode: "test", pci: true, recurringPrivilege: "infinite" });
  const sid = opts.sid ?? "200001";
  const merchant: Merchant = {
    sid,
    name: "test shop",
    mode: "test",
    credentials: { storeId: creds.storeId, appToken: new Secret(creds.appToken), secret: new Secret(creds.secret) },
    webhookToken: new Secret(randomBytes(16).toString("hex")),
    kickbackUrl: receiver.url,
    kickbackUrls: {},
    charset: opts.charset ?? "auto",
    returnUrls: opts.hostedPage?.returnUrls ?? {},
    allowedSources: undefined,
    gatewayCardPayments: opts.gatewayCardPayments ?? true,
    ...(opts.hostedPage
      ? {
          hostedPage: {
            formId: creds.linkFormId,
            appId: creds.appToken,
            sourceOrigins: opts.hostedPage.sourceOrigins,
            backUrls: opts.hostedPage.backUrls ?? {},
            allowMissingReferer: opts.hostedPage.allowMissingReferer ?? false,
          },
        }
      : {}),
    ...(opts.tokenScript ? { tokenScript: opts.tokenScript } : {}),
    acceptsPending: opts.acceptsPending ?? false,
  };
  if (opts.allowedIps) {
    const { BlockList } = await import("node:net");
    const list = new BlockList();
    for (const ip of opts.allowedIps) list.addAddress(ip);
    (merchant as { allowedSources: unknown }).allowedSources = list;
  }
  const schema = opts.db === "postgres" ? `it_${randomBytes(6).toString("hex")}` : undefined;
  const dbUrl = opts.db === "postgres" ? PG_URL : `sqlite:${tmpdir()}/gw-it-${randomBytes(6).toString("hex")}.sqlite`;
  // UnivaPay's form sends the shopper back to PUBLIC_URL, so the gateway's port is chosen first.
  const port = opts.hostedPage ? await freePort() : 0;
  const config = loadConfig({
    PORT: String(port),
    ...(opts.hostedPage ? { PUBLIC_URL: `http://127.0.0.1:${port}`, UNIVAPAY_CHECKOUT_URL: sandboxUrl } : {}),
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    ADMIN_PORT: "0",
    DATABASE_URL: dbUrl,
    UNIVAPAY_BASE_URL: sandboxUrl,
    GATEWAY_SECRET: "harness-secret-0123456789abcdef0123456789",
    UNIVAPAY_POLL_DEADLINE_MS: String(opts.pollDeadlineMs ?? 5000),
    KICKBACK_ALLOW_PRIVATE_NETWORKS: "true",
    KICKBACK_TIMEOUT_MS: "2000",
    ...opts.env,
  });
  let offset = 0;
  const gateway = await startGateway(config, {
    logger: opts.logLines
      ? createLogger({ level: "debug", destination: { write: (l: string) => void opts.logLines?.push(JSON.parse(l) as Record<string, unknown>) } })
      : createLogger({ level: "silent" }),
    merchants: [merchant],
    ...(schema ? { pgSchema: schema } : {}),
    now: opts.sharedClock ? () => new Date(sandbox.clock.now()) : () => new Date(Date.now() + offset),
    background: false,
    ...(opts.kinds ? { kinds: opts.kinds } : {}),
  });
  await registerWebhook(gateway.deps.client, merchant, `${gateway.url}/webhooks/univapay`);
  await ensureDemoMembers(gateway.deps.client, gateway.store, merchant, createLogger({ level: "silent" }));

  return {
    gateway,
    sandbox,
    sandboxUrl,
    receiver,
    merchant,
    sid,
    advance(ms) {
      offset += ms;
    },
    async drain() {
      for (let i = 0; i < 20; i++) {
        const n = (await gateway.processor.tick()) + (await gateway.dispatcher.tick());
        if (n === 0) return;
      }
    },
    waitForWebhook(resourceId, event) {
      const match = (a: WebhookDeliveryAttempt) => a.resourceId === resourceId && a.status === 200 && (!event || a.event === event);
      if (sandbox.webhookDeliveries().some(match)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => (off(), reject(new Error(`no webhook for ${resourceId}`))), 20_000);
        const off = sandbox.onWebhookAttempt((a) => {
          if (!match(a)) return;
          clearTimeout(timer);
          off();
          resolve();
        });
      });
    },
    async listCharges() {
      const res = await axios.get(`${sandboxUrl}/stores/${creds.storeId}/charges?limit=100`, {
        headers: { Authorization: `Bearer ${creds.secret}.${creds.appToken}` },
      });
      return res.data.items;
    },
    async listTokens() {
      const res = await axios.get(`${sandboxUrl}/stores/${creds.storeId}/tokens?limit=100`, {
        headers: { Authorization: `Bearer ${creds.secret}.${creds.appToken}` },
      });
      return res.data.items;
    },
    async listRefunds(chargeId) {
      const res = await axios.get(`${sandboxUrl}/stores/${creds.storeId}/charges/${chargeId}/refunds?limit=100`, {
        headers: { Authorization: `Bearer ${creds.secret}.${creds.appToken}` },
      });
      return res.data.items;
    },
    async listSubscriptions() {
      const res = await axios.get(`${sandboxUrl}/stores/${creds.storeId}/subscriptions?limit=100`, {
        headers: { Authorization: `Bearer ${creds.secret}.${creds.appToken}` },
      });
      return res.data.items;
    },
    async close() {
      await gateway.close();
      await sandbox.close();
      await receiver.close();
      if (schema) {
        const c = new Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
    },
  };
}
