/**
 * UnivaPay's API error model (§5): a JSON body {status:"error", code, errors:[{field?, reason}]}
 * with the documented HTTP status. Every rejection inside the sandbox is an ApiError; the error
 * middleware renders it. Nothing here knows about Koa.
 */
export interface ApiErrorDetail {
  readonly field?: string;
  readonly reason: string;
}

export interface ApiErrorBody {
  readonly status: "error";
  readonly code: string;
  readonly errors: readonly ApiErrorDetail[];
}

export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    readonly errors: readonly ApiErrorDetail[] = [],
  ) {
    super(`${httpStatus} ${code}`);
    this.name = "ApiError";
  }
  toBody(): ApiErrorBody {
    return { status: "error", code: this.code, errors: this.errors };
  }
}

/** 400 with a documented code (§5.2). */
export function badRequest(code: string, errors: readonly ApiErrorDetail[] = []): ApiError {
  return new ApiError(400, code, errors);
}

export function validationError(errors: readonly ApiErrorDetail[]): ApiError {
  return new ApiError(400, "VALIDATION_ERROR", errors);
}

export function notFound(): ApiError {
  return new ApiError(404, "NOT_FOUND");
}

export function unauthorized(code: string): ApiError {
  return new ApiError(401, code);
}

export function forbidden(code = "INVALID_PERMISSIONS"): ApiError {
  return new ApiError(403, code);
}

export function conflict(code: string): ApiError {
  return new ApiError(409, code);
}
