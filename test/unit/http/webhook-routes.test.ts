/**
 * The webhook route's answer contract with UnivaPay, on a real Koa app over HTTP with a store that
 * fails: a genuine delivery we cannot store gets 503 (retried, never disabling the webhook), never
 * a 500, a 4xx or a redirect.
 */
import type { AddressInfo } from "node:net";
import axios from "axios";
import Koa from "koa";
import { createMerchantRegistry, type Merchant } from "../../../src/config/merchants";
import { requestId } from "../../../src/http/middleware/request-id";
import { webhookRoutes } from "../../../src/http/routes/webhook-routes";
import { createLogger, Secret } from "../../../src/logging/logger";
import { createMetrics } from "../../../src/ops/metrics";
import type { Store } from "../../../src/store/store-types";

const merchant: Merchant = {
  sid: "1",
  name: "m",
  mode: "test",
  credentials: { storeId: "s", appToken: new Secret("a"), secret: new Secret("b") },
  webhookToken: new Secret("hook-token"),
  kickbackUrl: undefined,
  kickbackUrls: {},
  charset: "auto",
  returnUrls: {},
  allowedSources: undefined,
  gatewayCardPayments: false,
};

async function serve(insertWebhookEvent: Store["insertWebhookEvent"]) {
  const app = new Koa();
  app.use(requestId(createLogger({ level: "silent" })));
  const store = { insertWebhookEvent } as unknown as Store;
  const r = webhookRoutes({
    store,
    merchants: createMerchantRegistry([merchant]),
    metrics: createMetrics(),
    now: () => new Date(),
    onStored: () => undefined,
    onAuthenticated: () => undefined,
  });
  app.use(r.routes());
  const server = app.listen(0, "127.0.0.1");
  await new Promise((res) => server.once("listening", res));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((res) => server.close(res)) };
}

const body = { id: "e1", event: "charge_finished", data: { id: "c1", status: "successful" } };

describe("POST /webhooks/univapay", () => {
  it("answers 503 when the delivery cannot be stored", async () => {
    const s = await serve(() => Promise.reject(new Error("database is down")));
    try {
      const res = await axios.post(`${s.url}/webhooks/univapay`, body, {
        headers: { Authorization: "hook-token" },
        validateStatus: () => true,
        maxRedirects: 0,
      });
      expect(res.status).toBe(503);
    } finally {
      await s.close();
    }
  });

  it("answers 200 once stored, and 200 to a redelivery", async () => {
    const seen = new Set<string>();
    const s = await serve(async (e) => (seen.has(e.dedupeKey) ? false : (seen.add(e.dedupeKey), true)));
    try {
      const post = () => axios.post(`${s.url}/webhooks/univapay`, body, { headers: { Authorization: "hook-token" }, validateStatus: () => true });
      expect([(await post()).status, (await post()).status]).toEqual([200, 200]);
      expect(seen.size).toBe(1);
    } finally {
      await s.close();
    }
  });
});
