/**
 * Environment configuration, parsed once by the composition root (src/main.ts) and scripts.
 * Every invalid variable is reported at once; nothing falls back silently on a bad value.
 * No other module reads process.env.
 */
import { z } from "zod";

const intFrom = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(def ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");

export const ConfigSchema = z.object({
  /** 0 picks a free port (tests). */
  PORT: intFrom(8080, 0).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default("0.0.0.0"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** `sqlite:<path>` (embedded, default) or `postgres://…` (production; several instances). */
  DATABASE_URL: z.string().min(1).default("sqlite:./data/gateway.sqlite"),
  /** Unset: an embedded sandbox of the new API is started on loopback (demo / development). */
  UNIVAPAY_BASE_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), "must be an http:// or https:// URL")
    .optional(),
  UNIVAPAY_TIMEOUT_MS: intFrom(10_000, 100),
  /** How long a legacy request waits for the charge to leave `pending` before answering rst=0. */
  UNIVAPAY_POLL_DEADLINE_MS: intFrom(8_000, 0),
  UNIVAPAY_MAX_SOCKETS: intFrom(64, 1),
  /** YAML merchants file; unset with the embedded sandbox: the demo merchant sid=100001 only. */
  MERCHANTS_FILE: z.string().min(1).optional(),
  MAPPINGS_DIR: z.string().min(1).default("./mappings"),
  /** Kickback URL of the demo merchant (embedded sandbox only); default: the built-in demo receiver. */
  DEMO_KICKBACK_URL: z.string().url().optional(),
  /** Allow kickback URLs on loopback/private networks (tests, demo). Off in production: SSRF guard. */
  KICKBACK_ALLOW_PRIVATE_NETWORKS: bool(false),
  KICKBACK_TIMEOUT_MS: intFrom(10_000, 100),
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
  WEBHOOK_POLL_MS: intFrom(200, 10),
  /** How often open payments/operations that stopped moving are re-fetched from UnivaPay. */
  RECONCILE_INTERVAL_MS: intFrom(60_000, 100),
  /** An open row untouched for this long is reconciled (its webhook may never come). */
  RECONCILE_STALE_AFTER_MS: intFrom(120_000, 1000),
});

/** Cross-field rules, reported together with the per-variable ones. */
const CheckedConfigSchema = ConfigSchema.superRefine((c, ctx) => {
  if (c.KICKBACK_LOCK_MS <= c.KICKBACK_TIMEOUT_MS) {
    // A lease shorter than one attempt would let a second worker resend a kickback still in flight.
    ctx.addIssue({ code: "custom", path: ["KICKBACK_LOCK_MS"], message: "must be greater than KICKBACK_TIMEOUT_MS" });
  }
  if (c.RECONCILE_STALE_AFTER_MS <= c.UNIVAPAY_POLL_DEADLINE_MS + c.UNIVAPAY_TIMEOUT_MS) {
    // Reconciling a payment whose legacy request is still waiting would only duplicate its work.
    ctx.addIssue({
      code: "custom",
      path: ["RECONCILE_STALE_AFTER_MS"],
      message: "must be greater than UNIVAPAY_POLL_DEADLINE_MS + UNIVAPAY_TIMEOUT_MS",
    });
  }
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

/** Parses the environment; throws one Error listing every invalid variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = CheckedConfigSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  return Object.freeze(r.data);
}
