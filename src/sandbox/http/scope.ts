/**
 * Store scoping of paths: a store token may only touch its own store. A foreign store id in the
 * path is 403 INVALID_PERMISSIONS; an id of another store's resource under one's own store is 404.
 */
import { forbidden } from "../errors";
import { authOf, type RequestState } from "./context";

export function requireOwnStore(ctx: { state: RequestState; params: Record<string, string | undefined> }): string {
  const auth = authOf(ctx);
  const storeId = ctx.params["storeId"];
  const merchantId = ctx.params["merchantId"];
  if (merchantId !== undefined && merchantId !== auth.merchantId) throw forbidden();
  if (storeId !== undefined && storeId !== auth.storeId) throw forbidden();
  return auth.storeId;
}

/** A path parameter the route pattern guarantees. */
export function param(ctx: { params: Record<string, string | undefined> }, name: string): string {
  const v = ctx.params[name];
  if (v === undefined) throw new Error(`route has no :${name}`);
  return v;
}
