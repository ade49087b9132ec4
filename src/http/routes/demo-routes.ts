/**
 * A built-in merchant kickback receiver for the demo (embedded sandbox only): records what it is
 * sent and answers "OK", so `npm start` shows the whole loop without a merchant site.
 */
import Router from "@koa/router";

export interface DemoReceiver {
  readonly received: Array<{ at: string; query: string; fields: Record<string, string> }>;
}

export function demoRoutes(receiver: DemoReceiver): Router {
  const router = new Router();
  router.get("/demo/kickback", (ctx) => {
    const q = ctx.querystring;
    receiver.received.push({ at: new Date().toISOString(), query: q, fields: Object.fromEntries(new URLSearchParams(q)) });
    if (receiver.received.length > 1000) receiver.received.shift();
    ctx.type = "text/plain";
    ctx.body = "OK";
  });
  router.get("/demo/kickbacks", (ctx) => {
    ctx.body = { received: receiver.received };
  });
  return router;
}
