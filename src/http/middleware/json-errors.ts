/**
 * The JSON channel's one rendering of errors: {error:{code,message,requestId,details?}}. Routes
 * never build an error body themselves: they throw an AppError (or call jsonError for an answer
 * that is not an exception, such as a refused login), and this module renders it. AppErrors keep
 * their status; a client that went away (reset, broken pipe) is nobody to answer and logged at
 * debug; anything else is a bug, logged at ERROR and answered as `internal`.
 */
import type { Context, Next } from "koa";
import { isAppError, type ErrorDetail } from "../../errors/app-error";
import { isClientGone } from "../client-gone";
import type { RequestState } from "./request-id";

/** Sets the error answer on ctx; `message` must be fit for any caller to read. */
export function jsonError(ctx: Context, status: number, code: string, message: string, details: readonly ErrorDetail[] = []): void {
  ctx.status = status;
  ctx.body = { error: { code, message, requestId: (ctx.state as RequestState).requestId, ...(details.length > 0 ? { details } : {}) } };
}

export function jsonErrors() {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) jsonError(ctx, 404, "not_found", "no such route");
    } catch (err) {
      const state = ctx.state as RequestState;
      if (isClientGone(err)) {
        state.log.debug({ code: (err as { code?: string }).code }, "client went away");
        ctx.respond = false;
        ctx.req.socket.destroy(); // whatever is left of the connection: nobody reads it
        return;
      }
      if (isAppError(err)) {
        if (!err.expose) state.log.error({ err }, "request failed");
        jsonError(ctx, err.httpStatus, err.code, err.expose ? err.message : "internal error", err.expose ? err.details : []);
        return;
      }
      state.log.error({ err }, "unexpected error");
      jsonError(ctx, 500, "internal", "internal error");
    }
  };
}
