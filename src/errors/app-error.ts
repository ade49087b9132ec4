/**
 * The one error type of the gateway. Every expected, classified failure is an AppError with a
 * stable code; each channel renders it its own way (legacy routes: rst=2 + ec; JSON routes:
 * {error:{code,message,requestId}}; CLI: one line + non-zero exit). Anything thrown that is not
 * an AppError is a bug and is rendered as `internal`.
 */
export type ErrorCode =
  | "legacy_request_invalid"
  | "merchant_unknown"
  | "source_ip_denied"
  | "mapping_invalid"
  | "univapay_rejected"
  | "univapay_unavailable"
  | "webhook_unauthenticated"
  | "request_too_large"
  | "not_found"
  | "bad_request"
  | "unauthorized"
  | "config_invalid"
  | "internal";

export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly httpStatus?: number;
  readonly retryable?: boolean;
  readonly cause?: unknown;
  readonly details?: ReadonlyArray<ErrorDetail>;
  /** Legacy error-code key (see mappings/errors.yaml) used when rendered on a legacy route. */
  readonly legacyKey?: string;
  /** What UnivaPay answered, when the error came from the new API. */
  readonly upstream?: UpstreamErrorInfo;
}

export interface UpstreamErrorInfo {
  /** HTTP status from UnivaPay; undefined when no answer came (timeout, refused, reset). */
  readonly httpStatus?: number;
  /** UnivaPay error code, e.g. "CHARGE_TOO_QUICK" or "VALIDATION_ERROR". */
  readonly code?: string;
  readonly fields?: ReadonlyArray<{ field: string; reason: string }>;
  /** True when a POST may or may not have been processed (timeout, reset, 5xx after send):
   *  the caller must reconcile, never assume failure or success and never blind-retry. */
  readonly outcomeUnknown?: boolean;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly opts: AppErrorOptions = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "AppError";
  }
  get httpStatus(): number {
    return this.opts.httpStatus ?? 500;
  }
  /** Koa's contract: only client errors show their message. */
  get expose(): boolean {
    return this.httpStatus < 500;
  }
  get retryable(): boolean {
    return this.opts.retryable ?? false;
  }
  get details(): ReadonlyArray<ErrorDetail> {
    return this.opts.details ?? [];
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
