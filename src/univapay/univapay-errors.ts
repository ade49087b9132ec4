/**
 * Translates what came back from UnivaPay (an HTTP status + body, or a transport error code)
 * into AppError, the gateway's one error type. This is the only place that knows transport error
 * codes. It never decides to retry; it only says whether the request may have been processed.
 */
import { AppError, ErrorDetail } from "../errors/app-error";
import { EXCHANGE_TIMEOUT } from "./http-exchange";
import { ApiErrorBodySchema, ApiErrorBody } from "./univapay-types";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** What a log line or error message may say about a call: never ids with card data, never bodies. */
export interface CallContext {
  readonly method: HttpMethod;
  /** Path template, e.g. "/stores/:storeId/charges/:chargeId". */
  readonly route: string;
}

/** Our JSON routes answer 502 when UnivaPay said no: the client of *this* gateway did nothing wrong. */
const REJECTED_HTTP_STATUS = 502;
const UNAVAILABLE_HTTP_STATUS = 503;
const TIMEOUT_HTTP_STATUS = 504;

/** SDK names for bare HTTP statuses (univapay-node errors/parser.ts), used when the body has no code. */
const BARE_STATUS_CODES: Readonly<Record<number, string>> = {
  400: "BAD_REQUEST",
  401: "NOT_AUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "NOT_ALLOWED",
  409: "CONFLICTED",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  502: "TIMEOUT",
  503: "SERVICE_UNAVAILABLE",
  504: "NO_GATEWAY_AVAILABLE_TO_PROCESS_THE_REQUEST",
};

/** Codes meaning the connection was never established, so the request cannot have been processed. */
const NEVER_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);
const TIMEOUT_CODES = new Set(["ECONNABORTED", EXCHANGE_TIMEOUT]);

/** Parses a §5.1 error body; undefined for an empty or non-conforming body (e.g. a bare 429). */
export function parseApiErrorBody(text: string): ApiErrorBody | undefined {
  if (text.trim() === "") return undefined;
  try {
    const r = ApiErrorBodySchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export function upstreamCodeOf(status: number, body: ApiErrorBody | undefined): string {
  return body?.code ?? BARE_STATUS_CODES[status] ?? `HTTP_${status}`;
}

/** A 4xx other than 429: UnivaPay understood the request and refused it. Never retryable. */
export function rejectedError(ctx: CallContext, status: number, bodyText: string): AppError {
  const body = parseApiErrorBody(bodyText);
  const code = upstreamCodeOf(status, body);
  const fields = (body?.errors ?? []).map((e) => ({ field: e.field, reason: e.reason }));
  const details: ErrorDetail[] = fields.map((f) => ({ path: f.field, message: f.reason }));
  return new AppError("univapay_rejected", `UnivaPay rejected ${ctx.method} ${ctx.route}: ${code} (${status})`, {
    httpStatus: REJECTED_HTTP_STATUS,
    retryable: false,
    details,
    upstream: { httpStatus: status, code, fields, outcomeUnknown: false },
  });
}

/**
 * UnivaPay could not give an answer we can use. `processedMaybe` is true when a POST/PATCH may
 * have taken effect (5xx after send, timeout, reset, unreadable 2xx): such an error is NOT
 * retryable, because a blind retry under a new key could charge twice; the caller reconciles,
 * and resending with the SAME Idempotency-Key is the safe way to do so.
 */
export function unavailableError(
  ctx: CallContext,
  reason: string,
  opts: { status?: number; code?: string; processedMaybe: boolean; timeout?: boolean; cause?: unknown },
): AppError {
  const outcomeUnknown = ctx.method !== "GET" && opts.processedMaybe;
  return new AppError("univapay_unavailable", `UnivaPay unavailable for ${ctx.method} ${ctx.route}: ${reason}`, {
    httpStatus: opts.timeout === true ? TIMEOUT_HTTP_STATUS : UNAVAILABLE_HTTP_STATUS,
    retryable: !outcomeUnknown,
    cause: opts.cause,
    upstream: { httpStatus: opts.status, code: opts.code, outcomeUnknown },
  });
}

export interface TransportFailure {
  /** True unless the connection provably never opened (refused, DNS). */
  readonly maybeSent: boolean;
  readonly timeout: boolean;
  readonly code: string;
  /**
   * A plain Error carrying only code and message. The original error never becomes a `cause`:
   * an HTTP client's error may hold the request (Authorization header, card data body), and
   * pino would serialise it through AppError.opts.
   */
  readonly cause: Error;
}

/** Classifies a thrown transport/network error. Unknown codes count as "maybe sent" (the safe side). */
export function classifyTransportError(err: unknown): TransportFailure {
  const code = errnoCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return {
    maybeSent: !NEVER_SENT_CODES.has(code),
    timeout: TIMEOUT_CODES.has(code),
    code,
    cause: new Error(`${code}: ${message}`),
  };
}

function errnoCode(err: unknown): string {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string") return err.code;
  return "UNKNOWN";
}
