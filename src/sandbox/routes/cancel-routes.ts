/**
 * Cancel (void) endpoints under a charge (§2.3): create, list (no total_hits, as the SDK types it),
 * get with long polling, metadata PATCH.
 */
import { Router } from "@koa/router";
import { notFound } from "../errors";
import type { RequestState, SandboxDeps } from "../http/context";
import { holdWhilePending } from "../http/polling";
import { param, requireOwnStore } from "../http/scope";
import { parseInput } from "../http/validation";
import { paginate, PageQuerySchema } from "../pagination";
import { CancelCreateSchema, PollingQuerySchema } from "../schemas/charge-schemas";
import { MetadataPatchSchema } from "../schemas/common-schemas";
import { FINAL_CHILD_STATUSES } from "../state/charge-rules";
import type { CancelRecord, ChildStatus } from "../state/models";
import { renderCancel } from "../state/render";
import { findCharge } from "./charge-routes";

const BASE = "/stores/:storeId/charges/:chargeId/cancels";

export function createCancelRoutes(deps: SandboxDeps): Router<RequestState> {
  const router = new Router<RequestState>();
  const find = (storeId: string, chargeId: string, id: string): CancelRecord => {
    const c = deps.state.cancels.get(id);
    if (!c || c.storeId !== storeId || c.chargeId !== chargeId) throw notFound();
    return c;
  };

  router.post(BASE, (ctx) => {
    const charge = findCharge(deps, requireOwnStore(ctx), param(ctx, "chargeId"));
    const body = parseInput(CancelCreateSchema, ctx.state.body);
    ctx.status = 201;
    ctx.body = renderCancel(deps.payments.createCancel(charge, body.metadata ?? {}));
  });

  router.get(BASE, (ctx) => {
    const charge = findCharge(deps, requireOwnStore(ctx), param(ctx, "chargeId"));
    const items = [...deps.state.cancels.values()].filter((c) => c.chargeId === charge.id);
    const page = paginate(items, parseInput(PageQuerySchema, ctx.query), false);
    ctx.body = { ...page, items: page.items.map(renderCancel) };
  });

  router.get(`${BASE}/:id`, async (ctx) => {
    const cancel = find(requireOwnStore(ctx), param(ctx, "chargeId"), param(ctx, "id"));
    if (parseInput(PollingQuerySchema, ctx.query).polling === "true") {
      await holdWhilePending(deps, { id: cancel.id, status: () => cancel.status, isFinal: (s) => FINAL_CHILD_STATUSES.has(s as ChildStatus) });
    }
    ctx.body = renderCancel(cancel);
  });

  router.patch(`${BASE}/:id`, (ctx) => {
    const cancel = find(requireOwnStore(ctx), param(ctx, "chargeId"), param(ctx, "id"));
    const patch = parseInput(MetadataPatchSchema, ctx.state.body);
    if (patch.metadata !== undefined) cancel.metadata = patch.metadata;
    deps.state.changed(cancel.id);
    ctx.body = renderCancel(cancel);
  });

  return router;
}
