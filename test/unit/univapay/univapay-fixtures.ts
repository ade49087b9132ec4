/**
 * Test builders for UnivaPay resources and a deterministic client harness (fake clock, recorded
 * sleeps, captured log lines). Plain functions with overrides; no network, no real timers.
 */
import { Writable } from "node:stream";
import { createLogger, Logger, Secret } from "../../../src/logging/logger";
import { createUnivapayClient, UnivapayClient, UnivapayClientOptions, UnivapayCredentials } from "../../../src/univapay/univapay-client";

export const BASE_URL = "https://api.univapay.test";
export const STORE_ID = "11ef0000-0000-0000-0000-000000000001";
export const CHARGE_ID = "11ef1288-399b-0000-0000-000000000002";
export const TOKEN_ID = "11ef1288-37b0-0000-0000-000000000003";
export const JWT = "eyJhbGciOiJIUzI1NiJ9.test-jwt.sig";
export const SECRET = "s3cr3t-value";

export function buildCredentials(overrides: Partial<UnivapayCredentials> = {}): UnivapayCredentials {
  return { appToken: new Secret(JWT), secret: new Secret(SECRET), storeId: STORE_ID, ...overrides };
}

export function buildCharge(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: CHARGE_ID,
    store_id: STORE_ID,
    transaction_token_id: TOKEN_ID,
    transaction_token_type: "one_time",
    subscription_id: null,
    requested_amount: 1000,
    requested_currency: "JPY",
    requested_amount_formatted: 1000,
    charged_amount: null,
    charged_currency: null,
    status: "pending",
    error: null,
    metadata: { "univapay-reference-id": "order-1" },
    mode: "test",
    capture_at: null,
    created_on: "2024-05-15T06:56:12.852465Z",
    redirect: {},
    ...overrides,
  };
}

export function buildToken(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: TOKEN_ID,
    store_id: STORE_ID,
    email: "buyer@example.com",
    payment_type: "card",
    active: true,
    mode: "test",
    type: "one_time",
    usage_limit: null,
    confirmed: null,
    metadata: {},
    data: { card: { card_bin: "424242", last_four: "4242", brand: "visa" } },
    created_on: "2024-05-15T06:56:12Z",
    ...overrides,
  };
}

export interface Harness {
  readonly client: UnivapayClient;
  /** Every sleep the client asked for, in order (ms). */
  readonly sleeps: number[];
  /** Raw JSON log lines. */
  readonly logs: string[];
  now(): number;
  advance(ms: number): void;
}

/** A trace-level logger (with the production redaction) whose JSON lines land in `logs`. */
export function createCapturingLogger(): { logger: Logger; logs: string[] } {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString("utf8"));
      cb();
    },
  });
  return { logger: createLogger({ level: "trace", destination }), logs };
}

/** A client whose clock only moves when it sleeps (or the test advances it). */
export function createHarness(opts: Partial<UnivapayClientOptions> = {}): Harness {
  let t = 1_700_000_000_000;
  const sleeps: number[] = [];
  const { logger, logs } = createCapturingLogger();
  const client = createUnivapayClient({
    baseUrl: BASE_URL,
    timeoutMs: 5_000,
    logger,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    random: () => 0.5,
    ...opts,
  });
  return { client, sleeps, logs, now: () => t, advance: (ms) => (t += ms) };
}
