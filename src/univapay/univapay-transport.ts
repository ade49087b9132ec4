/**
 * The HTTP half of the UnivaPay client: auth headers, keep-alive sockets, client-side rate
 * limiting, bounded retries and zod validation of every answer. It retries only what is provably
 * safe (GETs, and 429s, which UnivaPay did not process); it never retries a POST/PATCH that may
 * have been processed, never invents an Idempotency-Key, and never logs bodies or credentials.
 */
import http from "node:http";
import https from "node:https";
import { z } from "zod";
import { AppError } from "../errors/app-error";
import type { Logger, Secret } from "../logging/logger";
import { backoffDelay, parseRetryAfter } from "./backoff-delay";
import { exchangeOrigin, httpExchange, type ExchangeResponse } from "./http-exchange";
import { createRateLimiter, HeaderReader, RateClass, rateClassOf } from "./rate-limiter";
import { CallContext, classifyTransportError, parseApiErrorBody, rejectedError, unavailableError, upstreamCodeOf } from "./univapay-errors";
import { POLL_HOLD_MS } from "./wait-until-final";

export interface UnivapayCredentials {
  /** The store app token (JWT). */
  readonly appToken: Secret;
  readonly secret: Secret;
  readonly storeId: string;
}

export interface UnivapayTransportOptions {
  readonly baseUrl: string;
  /** Per HTTP attempt; a `?polling=true` GET gets POLL_HOLD_MS on top (the server holds it). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly maxSockets?: number;
  /** Extra attempts for a failed GET (5xx, timeout, network). Default 3. */
  readonly getRetries?: number;
  /** Longest we wait for our own rate-limit bucket or a 429 backoff before failing fast. Default 2000. */
  readonly maxRateLimitWaitMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** One logical API call; the transport may send it several times (GET retries, 429). */
export interface Call<T> extends CallContext {
  readonly path: string;
  readonly creds?: UnivapayCredentials;
  readonly idempotencyKey?: string;
  readonly body?: unknown;
  readonly polling?: boolean;
  readonly schema: z.ZodType<T>;
  /** Whether an empty 2xx body is valid (parsed as `{}`). */
  readonly allowEmpty?: boolean;
  /** One attempt only (heartbeat: /readyz wants the current truth). */
  readonly noRetry?: boolean;
  /** Epoch ms (same clock as `now`) by which the call must be answered, retries and waits
   *  included: each attempt's timeout is cut to what is left, and nothing starts after it. */
  readonly deadlineAt?: number;
}

type Step<T> = { kind: "done"; value: T } | { kind: "retry"; delayMs: number } | { kind: "fail"; error: AppError };
interface Counters {
  serverErrors: number;
  throttled: number;
}

const MAX_429_RETRIES = 3;
const GET_RETRY_BASE_MS = 200;
const THROTTLE_RETRY_BASE_MS = 250;
const MAX_RESPONSE_BYTES = 1_048_576;

export interface UnivapayTransport {
  /** Sends `call` (with rate limiting and safe retries) and returns the validated body. @throws AppError */
  request<T>(call: Call<T>): Promise<T>;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
  /** Destroys the keep-alive agents. */
  close(): void;
}

export function createUnivapayTransport(opts: UnivapayTransportOptions): UnivapayTransport {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const getRetries = opts.getRetries ?? 3;
  const maxWait = opts.maxRateLimitWaitMs ?? 2_000;
  const log = opts.logger.child({ module: "univapay.client" });
  const limiter = createRateLimiter(now);
  /** Stores whose credentials were refused: log ERROR once, not on every request. */
  const authFailedStores = new Set<string>();
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 64 };
  const httpAgent = new http.Agent(agentOpts);
  const httpsAgent = new https.Agent(agentOpts);
  const origin = exchangeOrigin(opts.baseUrl);
  const agents = { http: httpAgent, https: httpsAgent };

  /** Time left before the call's deadline (Infinity without one). */
  const left = (call: Call<unknown>): number => (call.deadlineAt === undefined ? Infinity : call.deadlineAt - now());
  const attemptTimeout = (call: Call<unknown>): number =>
    Math.max(1, Math.min(call.polling === true ? opts.timeoutMs + POLL_HOLD_MS : opts.timeoutMs, left(call)));

  function send<T>(call: Call<T>): Promise<ExchangeResponse> {
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "ccps-gateway" };
    if (call.creds) headers.Authorization = authorization(call.creds);
    if (call.body !== undefined) headers["Content-Type"] = "application/json";
    if (call.idempotencyKey !== undefined) headers["Idempotency-Key"] = call.idempotencyKey;
    const polling = call.polling === true ? `${call.path.includes("?") ? "&" : "?"}polling=true` : "";
    // No proxy support on purpose: proxy env vars would silently reroute payment traffic.
    return httpExchange({
      method: call.method,
      origin,
      path: `${call.path}${polling}`,
      headers,
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      timeoutMs: attemptTimeout(call),
      maxResponseBytes: MAX_RESPONSE_BYTES,
      agents,
    });
  }

  async function takeRateSlot(call: Call<unknown>, cls: RateClass): Promise<void> {
    if (!call.creds) return;
    const wait = limiter.acquire(call.creds.storeId, cls, Math.min(maxWait, Math.max(0, left(call))));
    if (wait === null) {
      log.warn({ method: call.method, route: call.route, storeId: call.creds.storeId, rateClass: cls }, "univapay rate limit reached, failing fast");
      throw unavailableError(call, "client-side rate limit reached", { code: "RATE_LIMITED", processedMaybe: false });
    }
    if (wait > 0) await sleep(wait);
  }

  async function request<T>(call: Call<T>): Promise<T> {
    if (call.method !== "GET" && !call.idempotencyKey) {
      throw new Error(`Idempotency-Key is required for ${call.method} ${call.route}`);
    }
    const cls = rateClassOf(call.method, call.path);
    const counters: Counters = { serverErrors: 0, throttled: 0 };
    for (;;) {
      // Nothing is sent once the deadline has passed: the caller's answer is due.
      if (left(call) <= 0) throw unavailableError(call, "answer deadline reached before sending", { processedMaybe: false, timeout: true });
      await takeRateSlot(call, cls);
      const step = await attempt(call, cls, counters);
      if (step.kind === "done") return step.value;
      if (step.kind === "fail") throw step.error;
      if (step.delayMs >= left(call)) throw unavailableError(call, "answer deadline reached before a retry", { processedMaybe: false, timeout: true });
      await sleep(step.delayMs);
    }
  }

  async function attempt<T>(call: Call<T>, cls: RateClass, counters: Counters): Promise<Step<T>> {
    const startedAt = now();
    let res: ExchangeResponse;
    try {
      res = await send(call);
    } catch (err) {
      const t = classifyTransportError(err);
      log.warn({ method: call.method, route: call.route, code: t.code, durationMs: now() - startedAt }, "univapay call failed");
      if (canRetryGet(call, counters)) return { kind: "retry", delayMs: backoffDelay(counters.serverErrors++, GET_RETRY_BASE_MS, random) };
      return { kind: "fail", error: unavailableError(call, t.code, { processedMaybe: t.maybeSent, timeout: t.timeout, cause: t.cause }) };
    }
    const header = headerReader(res);
    const text = res.text;
    // Guarded: the argument object alone showed in profiles at a thousand calls a second.
    if (log.isLevelEnabled("debug")) {
      log.debug(
        { method: call.method, route: call.route, status: res.status, durationMs: now() - startedAt, idempotencyStatus: header("idempotency-status") },
        "univapay call",
      );
    }
    if (call.creds) limiter.syncFromHeaders(call.creds.storeId, cls, header);
    if (header("idempotency-status") === "error") {
      log.warn({ method: call.method, route: call.route }, "univapay idempotency cache failed; request was executed");
    }
    return classifyResponse(call, res.status, text, header, counters);
  }

  function classifyResponse<T>(call: Call<T>, status: number, text: string, header: HeaderReader, counters: Counters): Step<T> {
    if (status >= 200 && status < 300) {
      if (call.creds) authFailedStores.delete(call.creds.storeId);
      return parseSuccess(call, status, text);
    }
    if (status === 429) return onThrottled(call, text, header, counters);
    if (status >= 500) {
      const code = upstreamCodeOf(status, parseApiErrorBody(text));
      log.warn({ method: call.method, route: call.route, status, upstreamCode: code }, "univapay server error");
      if (canRetryGet(call, counters)) return { kind: "retry", delayMs: backoffDelay(counters.serverErrors++, GET_RETRY_BASE_MS, random) };
      return { kind: "fail", error: unavailableError(call, `HTTP ${status}`, { status, code, processedMaybe: true }) };
    }
    if (status >= 400) {
      const error = rejectedError(call, status, text);
      logRejection(call, error);
      return { kind: "fail", error };
    }
    // 1xx/3xx: not part of the API (redirects are never followed). Treat as "may have happened".
    return { kind: "fail", error: unavailableError(call, `unexpected HTTP ${status}`, { status, processedMaybe: true }) };
  }

  function canRetryGet(call: Call<unknown>, counters: Counters): boolean {
    return call.method === "GET" && call.noRetry !== true && counters.serverErrors < getRetries;
  }

  /** 429: UnivaPay did not process the request, so resending (same Idempotency-Key) is safe. */
  function onThrottled<T>(call: Call<T>, text: string, header: HeaderReader, counters: Counters): Step<T> {
    const code = upstreamCodeOf(429, parseApiErrorBody(text));
    if (code === "SERVICE_RESTRICTED") {
      // IP-level lock for ~12 h after repeated payment failures (§1.5): retrying only extends it.
      log.error({ method: call.method, route: call.route }, "univapay restricted this gateway's IP");
      return { kind: "fail", error: withRetryable(unavailableError(call, code, { status: 429, code, processedMaybe: false }), false) };
    }
    const delayMs = parseRetryAfter(header("retry-after"), now()) ?? backoffDelay(counters.throttled, THROTTLE_RETRY_BASE_MS, random);
    if (counters.throttled >= MAX_429_RETRIES || call.noRetry === true || delayMs > maxWait) {
      log.warn({ method: call.method, route: call.route, attempts: counters.throttled + 1 }, "univapay rate limited, giving up");
      return { kind: "fail", error: unavailableError(call, "rate limited (429)", { status: 429, code, processedMaybe: false }) };
    }
    counters.throttled++;
    log.warn({ method: call.method, route: call.route, delayMs }, "univapay rate limited, retrying");
    return { kind: "retry", delayMs };
  }

  function parseSuccess<T>(call: Call<T>, status: number, text: string): Step<T> {
    // No JSON SyntaxError as cause: its message quotes the body.
    const malformed = (why: string, cause?: unknown): Step<T> => {
      log.error({ method: call.method, route: call.route, status, why }, "univapay response malformed");
      return { kind: "fail", error: unavailableError(call, `malformed response: ${why}`, { status, processedMaybe: true, cause }) };
    };
    let json: unknown = {};
    if (text.trim() !== "") {
      try {
        json = JSON.parse(text);
      } catch {
        return malformed("body is not JSON");
      }
    } else if (call.allowEmpty !== true) {
      return malformed("empty body");
    }
    const r = call.schema.safeParse(json);
    if (!r.success) {
      // Paths and messages only: zod messages name types, never the (possibly sensitive) values.
      return malformed(r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), r.error);
    }
    return { kind: "done", value: r.data };
  }

  function logRejection(call: Call<unknown>, error: AppError): void {
    const fields = { method: call.method, route: call.route, status: error.opts.upstream?.httpStatus, upstreamCode: error.opts.upstream?.code };
    if (error.opts.upstream?.httpStatus === 401 && call.creds && !authFailedStores.has(call.creds.storeId)) {
      authFailedStores.add(call.creds.storeId);
      log.error({ ...fields, storeId: call.creds.storeId }, "univapay refused the store credentials");
      return;
    }
    log.info({ ...fields, upstreamFields: error.opts.upstream?.fields }, "univapay rejected request");
  }

  return {
    request,
    now,
    sleep,
    logger: log,
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** `Bearer {secret}.{jwt}`, or `Bearer {jwt}` when no secret is configured (api doc §1.2). */
function authorization(c: UnivapayCredentials): string {
  const secret = c.secret.reveal();
  const jwt = c.appToken.reveal();
  return secret === "" ? `Bearer ${jwt}` : `Bearer ${secret}.${jwt}`;
}

function headerReader(res: ExchangeResponse): HeaderReader {
  return (name) => {
    const v: unknown = res.headers[name.toLowerCase()];
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    if (Array.isArray(v) && typeof v[0] === "string") return v[0];
    return undefined;
  };
}

/** The SERVICE_RESTRICTED lock lasts hours: a "retryable" flag would make the outbox hammer it. */
function withRetryable(e: AppError, retryable: boolean): AppError {
  return new AppError(e.code, e.message, { ...e.opts, retryable });
}
