/**
 * Binds a request id (the caller's x-request-id when it looks sane, else a new one) to the
 * context and to a child logger, and echoes it in the response.
 */
import { randomUUID } from "node:crypto";
import type { Context, Next } from "koa";
import type { Logger } from "../../logging/logger";

const SANE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface RequestState {
  requestId: string;
  log: Logger;
}

export function requestId(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const given = ctx.get("x-request-id");
    const id = SANE_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.state.log = logger.child({ requestId: id });
    ctx.set("x-request-id", id);
    await next();
  };
}
