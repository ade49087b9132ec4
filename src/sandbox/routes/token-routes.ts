/**
 * Transaction token endpoints (§2.1): POST /tokens, list (store-scoped and un-scoped, with the
 * §2.1 LIST filters), get, PATCH, DELETE. Parse → call TokenService → render; no rules here.
 */
import { Router, type RouterContext } from "@koa/router";
import { notFound } from "../errors";
import { authOf, type RequestState, type SandboxDeps } from "../http/context";
import { param, requireOwnStore } from "../http/scope";
import { parseInput } from "../http/validation";
import { paginate, PageQuerySchema } from "../pagination";
import { renderToken, renderTokenListItem } from "../state/render";
import { ofStore, ownerNamesOf } from "../state/sandbox-state";
import { filterTokens, TokenFilterSchema } from "../state/token-filters";
import { TokenCreateSchema, TokenPatchSchema } from "../schemas/token-schemas";

export function createTokenRoutes(deps: SandboxDeps): Router<RequestState> {
  const router = new Router<RequestState>();

  router.post("/tokens", (ctx) => {
    const store = deps.state.stores.get(authOf(ctx).storeId);
    if (!store) throw notFound();
    const body = parseInput(TokenCreateSchema, ctx.state.body);
    ctx.status = 201;
    ctx.body = renderToken(deps.tokens.create(store, body, ctx.ip || null));
  });

  const list = (ctx: RouterContext<RequestState>): void => {
    const storeId = requireOwnStore(ctx);
    const q = parseInput(PageQuerySchema, ctx.query);
    const page = paginate(filterTokens(ofStore(deps.state.tokens, storeId), parseInput(TokenFilterSchema, ctx.query)), q);
    const names = ownerNamesOf(deps.state, storeId);
    ctx.body = { ...page, items: page.items.map((t) => renderTokenListItem(t, names)) };
  };
  router.get("/tokens", list);
  router.get("/stores/:storeId/tokens", list);

  router.get("/stores/:storeId/tokens/:id", (ctx) => {
    ctx.body = renderToken(deps.tokens.get(requireOwnStore(ctx), param(ctx, "id")));
  });

  router.patch("/stores/:storeId/tokens/:id", (ctx) => {
    const token = deps.tokens.get(requireOwnStore(ctx), param(ctx, "id"));
    const patch = parseInput(TokenPatchSchema, ctx.state.body);
    ctx.body = renderToken(deps.tokens.update(token, patch, authOf(ctx).hasSecret));
  });

  router.delete("/stores/:storeId/tokens/:id", (ctx) => {
    deps.tokens.delete(deps.tokens.get(requireOwnStore(ctx), param(ctx, "id")));
    ctx.status = 204;
  });

  return router;
}
