/**
 * Sandbox control endpoints under /_sandbox (no app-token auth, loopback clients only): the clock,
 * fault injection, forcing a webhook off, the webhook attempt log, and creating extra stores.
 * They are not part of UnivaPay's API and never count against its rate limits.
 */
import { Router } from "@koa/router";
import { z } from "zod";
import { forbidden, notFound } from "../errors";
import type { RequestState, SandboxDeps } from "../http/context";
import { param } from "../http/scope";
import { parseInput } from "../http/validation";
import { isoTime } from "../ids";
import { FaultConfigSchema } from "../faults";
import type { CreateStoreOptions, SandboxCredentials } from "../processing/store-registry";
import { renderWebhook } from "../state/render";

const AdvanceSchema = z.object({ ms: z.number().int().min(0) });
const StoreSchema = z.object({
  name: z.string().min(1),
  mode: z.enum(["test", "live"]),
  pci: z.boolean().optional(),
  recurring_privilege: z.enum(["none", "bounded", "infinite"]).optional(),
  domains: z.array(z.string()).optional(),
  verified: z.boolean().optional(),
});
const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export function createAdminRoutes(deps: SandboxDeps, createStore: (o: CreateStoreOptions) => SandboxCredentials): Router<RequestState> {
  const router = new Router<RequestState>({ prefix: "/_sandbox" });
  router.use(async (ctx, next) => {
    if (!LOOPBACK.has(ctx.req.socket.remoteAddress ?? "")) throw forbidden();
    await next();
  });
  const clockView = (): Record<string, unknown> => ({ now: isoTime(deps.clock.now()), epoch_ms: deps.clock.now() });

  router.get("/clock", (ctx) => {
    ctx.body = clockView();
  });
  router.post("/clock/advance", async (ctx) => {
    await deps.clock.advance(parseInput(AdvanceSchema, ctx.state.body).ms);
    ctx.body = clockView();
  });

  router.get("/faults", (ctx) => {
    ctx.body = deps.faults.current();
  });
  router.post("/faults", (ctx) => {
    deps.faults.set(parseInput(FaultConfigSchema, ctx.state.body));
    ctx.body = deps.faults.current();
  });
  router.delete("/faults", (ctx) => {
    deps.faults.clear();
    ctx.status = 204;
  });

  router.post("/webhooks/:id/disable", (ctx) => {
    const hook = deps.state.webhooks.get(param(ctx, "id"));
    if (!hook) throw notFound();
    hook.active = false;
    hook.updatedAt = deps.clock.now();
    deps.state.changed(hook.id);
    ctx.body = renderWebhook(hook, deps.platformId);
  });

  router.get("/webhook-deliveries", (ctx) => {
    ctx.body = { items: deps.sender.attempts() };
  });

  router.post("/stores", (ctx) => {
    const b = parseInput(StoreSchema, ctx.state.body);
    ctx.status = 201;
    ctx.body = createStore({ name: b.name, mode: b.mode, pci: b.pci, recurringPrivilege: b.recurring_privilege, domains: b.domains, verified: b.verified });
  });

  return router;
}
