/**
 * Charge endpoints (§2.2): create, list (store-scoped and un-scoped), get with long polling,
 * metadata PATCH, capture. The capture answer is 200 with an empty body, as the doc shows.
 */
import { Router, type RouterContext } from "@koa/router";
import { notFound } from "../errors";
import { authOf, type RequestState, type SandboxDeps } from "../http/context";
import { holdWhilePending } from "../http/polling";
import { sendEmpty } from "../http/respond";
import { param, requireOwnStore } from "../http/scope";
import { parseInput } from "../http/validation";
import { paginate, PageQuerySchema } from "../pagination";
import { CaptureSchema, ChargeCreateSchema, PollingQuerySchema } from "../schemas/charge-schemas";
import { MetadataPatchSchema } from "../schemas/common-schemas";
import { FINAL_CHARGE_STATUSES } from "../state/charge-rules";
import { ChargeFilterSchema, filterCharges } from "../state/charge-filters";
import type { ChargeRecord, ChargeStatus } from "../state/models";
import { renderCharge, renderChargeListItem } from "../state/render";
import { ofStore, ownerNamesOf } from "../state/sandbox-state";

export function findCharge(deps: SandboxDeps, storeId: string, id: string): ChargeRecord {
  const c = deps.state.charges.get(id);
  if (!c || c.storeId !== storeId) throw notFound();
  return c;
}

export function createChargeRoutes(deps: SandboxDeps): Router<RequestState> {
  const router = new Router<RequestState>();

  router.post("/charges", (ctx) => {
    const body = parseInput(ChargeCreateSchema, ctx.state.body);
    ctx.status = 201;
    ctx.body = renderCharge(deps.payments.createCharge(authOf(ctx).storeId, body));
  });

  const list = (ctx: RouterContext<RequestState>): void => {
    const storeId = requireOwnStore(ctx);
    const q = parseInput(PageQuerySchema, ctx.query);
    const f = parseInput(ChargeFilterSchema, ctx.query);
    const page = paginate(filterCharges(ofStore(deps.state.charges, storeId), f), q);
    const names = ownerNamesOf(deps.state, storeId);
    ctx.body = { ...page, items: page.items.map((c) => renderChargeListItem(c, names)) };
  };
  router.get("/charges", list);
  router.get("/stores/:storeId/charges", list);

  router.get("/stores/:storeId/charges/:id", async (ctx) => {
    const charge = findCharge(deps, requireOwnStore(ctx), param(ctx, "id"));
    if (parseInput(PollingQuerySchema, ctx.query).polling === "true") {
      await holdWhilePending(deps, { id: charge.id, status: () => charge.status, isFinal: (s) => FINAL_CHARGE_STATUSES.has(s as ChargeStatus) });
    }
    ctx.body = renderCharge(charge);
  });

  router.patch("/stores/:storeId/charges/:id", (ctx) => {
    const charge = findCharge(deps, requireOwnStore(ctx), param(ctx, "id"));
    const patch = parseInput(MetadataPatchSchema, ctx.state.body);
    if (patch.metadata !== undefined) charge.metadata = patch.metadata;
    charge.updatedAt = deps.clock.now();
    deps.state.changed(charge.id);
    ctx.body = renderCharge(charge);
  });

  router.post("/stores/:storeId/charges/:id/capture", (ctx) => {
    const charge = findCharge(deps, requireOwnStore(ctx), param(ctx, "id"));
    const body = parseInput(CaptureSchema, ctx.state.body);
    deps.payments.capture(charge, body.amount, body.currency);
    sendEmpty(ctx, 200);
  });

  return router;
}
