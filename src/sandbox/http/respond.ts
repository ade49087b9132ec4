/**
 * Response writers with UnivaPay's quirks: JSON error bodies, and truly empty bodies (no
 * Content-Type, Content-Length 0) for 429 and capture, where Koa would otherwise write a text body.
 */
import type { Context } from "koa";
import { ApiError } from "../errors";

export function sendEmpty(ctx: Context, status: number): void {
  ctx.status = status;
  ctx.body = Buffer.alloc(0);
  ctx.remove("Content-Type");
}

export function sendError(ctx: Context, err: ApiError): void {
  ctx.status = err.httpStatus;
  ctx.body = err.toBody();
  if (err.httpStatus === 413) ctx.set("Connection", "close");
}

/** Renders any thrown value; a non-ApiError is a sandbox bug and becomes 500 UNKNOWN_ERROR. */
export function renderThrown(ctx: Context, err: unknown, log: (err: unknown) => void): void {
  if (err instanceof ApiError) return sendError(ctx, err);
  log(err);
  sendError(ctx, new ApiError(500, "UNKNOWN_ERROR"));
}
