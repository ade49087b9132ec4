/**
 * /healthz (the process answers) and /readyz (database, UnivaPay and every merchant's credentials
 * are good: a load balancer should stop sending legacy requests we cannot serve), on the
 * merchants' port. Anonymous callers get states, never driver messages or host names.
 */
import Router from "@koa/router";
import { checkReadiness, publicReadiness, type ReadinessDeps } from "../../ops/readiness";

export function healthRoutes(deps: ReadinessDeps): Router {
  const router = new Router();
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });
  router.get("/readyz", async (ctx) => {
    const r = await checkReadiness(deps);
    ctx.status = r.ready ? 200 : 503;
    ctx.body = publicReadiness(r);
  });
  return router;
}
