/**
 * Transaction history (§2.6): GET /stores/{s}/transaction_history and /transaction_history, the
 * charges + refunds ledger with its filters and the usual pagination (cursor = `resource_id`,
 * `total_hits` as in the doc's example).
 */
import { Router, type RouterContext } from "@koa/router";
import type { RequestState, SandboxDeps } from "../http/context";
import { requireOwnStore } from "../http/scope";
import { parseInput } from "../http/validation";
import { paginate, PageQuerySchema } from "../pagination";
import type { RefundRecord } from "../state/models";
import { renderTransaction } from "../state/render-transaction";
import { ofStore, ownerNamesOf } from "../state/sandbox-state";
import { buildLedger, filterLedger, TransactionHistoryFilterSchema } from "../state/transaction-history";

export function createTransactionHistoryRoutes(deps: SandboxDeps): Router<RequestState> {
  const router = new Router<RequestState>();

  const list = (ctx: RouterContext<RequestState>): void => {
    const storeId = requireOwnStore(ctx);
    const q = parseInput(PageQuerySchema, ctx.query);
    const f = parseInput(TransactionHistoryFilterSchema, ctx.query);
    const refunds = ofStore(deps.state.refunds, storeId);
    const page = paginate(filterLedger(buildLedger(ofStore(deps.state.charges, storeId), refunds), f), q);
    const refundsByCharge = new Map<string, RefundRecord[]>();
    for (const r of refunds) refundsByCharge.set(r.chargeId, [...(refundsByCharge.get(r.chargeId) ?? []), r]);
    const names = ownerNamesOf(deps.state, storeId);
    ctx.body = { ...page, items: page.items.map((e) => renderTransaction(e, names, refundsByCharge.get(e.charge.id) ?? [])) };
  };
  router.get("/transaction_history", list);
  router.get("/stores/:storeId/transaction_history", list);

  return router;
}
