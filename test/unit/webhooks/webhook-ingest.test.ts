import { createMerchantRegistry, type Merchant } from "../../../src/config/merchants";
import { Secret } from "../../../src/logging/logger";
import { createWebhookAuthenticator, dedupeKeyOf } from "../../../src/webhooks/webhook-ingest";

const merchant = (sid: string, token: string): Merchant => ({
  sid,
  name: sid,
  mode: "test",
  credentials: { storeId: `store-${sid}`, appToken: new Secret("jwt"), secret: new Secret("s") },
  webhookToken: new Secret(token),
  kickbackUrl: undefined,
  kickbackUrls: {},
  charset: "auto",
  returnUrls: {},
  allowedSources: undefined,
  gatewayCardPayments: false,
});

describe("createWebhookAuthenticator", () => {
  const auth = createWebhookAuthenticator(createMerchantRegistry([merchant("1", "tok-one"), merchant("2", "tok-two"), merchant("3", "")]));

  it("finds the merchant whose token arrives verbatim, or with a Bearer prefix", () => {
    expect(auth("tok-two")?.sid).toBe("2");
    expect(auth("Bearer tok-one")?.sid).toBe("1");
    expect(auth("  tok-one ")?.sid).toBe("1");
  });

  it("refuses missing, empty, wrong and near-miss tokens", () => {
    expect(auth(undefined)).toBeUndefined();
    expect(auth("")).toBeUndefined();
    expect(auth("tok-on")).toBeUndefined();
    expect(auth("TOK-ONE")).toBeUndefined();
    expect(auth("Bearer ")).toBeUndefined();
  });
});

describe("dedupeKeyOf", () => {
  it("uses the delivery id when UnivaPay sends one, else event + resource + status", () => {
    expect(dedupeKeyOf({ id: "e1", event: "charge_finished", data: { id: "c1", status: "successful" } })).toBe("id:e1");
    expect(dedupeKeyOf({ event: "charge_finished", data: { id: "c1", status: "failed" } })).toBe("ev:charge_finished:c1:failed");
  });
});
