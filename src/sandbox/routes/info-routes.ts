/**
 * Account information endpoints: GET /heartbeat (no auth, the SDK's ping), GET /me (the merchant),
 * GET /stores and GET /stores/{id} (only the token's own store is visible).
 */
import { Router } from "@koa/router";
import { forbidden, notFound } from "../errors";
import { authOf, type RequestState, type SandboxDeps } from "../http/context";
import { param } from "../http/scope";
import { renderMerchant, renderStore } from "../state/render";

export function createInfoRoutes(deps: SandboxDeps): Router<RequestState> {
  const router = new Router<RequestState>();

  router.get("/heartbeat", (ctx) => {
    ctx.body = {};
  });

  router.get("/me", (ctx) => {
    const auth = authOf(ctx);
    const merchant = deps.state.merchants.get(auth.merchantId);
    const store = deps.state.stores.get(auth.storeId);
    if (!merchant || !store) throw notFound();
    ctx.body = renderMerchant(merchant, store.recurringPrivilege, store.verified);
  });

  router.get("/stores", (ctx) => {
    const store = deps.state.stores.get(authOf(ctx).storeId);
    const merchant = store && deps.state.merchants.get(store.merchantId);
    if (!store || !merchant) throw notFound();
    const { configuration: _omitted, ...summary } = renderStore(store);
    ctx.body = { items: [{ ...summary, merchant_name: merchant.name }], has_more: false };
  });

  router.get("/stores/:storeId", (ctx) => {
    const id = param(ctx, "storeId");
    if (id !== authOf(ctx).storeId) throw forbidden();
    const store = deps.state.stores.get(id);
    if (!store) throw notFound();
    ctx.body = renderStore(store);
  });

  return router;
}
