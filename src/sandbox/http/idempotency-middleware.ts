/**
 * Idempotency-Key on the wire (§1.6). POST/PATCH with a key: first use → processed and stored
 * (`Idempotency-Status: successfully_stored`), repeat → stored response replayed
 * (`retrieved_idempotent_response`), key reused on another method/path → 409
 * IDEMPOTENCY_KEY_CONFLICT (`conflicting_key`). GET/DELETE with a key → `disabled`. No key, no
 * header. 5xx outcomes are not stored, so a retry runs again.
 */
import type { Context, Next } from "koa";
import { conflict } from "../errors";
import type { IdempotencyStore } from "../idempotency";
import { authOf, type RequestState } from "./context";
import { renderThrown, sendError } from "./respond";

const HEADER = "Idempotency-Status";

export function idempotencyMiddleware(store: IdempotencyStore, logError: (err: unknown) => void) {
  return async (ctx: Context & { state: RequestState }, next: Next): Promise<void> => {
    const key = ctx.get("Idempotency-Key");
    if (key === "") return next();
    if (ctx.method !== "POST" && ctx.method !== "PATCH") {
      ctx.set(HEADER, "disabled");
      return next();
    }
    const begun = await store.begin(authOf(ctx).storeId, key, ctx.method, ctx.path);
    if (begun.kind === "conflict") {
      ctx.set(HEADER, "conflicting_key");
      return sendError(ctx, conflict("IDEMPOTENCY_KEY_CONFLICT"));
    }
    if (begun.kind === "replay") {
      ctx.status = begun.response.status;
      ctx.body = begun.response.body === null ? Buffer.alloc(0) : begun.response.body;
      if (begun.response.body === null) ctx.remove("Content-Type");
      ctx.set(HEADER, "retrieved_idempotent_response");
      return;
    }
    try {
      await next();
    } catch (err) {
      renderThrown(ctx, err, logError);
    }
    if (ctx.status >= 500) {
      begun.complete(null);
      return;
    }
    const body: unknown = Buffer.isBuffer(ctx.body) && ctx.body.length === 0 ? null : ctx.body;
    begun.complete({ status: ctx.status, body });
    ctx.set(HEADER, "successfully_stored");
  };
}
