/**
 * Applies FaultInjector decisions to API requests: added real latency, then a dropped connection or
 * an injected 5xx, either before the request is processed or after (the work is done, the client
 * sees a failure — the "outcome unknown" case a gateway must reconcile).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Context, Next } from "koa";
import { ApiError } from "../errors";
import type { FaultInjector } from "../faults";
import { sendError } from "./respond";

const INJECTED_CODES: Readonly<Record<number, string>> = {
  500: "UNKNOWN_ERROR",
  502: "TIMEOUT",
  503: "SERVICE_UNAVAILABLE_TRY_AGAIN",
  504: "NO_GATEWAY_AVAILABLE_TO_PROCESS_THE_REQUEST",
};

export function faultMiddleware(faults: FaultInjector) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const d = faults.decide(ctx.method, ctx.path);
    if (d.latencyMs > 0) await sleep(d.latencyMs);
    if (d.when === "after") await next();
    if (d.drop) {
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    if (d.errorStatus !== null) {
      sendError(ctx, new ApiError(d.errorStatus, INJECTED_CODES[d.errorStatus] ?? "UNKNOWN_ERROR"));
      return;
    }
    if (d.when === "before") await next();
  };
}
