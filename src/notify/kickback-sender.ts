/**
 * One kickback HTTP GET: url + the pre-rendered query, byte for byte (never re-encoded), over
 * keep-alive agents, no redirects followed, at most 1 KiB of the answer kept (latin1). Never
 * throws and classifies nothing: the dispatcher decides delivered/retry/dead from the result.
 */
import http from "node:http";
import https from "node:https";
import { BLOCKED_ADDRESS_CODE, createGuardedLookup, type ResolveAll } from "./url-guard";

export interface SendResult {
  /** null: no HTTP answer (timeout, refused, reset, DNS, blocked address). */
  readonly statusCode: number | null;
  readonly durationMs: number;
  /** First ≤ 1 KiB of the body, latin1, so any bytes survive (Shift_JIS, binary). */
  readonly bodyHead: string;
  readonly error: string | null;
  /** The SSRF guard refused the address (at connect time, after DNS): retrying cannot help. */
  readonly blocked?: boolean;
}

export interface SendOptions {
  readonly timeoutMs: number;
  /** For http: URLs; default a shared keep-alive agent. */
  readonly agent?: http.Agent;
  /** For https: URLs; default a shared keep-alive agent. */
  readonly httpsAgent?: https.Agent;
}

export const BODY_HEAD_BYTES = 1024;
/** Past the head we read on only so the connection can be reused; beyond this, drop the socket. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
const USER_AGENT = "ccps-gateway-kickback/1";

export interface KickbackAgents {
  readonly agent: http.Agent;
  readonly httpsAgent: https.Agent;
}

/**
 * Keep-alive agents for kickbacks. Idle sockets close after 4 s, below the usual 5 s server
 * keep-alive, so we rarely reuse a socket the merchant is closing. Without private networks
 * allowed, DNS answers in private ranges are refused at connect time.
 */
export function createKickbackAgents(opts: { allowPrivateNetworks: boolean; maxSockets?: number; resolveAll?: ResolveAll }): KickbackAgents {
  const base = {
    keepAlive: true,
    maxSockets: opts.maxSockets ?? 64,
    timeout: 4_000,
    ...(opts.allowPrivateNetworks ? {} : { lookup: createGuardedLookup(opts.resolveAll) }),
  };
  return { agent: new http.Agent(base), httpsAgent: new https.Agent(base) };
}

const DEFAULT_AGENTS = createKickbackAgents({ allowPrivateNetworks: true });

/** The exact request target: url + ("?" or "&") + query. */
export function kickbackRequestUrl(url: string, query: string): string {
  if (query === "") return url;
  return `${url}${url.includes("?") ? "&" : "?"}${query}`;
}

export function sendKickback(url: string, query: string, opts: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  return sendOnce(url, query, opts, elapsed, true);
}

function sendOnce(url: string, query: string, opts: SendOptions, elapsed: () => number, mayRetryReused: boolean): Promise<SendResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return resolve({ statusCode: null, durationMs: elapsed(), bodyHead: "", error: "invalid url" });
    }
    const isHttps = u.protocol === "https:";
    if (!isHttps && u.protocol !== "http:")
      return resolve({ statusCode: null, durationMs: elapsed(), bodyHead: "", error: `unsupported scheme ${u.protocol}` });
    // pathname/search come from URL (already encoded); the query is appended raw, as rendered.
    const sep = u.search === "" ? "?" : "&";
    const path = `${u.pathname}${u.search}${query === "" ? "" : sep + query}`;

    let statusCode: number | null = null;
    const head: Buffer[] = [];
    let headBytes = 0;
    let totalBytes = 0;
    let settled = false;
    const finish = (error: string | null, blocked = false): void => {
      if (settled) return;
      settled = true;
      resolve({ statusCode, durationMs: elapsed(), bodyHead: Buffer.concat(head).toString("latin1"), error, ...(blocked ? { blocked } : {}) });
    };

    const request = isHttps ? https.request : http.request;
    const req = request({
      protocol: u.protocol,
      hostname: u.hostname.replace(/^\[|\]$/g, ""),
      port: u.port === "" ? undefined : Number(u.port),
      path,
      method: "GET",
      agent: isHttps ? (opts.httpsAgent ?? DEFAULT_AGENTS.httpsAgent) : (opts.agent ?? DEFAULT_AGENTS.agent),
      headers: { "user-agent": USER_AGENT, accept: "*/*" },
    });
    // One timer bounds connect + answer + the bounded drain after we resolved.
    const timer = setTimeout(() => {
      const error = statusCode === null ? `timeout after ${opts.timeoutMs} ms` : "timeout reading body";
      finish(error);
      req.destroy(new Error(error));
    }, opts.timeoutMs);

    req.on("response", (res) => {
      statusCode = res.statusCode ?? null;
      res.on("data", (chunk: Buffer) => {
        totalBytes += chunk.length;
        if (headBytes < BODY_HEAD_BYTES) {
          const part = chunk.subarray(0, BODY_HEAD_BYTES - headBytes);
          head.push(part);
          headBytes += part.length;
        }
        if (headBytes >= BODY_HEAD_BYTES) finish(null);
        if (totalBytes > DRAIN_LIMIT_BYTES) res.destroy();
      });
      res.on("end", () => finish(null));
      res.on("error", (e) => finish(describeError(e)));
      res.on("close", () => {
        clearTimeout(timer);
        finish(res.complete ? null : "connection closed before the body ended");
      });
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      // A kept-alive socket the server closed just as we reused it: Node's documented remedy is
      // one immediate retry on a fresh socket (the request never reached the merchant's app).
      if (!settled && mayRetryReused && req.reusedSocket && statusCode === null && errnoCode(e) === "ECONNRESET") {
        settled = true;
        resolve(sendOnce(url, query, opts, elapsed, false));
        return;
      }
      finish(describeError(e), errnoCode(e) === BLOCKED_ADDRESS_CODE);
    });
    req.end();
  });
}

function errnoCode(e: unknown): string | undefined {
  const code = typeof e === "object" && e !== null && "code" in e ? (e as { code: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

function describeError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = errnoCode(e);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
