/**
 * Webhook configuration endpoints (§4.1): create, list, get, PATCH (re-activation included), DELETE,
 * each in the un-scoped, store-scoped and merchant+store-scoped forms. At most 20 per store; a
 * duplicate URL is 409 WEBHOOK_URL_EXISTS.
 */
import { Router, type RouterContext } from "@koa/router";
import { badRequest, conflict, notFound } from "../errors";
import type { RequestState, SandboxDeps } from "../http/context";
import { param, requireOwnStore } from "../http/scope";
import { parseInput } from "../http/validation";
import { newId } from "../ids";
import { paginate, PageQuerySchema } from "../pagination";
import { WebhookCreateSchema, WebhookPatchSchema } from "../schemas/webhook-schemas";
import type { WebhookRecord } from "../state/models";
import { renderWebhook } from "../state/render";
import { ofStore } from "../state/sandbox-state";

export const MAX_WEBHOOKS_PER_STORE = 20;
const PREFIXES = ["", "/stores/:storeId", "/merchants/:merchantId/stores/:storeId"];

export function createWebhookRoutes(deps: SandboxDeps): Router<RequestState> {
  const router = new Router<RequestState>();
  const render = (w: WebhookRecord): Record<string, unknown> => renderWebhook(w, deps.platformId);
  const find = (ctx: RouterContext<RequestState>): WebhookRecord => {
    const w = deps.state.webhooks.get(param(ctx, "id"));
    if (!w || w.storeId !== requireOwnStore(ctx)) throw notFound();
    return w;
  };
  const urlTaken = (storeId: string, url: string, except?: string): boolean =>
    ofStore(deps.state.webhooks, storeId).some((w) => w.url === url && w.id !== except);

  for (const prefix of PREFIXES) {
    router.post(`${prefix}/webhooks`, (ctx) => {
      const storeId = requireOwnStore(ctx);
      const body = parseInput(WebhookCreateSchema, ctx.state.body);
      if (ofStore(deps.state.webhooks, storeId).length >= MAX_WEBHOOKS_PER_STORE) throw badRequest("RESOURCE_LIMIT_REACHED");
      if (urlTaken(storeId, body.url)) throw conflict("WEBHOOK_URL_EXISTS");
      const store = deps.state.stores.get(storeId);
      if (!store) throw notFound();
      const now = deps.clock.now();
      const hook: WebhookRecord = {
        id: newId(),
        seq: deps.state.nextSeq(),
        merchantId: store.merchantId,
        storeId,
        triggers: [...new Set(body.triggers)],
        url: body.url,
        authToken: body.auth_token ?? null,
        active: body.active ?? true,
        createdAt: now,
        updatedAt: now,
      };
      deps.state.webhooks.set(hook.id, hook);
      ctx.status = 201;
      ctx.body = render(hook);
    });

    router.get(`${prefix}/webhooks`, (ctx) => {
      const page = paginate(ofStore(deps.state.webhooks, requireOwnStore(ctx)), parseInput(PageQuerySchema, ctx.query));
      ctx.body = { ...page, items: page.items.map(render) };
    });

    router.get(`${prefix}/webhooks/:id`, (ctx) => {
      ctx.body = render(find(ctx));
    });

    router.patch(`${prefix}/webhooks/:id`, (ctx) => {
      const hook = find(ctx);
      const patch = parseInput(WebhookPatchSchema, ctx.state.body);
      if (patch.url !== undefined && urlTaken(hook.storeId, patch.url, hook.id)) throw conflict("WEBHOOK_URL_EXISTS");
      if (patch.url !== undefined) hook.url = patch.url;
      if (patch.triggers !== undefined) hook.triggers = [...new Set(patch.triggers)];
      if (patch.auth_token !== undefined) hook.authToken = patch.auth_token;
      if (patch.active !== undefined) hook.active = patch.active;
      hook.updatedAt = deps.clock.now();
      deps.state.changed(hook.id);
      ctx.body = render(hook);
    });

    router.delete(`${prefix}/webhooks/:id`, (ctx) => {
      deps.state.webhooks.delete(find(ctx).id);
      ctx.status = 204;
    });
  }
  return router;
}
