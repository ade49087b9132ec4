/**
 * POST /stores/{id}/create_customer_id (§1.2, `:16230-16275`): turns the merchant's own customer
 * id into a UnivaPay customer UUID, for the `univapay-customer-id` metadata key and the token
 * list's `customer_id` filter. The same merchant id always gets the same UUID in a store (it
 * identifies the customer) [INFERRED]. The doc's table calls `customer_id` a query parameter
 * but its example sends it in the JSON body, so both are read (body first).
 */
import { Router } from "@koa/router";
import { z } from "zod";
import type { RequestState, SandboxDeps } from "../http/context";
import { requireOwnStore } from "../http/scope";
import { parseInput } from "../http/validation";
import { newId } from "../ids";

const CustomerIdRequestSchema = z.object({ customer_id: z.string().trim().min(1).max(255) });

export function createCustomerRoutes(deps: SandboxDeps): Router<RequestState> {
  const router = new Router<RequestState>();

  router.post("/stores/:storeId/create_customer_id", (ctx) => {
    const storeId = requireOwnStore(ctx);
    const fromBody = ctx.state.body?.["customer_id"];
    const input = { customer_id: fromBody !== undefined ? fromBody : ctx.query["customer_id"] };
    const { customer_id: merchantCustomerId } = parseInput(CustomerIdRequestSchema, input);
    const key = `${storeId}|${merchantCustomerId}`;
    const uuid = deps.state.customerIds.get(key) ?? newId();
    deps.state.customerIds.set(key, uuid);
    ctx.body = { customer_id: uuid };
  });

  return router;
}
