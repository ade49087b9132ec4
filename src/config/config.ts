/**
 * Environment configuration, parsed once by the composition root (src/main.ts) and scripts.
 * Every invalid variable is reported at once; nothing falls back silently on a bad value, and a
 * missing variable never quietly turns production into the demo. No other module reads process.env.
 */
import { z } from "zod";
import { LOCK_MARGIN_MS } from "../notify/dispatcher";
import { databaseUrlProblem } from "./database-url";

const intFrom = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(def ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");
const optionalBool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === "true" || v === "1" || v === "yes"));
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);
/** GATEWAY_SECRET keys the request-key HMAC; shorter keys are guessable. */
export const MIN_GATEWAY_SECRET_LENGTH = 32;

export const ConfigSchema = z.object({
  /** 0 picks a free port (tests). */
  PORT: intFrom(8080, 0).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** The operator listener: /metrics, detailed readiness, the demo receiver. Never the merchants' port. */
  ADMIN_PORT: intFrom(9090, 0).pipe(z.number().max(65535)),
  ADMIN_HOST: z.string().min(1).default("127.0.0.1"),
  /** Bearer token for the admin listener; required when it listens beyond loopback. */
  ADMIN_TOKEN: z.string().min(16, "at least 16 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** `sqlite:<path>` (embedded, default) or `postgres://…` (production; several instances). */
  DATABASE_URL: z
    .string()
    .default("sqlite:./data/gateway.sqlite")
    .superRefine((u, ctx) => {
      const problem = databaseUrlProblem(u);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  /**
   * Demo mode: the embedded sandbox, the demo merchant 100001, the built-in kickback receiver.
   * Unset: demo exactly when neither MERCHANTS_FILE nor UNIVAPAY_BASE_URL is set.
   */
  DEMO: optionalBool,
  /** The new API. Unset only in demo mode. */
  UNIVAPAY_BASE_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), "must be an http:// or https:// URL")
    .optional(),
  UNIVAPAY_TIMEOUT_MS: intFrom(10_000, 100),
  /**
   * The end-to-end answer deadline of a legacy request: every UnivaPay call it makes (token,
   * charge, retries of a lost answer, polls) fits in it. Below the shortest merchant-side timeout
   * in the evidence (WordPress's default 5 s), so the merchant reads our answer, not its timeout.
   */
  ANSWER_DEADLINE_MS: intFrom(4_000, 500),
  /** At most this long of the answer deadline is spent waiting for a pending charge (0: answer as
   *  soon as it is created). */
  UNIVAPAY_POLL_DEADLINE_MS: intFrom(8_000, 0),
  /**
   * How long an identical legacy request is answered from the first one's result (a resend after
   * a lost answer). After it the same request is a new payment with a new pid: a merchant charging
   * a customer by hand each month with the same parameters is charged each month. 24 h: as long
   * as UnivaPay replays an Idempotency-Key, and far beyond any client's retry.
   */
  REPLAY_WINDOW_MS: intFrom(24 * 60 * 60 * 1000, 60_000),
  /**
   * The order guard (old P72P0D 重複決済防止): a new payment for a `sod` that already has a
   * pending, authorised or captured payment made within this window is refused. 0: off for every
   * merchant (a merchant can also turn it off with `orderGuard: false`).
   */
  ORDER_GUARD_WINDOW_MS: intFrom(24 * 60 * 60 * 1000, 0),
  UNIVAPAY_MAX_SOCKETS: intFrom(64, 1),
  /** YAML merchants file. Required unless in demo mode. */
  MERCHANTS_FILE: z.string().min(1).optional(),
  MAPPINGS_DIR: z.string().min(1).default("./mappings"),
  /** The gateway's public address (https://gw.ccps.jp) written into the served token script; unset:
   *  the script calls the host it was loaded from. */
  PUBLIC_URL: z.string().url().optional(),
  /** Where shoppers are sent for the link method: UnivaPay's checkout host
   *  (https://checkout.univapay.com when unset; in the demo, the embedded sandbox). */
  UNIVAPAY_CHECKOUT_URL: z.string().url().optional(),
  /**
   * How long a link-method payment may stay unpaid on UnivaPay's form before it ends as expired
   * (GOP005) with its kickback. 30 min: a checkout session's usual length; a charge made on the
   * form after it is refunded (README, decisions).
   */
  HOSTED_LINK_TTL_MS: intFrom(30 * 60 * 1000, 60_000),
  /** Link-method entries per minute, per client address (IPv6 by /64) and per merchant: each one
   *  records a payment that is watched until it ends, so a flood must not fill the store. Per
   *  address is generous because mobile carriers put many shoppers behind one address. */
  HOSTED_RATE_PER_IP_PER_MIN: intFrom(60, 1),
  HOSTED_RATE_PER_SID_PER_MIN: intFrom(1200, 1),
  /** Returns from the form per minute per client address: each may look the charge up at UnivaPay
   *  (a processing page reloads 30 times a minute). */
  HOSTED_RETURN_RATE_PER_IP_PER_MIN: intFrom(240, 1),
  /** PEM private key(s) of the token wire protocol, current first (src/token/token-keys.ts). */
  TOKEN_RSA_PRIVATE_KEYS: z.string().min(1).optional(),
  /** The token endpoints' limits per minute: per client address, and per merchant (card testing). */
  TOKEN_RATE_PER_IP_PER_MIN: intFrom(10, 1),
  TOKEN_RATE_PER_SID_PER_MIN: intFrom(120, 1),
  /** Keys the HMAC that identifies a legacy request (idempotency). Required unless in demo mode. */
  GATEWAY_SECRET: z.string().min(MIN_GATEWAY_SECRET_LENGTH, `at least ${MIN_GATEWAY_SECRET_LENGTH} characters`).optional(),
  /** Demo mode only: where the embedded sandbox keeps its state, so payments survive a restart. */
  SANDBOX_STATE_FILE: z.string().default("./data/demo-sandbox.jsonl"),
  /** Demo mode only: kickback URL of the demo merchant; default the built-in receiver. */
  DEMO_KICKBACK_URL: z.string().url().optional(),
  /** Allow kickback URLs on loopback/private networks (local development). Off: SSRF guard. */
  KICKBACK_ALLOW_PRIVATE_NETWORKS: bool(false),
  /**
   * How long a merchant's kickback handler may take. 40 s: the EC-CUBE legacy plugin sends an
   * order mail in its handler (11 s measured) and a timeout means a second delivery and a second
   * mail; PHP stops a handler at 30 s by default (max_execution_time), and the WooCommerce legacy
   * plugin itself waits 40 s for the gateway. A slow merchant holds one send slot, not the others.
   */
  KICKBACK_TIMEOUT_MS: intFrom(40_000, 100),
  KICKBACK_RETRY_BASE_MS: intFrom(10_000, 1),
  KICKBACK_RETRY_FACTOR: z.coerce.number().min(1).default(2),
  KICKBACK_RETRY_MAX_DELAY_MS: intFrom(3_600_000, 1),
  KICKBACK_MAX_ATTEMPTS: intFrom(30, 1),
  KICKBACK_RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  KICKBACK_CONCURRENCY: intFrom(64, 1),
  KICKBACK_POLL_MS: intFrom(500, 10),
  /** Lease on a claimed kickback: if its worker dies mid-delivery, another may send it after this. */
  KICKBACK_LOCK_MS: intFrom(60_000, 100),
  /** Largest legacy request accepted (query string or body), in bytes. */
  LEGACY_MAX_BYTES: intFrom(32_768, 1024),
  /** Trust X-Forwarded-For for the source-IP check (only behind a known proxy). */
  TRUST_PROXY: bool(false),
  /** Open connections on the merchants' port, in all and per client address (0: no per-client bound). */
  MAX_CONNECTIONS: intFrom(10_000, 1),
  MAX_CONNECTIONS_PER_CLIENT: intFrom(256, 0),
  /** A connection must deliver its request line and headers within this time. */
  HEADERS_TIMEOUT_MS: intFrom(10_000, 100),
  /** … and its whole request (body included) within this one. */
  REQUEST_TIMEOUT_MS: intFrom(30_000, 100),
  /** On SIGTERM, how long requests in flight may take to finish before connections are cut. */
  SHUTDOWN_GRACE_MS: intFrom(30_000, 0),
  WEBHOOK_POLL_MS: intFrom(200, 10),
  /** How often open payments/operations that stopped moving are re-fetched from UnivaPay. */
  RECONCILE_INTERVAL_MS: intFrom(60_000, 100),
  /** An open row untouched for this long is reconciled (its webhook may never come). */
  RECONCILE_STALE_AFTER_MS: intFrom(120_000, 1000),
});

type ParsedConfig = z.infer<typeof ConfigSchema>;

/** Demo when asked for, or when nothing at all is configured. */
function demoOf(c: ParsedConfig): boolean {
  return c.DEMO ?? (c.MERCHANTS_FILE === undefined && c.UNIVAPAY_BASE_URL === undefined);
}

/** Cross-field rules, reported together with the per-variable ones. */
const CheckedConfigSchema = ConfigSchema.superRefine((c, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (c.KICKBACK_LOCK_MS < c.KICKBACK_TIMEOUT_MS + LOCK_MARGIN_MS) {
    // A lease shorter than one attempt would let a second worker resend a kickback still in flight.
    issue("KICKBACK_LOCK_MS", `must be at least KICKBACK_TIMEOUT_MS + ${LOCK_MARGIN_MS}`);
  }
  if (c.RECONCILE_STALE_AFTER_MS <= c.UNIVAPAY_POLL_DEADLINE_MS + c.UNIVAPAY_TIMEOUT_MS) {
    // Reconciling a payment whose legacy request is still waiting would only duplicate its work.
    issue("RECONCILE_STALE_AFTER_MS", "must be greater than UNIVAPAY_POLL_DEADLINE_MS + UNIVAPAY_TIMEOUT_MS");
  }
  if (c.RECONCILE_STALE_AFTER_MS <= c.ANSWER_DEADLINE_MS) {
    // The reconciler treats an open creation older than the deadline as answered "failure".
    issue("RECONCILE_STALE_AFTER_MS", "must be greater than ANSWER_DEADLINE_MS");
  }
  if (c.REQUEST_TIMEOUT_MS < c.HEADERS_TIMEOUT_MS) issue("REQUEST_TIMEOUT_MS", "must be at least HEADERS_TIMEOUT_MS");
  if (c.SHUTDOWN_GRACE_MS < 2 * c.UNIVAPAY_TIMEOUT_MS + c.UNIVAPAY_POLL_DEADLINE_MS) {
    // A payment's longest path (token + charge create, then the poll) must fit, or a stop would
    // cut merchants off from answers about money that moved.
    issue("SHUTDOWN_GRACE_MS", "must be at least 2 × UNIVAPAY_TIMEOUT_MS + UNIVAPAY_POLL_DEADLINE_MS");
  }
  if (!LOOPBACK_HOSTS.has(c.ADMIN_HOST) && c.ADMIN_TOKEN === undefined) {
    issue("ADMIN_TOKEN", `required when ADMIN_HOST (${c.ADMIN_HOST}) is not a loopback address: /metrics must not be open to the network`);
  }
  if (demoOf(c)) {
    if (c.DEMO === true && (c.MERCHANTS_FILE !== undefined || c.UNIVAPAY_BASE_URL !== undefined)) {
      issue("DEMO", "DEMO=true runs the embedded sandbox and the demo merchant only; unset MERCHANTS_FILE and UNIVAPAY_BASE_URL");
    }
    return;
  }
  // Not the demo: everything the demo would have made up must be given.
  if (c.DEMO === false && c.MERCHANTS_FILE === undefined && c.UNIVAPAY_BASE_URL === undefined) {
    issue("MERCHANTS_FILE", "DEMO=false but no merchants are configured: set MERCHANTS_FILE and UNIVAPAY_BASE_URL");
  }
  if (c.UNIVAPAY_BASE_URL === undefined) {
    issue(
      "UNIVAPAY_BASE_URL",
      "required outside demo mode (the embedded sandbox never serves a merchants file): set it to UnivaPay's API URL, or to a sandbox started with `npm run sandbox`",
    );
  }
  if (c.GATEWAY_SECRET === undefined) {
    issue(
      "GATEWAY_SECRET",
      `required outside demo mode: a random value of at least ${MIN_GATEWAY_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`), the same on every instance and kept across restarts`,
    );
  }
  if (c.DEMO_KICKBACK_URL !== undefined) issue("DEMO_KICKBACK_URL", "only used in demo mode");
});

export type Config = Readonly<ParsedConfig & { readonly demo: boolean }>;

/** Parses the environment; throws one Error listing every invalid variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = CheckedConfigSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  return Object.freeze({ ...r.data, demo: demoOf(r.data) });
}
