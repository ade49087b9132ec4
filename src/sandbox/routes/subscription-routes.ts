/**
 * Subscription endpoints (§2.5): create, get with long polling (held while `unverified`), list
 * (store-scoped and un-scoped, with status/statuses[]/search/mode), PATCH, DELETE (204), the
 * scheduled payments and the subscription's charges, plus the SDK's `/suspend`, `/unsuspend`
 * and `/token` PATCH routes. All rules live in SubscriptionService and the pure engine.
 */
import { Router, type RouterContext } from "@koa/router";
import { notFound } from "../errors";
import { authOf, type RequestState, type SandboxDeps } from "../http/context";
import { holdWhilePending } from "../http/polling";
import { param, requireOwnStore } from "../http/scope";
import { parseInput } from "../http/validation";
import { paginate, PageQuerySchema } from "../pagination";
import type { SubscriptionService } from "../processing/subscription-service";
import { PollingQuerySchema } from "../schemas/charge-schemas";
import { SubscriptionMetadataSchema, SubscriptionTokenChangeSchema } from "../schemas/subscription-schemas";
import { ChargeFilterSchema, filterCharges } from "../state/charge-filters";
import type { ChargeRecord } from "../state/models";
import { renderCharge } from "../state/render";
import { renderSubscriptionListItem } from "../state/render-subscription-list-item";
import { filterSubscriptions, SubscriptionFilterSchema } from "../state/subscription-filters";
import { listPayments, toApiObject, toPaymentObject, type SubscriptionState } from "../subscriptions";

const BASE = "/stores/:storeId/subscriptions";
/** The SDK builds these with an optional store prefix: `(/stores/:storeId)/subscriptions/...`. */
const SDK_PREFIXES = ["", "/stores/:storeId"];

type Ctx = RouterContext<RequestState>;

export function createSubscriptionRoutes(deps: SandboxDeps, service: SubscriptionService): Router<RequestState> {
  const router = new Router<RequestState>();
  const bodyOf = (ctx: Ctx): Record<string, unknown> => {
    const body = ctx.state.body ?? {};
    // The engine gets the checked metadata (a stringified object arrives parsed).
    const { metadata } = parseInput(SubscriptionMetadataSchema, body);
    return metadata === undefined ? body : { ...body, metadata };
  };
  const listItem = (s: SubscriptionState): Record<string, unknown> => {
    const store = deps.state.stores.get(s.storeId);
    const merchant = store && deps.state.merchants.get(store.merchantId);
    return renderSubscriptionListItem(s, { store, merchant, token: deps.state.tokens.get(s.transactionTokenId) });
  };
  const chargePage = (ctx: Ctx, charges: readonly ChargeRecord[]): Record<string, unknown> => {
    const page = paginate(filterCharges(charges, parseInput(ChargeFilterSchema, ctx.query)), parseInput(PageQuerySchema, ctx.query));
    return { ...page, items: page.items.map(renderCharge) };
  };

  router.post("/subscriptions", (ctx) => {
    const auth = authOf(ctx);
    const sub = service.create({ storeId: auth.storeId, mode: auth.mode }, bodyOf(ctx));
    ctx.status = 201;
    ctx.body = toApiObject(sub);
  });

  const list = (ctx: Ctx): void => {
    const storeId = requireOwnStore(ctx);
    const q = parseInput(PageQuerySchema, ctx.query);
    const page = paginate(filterSubscriptions(service.list(storeId), parseInput(SubscriptionFilterSchema, ctx.query)), q);
    ctx.body = { ...page, items: page.items.map(listItem) };
  };
  router.get("/subscriptions", list);
  router.get(BASE, list);

  router.get(`${BASE}/:id`, async (ctx) => {
    const storeId = requireOwnStore(ctx);
    const id = param(ctx, "id");
    const sub = service.get(storeId, id);
    if (parseInput(PollingQuerySchema, ctx.query).polling === "true") {
      // §1.4: from `unverified` any status change counts as final.
      await holdWhilePending(deps, { id: sub.id, status: () => service.get(storeId, id).status, isFinal: (s) => s !== "unverified" });
    }
    ctx.body = toApiObject(service.get(storeId, id));
  });

  router.patch(`${BASE}/:id`, (ctx) => {
    ctx.body = toApiObject(service.patch(requireOwnStore(ctx), param(ctx, "id"), bodyOf(ctx)));
  });

  router.delete(`${BASE}/:id`, (ctx) => {
    service.cancel(requireOwnStore(ctx), param(ctx, "id"));
    ctx.status = 204;
  });

  for (const prefix of SDK_PREFIXES) {
    router.patch(`${prefix}/subscriptions/:id/suspend`, (ctx) => {
      ctx.body = toApiObject(service.patch(requireOwnStore(ctx), param(ctx, "id"), { status: "suspended" }));
    });
    router.patch(`${prefix}/subscriptions/:id/unsuspend`, (ctx) => {
      // The API table's resume value (C5: `unpaid` and `current` resume the same way).
      ctx.body = toApiObject(service.patch(requireOwnStore(ctx), param(ctx, "id"), { status: "unpaid" }));
    });
    router.patch(`${prefix}/subscriptions/:id/token`, (ctx) => {
      const body = parseInput(SubscriptionTokenChangeSchema, ctx.state.body ?? {});
      ctx.body = toApiObject(service.patch(requireOwnStore(ctx), param(ctx, "id"), { transaction_token_id: body.transaction_token_id }));
    });
  }

  router.get(`${BASE}/:id/charges`, (ctx) => {
    ctx.body = chargePage(ctx, service.charges(requireOwnStore(ctx), param(ctx, "id")));
  });

  router.get(`${BASE}/:id/payments`, (ctx) => {
    const sub = service.get(requireOwnStore(ctx), param(ctx, "id"));
    // listPayments is newest first; paginate wants oldest first. The doc's list has no total_hits.
    const rows = listPayments(sub)
      .map((p) => ({ id: String(p["id"]), p }))
      .reverse();
    const page = paginate(rows, parseInput(PageQuerySchema, ctx.query), false);
    ctx.body = { ...page, items: page.items.map((r) => r.p) };
  });

  const paymentOf = (sub: SubscriptionState, paymentId: string): Record<string, unknown> => {
    const p = sub.payments.find((x) => x.id === paymentId);
    if (!p) throw notFound();
    return toPaymentObject(sub, p);
  };
  router.get(`${BASE}/:id/payments/:paymentId`, (ctx) => {
    ctx.body = paymentOf(service.get(requireOwnStore(ctx), param(ctx, "id")), param(ctx, "paymentId"));
  });
  router.patch(`${BASE}/:id/payments/:paymentId`, (ctx) => {
    const paymentId = param(ctx, "paymentId");
    const sub = service.updatePayment(requireOwnStore(ctx), param(ctx, "id"), paymentId, ctx.state.body ?? {});
    ctx.body = paymentOf(sub, paymentId);
  });
  router.get(`${BASE}/:id/payments/:paymentId/charges`, (ctx) => {
    const storeId = requireOwnStore(ctx);
    const sub = service.get(storeId, param(ctx, "id"));
    paymentOf(sub, param(ctx, "paymentId"));
    ctx.body = chargePage(ctx, service.charges(storeId, sub.id, param(ctx, "paymentId")));
  });

  return router;
}
