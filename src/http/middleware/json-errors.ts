/**
 * The JSON channel's rendering of errors: {error:{code,message,requestId,details?}}. AppErrors
 * keep their status; anything else is a bug, logged at ERROR and answered as `internal`.
 */
import type { Context, Next } from "koa";
import { isAppError } from "../../errors/app-error";
import type { RequestState } from "./request-id";

export function jsonErrors() {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: { code: "not_found", message: "no such route", requestId: (ctx.state as RequestState).requestId } };
      }
    } catch (err) {
      const state = ctx.state as RequestState;
      if (isAppError(err)) {
        ctx.status = err.httpStatus;
        ctx.body = {
          error: {
            code: err.code,
            message: err.expose ? err.message : "internal error",
            requestId: state.requestId,
            ...(err.expose && err.details.length > 0 ? { details: err.details } : {}),
          },
        };
        if (!err.expose) state.log.error({ err }, "request failed");
        return;
      }
      state.log.error({ err }, "unexpected error");
      ctx.status = 500;
      ctx.body = { error: { code: "internal", message: "internal error", requestId: state.requestId } };
    }
  };
}
