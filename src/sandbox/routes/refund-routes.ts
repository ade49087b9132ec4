/**
 * Refund endpoints under a charge (§2.4): create (several partial refunds allowed), list (with
 * total_hits), get with long polling, metadata PATCH (path as in the SDK, see decisions).
 */
import { Router } from "@koa/router";
import { notFound } from "../errors";
import type { RequestState, SandboxDeps } from "../http/context";
import { holdWhilePending } from "../http/polling";
import { param, requireOwnStore } from "../http/scope";
import { parseInput } from "../http/validation";
import { paginate, PageQuerySchema } from "../pagination";
import { RefundCreateSchema, PollingQuerySchema } from "../schemas/charge-schemas";
import { MetadataPatchSchema } from "../schemas/common-schemas";
import { FINAL_CHILD_STATUSES } from "../state/charge-rules";
import type { RefundRecord, ChildStatus } from "../state/models";
import { renderRefund } from "../state/render";
import { findCharge } from "./charge-routes";

const BASE = "/stores/:storeId/charges/:chargeId/refunds";

export function createRefundRoutes(deps: SandboxDeps): Router<RequestState> {
  const router = new Router<RequestState>();
  const find = (storeId: string, chargeId: string, id: string): RefundRecord => {
    const c = deps.state.refunds.get(id);
    if (!c || c.storeId !== storeId || c.chargeId !== chargeId) throw notFound();
    return c;
  };

  router.post(BASE, (ctx) => {
    const charge = findCharge(deps, requireOwnStore(ctx), param(ctx, "chargeId"));
    const body = parseInput(RefundCreateSchema, ctx.state.body);
    ctx.status = 201;
    ctx.body = renderRefund(deps.payments.createRefund(charge, body));
  });

  router.get(BASE, (ctx) => {
    const charge = findCharge(deps, requireOwnStore(ctx), param(ctx, "chargeId"));
    const items = [...deps.state.refunds.values()].filter((c) => c.chargeId === charge.id);
    const page = paginate(items, parseInput(PageQuerySchema, ctx.query));
    ctx.body = { ...page, items: page.items.map(renderRefund) };
  });

  router.get(`${BASE}/:id`, async (ctx) => {
    const refund = find(requireOwnStore(ctx), param(ctx, "chargeId"), param(ctx, "id"));
    if (parseInput(PollingQuerySchema, ctx.query).polling === "true") {
      await holdWhilePending(deps, { id: refund.id, status: () => refund.status, isFinal: (s) => FINAL_CHILD_STATUSES.has(s as ChildStatus) });
    }
    ctx.body = renderRefund(refund);
  });

  router.patch(`${BASE}/:id`, (ctx) => {
    const refund = find(requireOwnStore(ctx), param(ctx, "chargeId"), param(ctx, "id"));
    const patch = parseInput(MetadataPatchSchema, ctx.state.body);
    if (patch.metadata !== undefined) refund.metadata = patch.metadata;
    deps.state.changed(refund.id);
    ctx.body = renderRefund(refund);
  });

  return router;
}
