/**
 * The UnivaPay REST endpoints the gateway uses (api doc §2.1–2.4), as typed methods. Paths,
 * schemas and polling live here; sending, retrying, rate limiting and error translation live in
 * univapay-transport.ts. Every POST takes the caller's Idempotency-Key: derive it from the legacy
 * request (deriveIdempotencyKey) so a retried legacy request re-sends the same key.
 */
import { z } from "zod";
import { createUnivapayTransport, UnivapayCredentials, UnivapayTransport, UnivapayTransportOptions } from "./univapay-transport";
import {
  Cancel,
  CancelSchema,
  CaptureBody,
  CaptureResponseSchema,
  Charge,
  ChargeSchema,
  CreateCancelBody,
  CreateChargeBody,
  CreateRefundBody,
  CreateTokenBody,
  Refund,
  RefundSchema,
  StoreInfo,
  StoreSchema,
  Webhook,
  WebhookBody,
  WebhookListSchema,
  WebhookSchema,
  TransactionToken,
  TransactionTokenSchema,
  CreateSubscriptionBody,
  Subscription,
  SubscriptionSchema,
  UpdateSubscriptionBody,
} from "./univapay-types";
import { waitUntilFinal } from "./wait-until-final";

export type { UnivapayCredentials };
export type UnivapayClientOptions = UnivapayTransportOptions;
export type GetOptions = { readonly polling?: boolean };
type C = UnivapayCredentials;

export interface UnivapayClient {
  /** POST /tokens. */
  createTransactionToken(c: C, body: CreateTokenBody, idempotencyKey: string): Promise<TransactionToken>;
  /** GET /stores/{s}/tokens/{id}. */
  getTransactionToken(c: C, tokenId: string): Promise<TransactionToken>;
  /** Polls the token (tokens have no long-poll) until isFinal or the deadline: a CVV authorisation. */
  waitForTransactionToken(c: C, tokenId: string, deadlineAt: number, isFinal: (t: TransactionToken) => boolean): Promise<TransactionToken>;
  /** POST /charges. */
  createCharge(c: C, body: CreateChargeBody, idempotencyKey: string): Promise<Charge>;
  /** GET /stores/{storeId}/charges/{id}[?polling=true]. */
  getCharge(c: C, chargeId: string, opts?: GetOptions): Promise<Charge>;
  /** Repeats GET ?polling=true (the server holds each call up to ~3 s) until isFinal(charge) or the
   *  deadline (epoch ms, same clock as `now`) passes; returns the last charge seen (maybe pending). */
  waitForCharge(c: C, chargeId: string, deadlineAt: number, isFinal: (ch: Charge) => boolean): Promise<Charge>;
  /** POST /stores/{s}/charges/{id}/capture (200; body empty or {amount, currency}). */
  captureCharge(c: C, chargeId: string, body: CaptureBody, idempotencyKey: string): Promise<void>;
  /** POST /stores/{s}/charges/{id}/cancels. */
  createCancel(c: C, chargeId: string, body: CreateCancelBody, idempotencyKey: string): Promise<Cancel>;
  getCancel(c: C, chargeId: string, cancelId: string, opts?: GetOptions): Promise<Cancel>;
  waitForCancel(c: C, chargeId: string, cancelId: string, deadlineAt: number, isFinal: (x: Cancel) => boolean): Promise<Cancel>;
  /** POST /stores/{s}/charges/{id}/refunds. */
  createRefund(c: C, chargeId: string, body: CreateRefundBody, idempotencyKey: string): Promise<Refund>;
  getRefund(c: C, chargeId: string, refundId: string, opts?: GetOptions): Promise<Refund>;
  waitForRefund(c: C, chargeId: string, refundId: string, deadlineAt: number, isFinal: (x: Refund) => boolean): Promise<Refund>;
  /** GET /stores/{s}/charges/{id}/refunds: the first page (up to `limit`). */
  listRefunds(c: C, chargeId: string, limit: number): Promise<Refund[]>;
  /** GET /stores/{s}/charges?metadata=key:value — charges we tagged (e.g. legacy-pid), newest first. */
  findChargesByMetadata(c: C, key: string, value: string): Promise<Charge[]>;
  /** POST /subscriptions. */
  createSubscription(c: C, body: CreateSubscriptionBody, idempotencyKey: string): Promise<Subscription>;
  /** GET /stores/{s}/subscriptions/{id}[?polling=true] (held while unverified). */
  getSubscription(c: C, subscriptionId: string, opts?: GetOptions): Promise<Subscription>;
  /** Long-polls the subscription until isFinal or the deadline (like waitForCharge). */
  waitForSubscription(c: C, subscriptionId: string, deadlineAt: number, isFinal: (s: Subscription) => boolean): Promise<Subscription>;
  /** PATCH /stores/{s}/subscriptions/{id}: suspend, resume (status unpaid), amount, card. */
  updateSubscription(c: C, subscriptionId: string, body: UpdateSubscriptionBody, idempotencyKey: string): Promise<Subscription>;
  /** DELETE /stores/{s}/subscriptions/{id}: permanent stop (204). */
  cancelSubscription(c: C, subscriptionId: string, idempotencyKey: string): Promise<void>;
  /** GET /stores/{s}/subscriptions?search=value — subscriptions whose metadata holds it (first page). */
  findSubscriptionsByMetadataValue(c: C, value: string): Promise<Subscription[]>;
  /** GET /stores/{s}/subscriptions/{id}/charges, every page, newest first. */
  listSubscriptionCharges(c: C, subscriptionId: string): Promise<Charge[]>;
  /** GET /stores/{storeId}: proves the app token and secret are valid for this store. One attempt:
   *  a start-up check wants the current truth, not a retried one. */
  getStore(c: C): Promise<StoreInfo>;
  /** GET /stores/{s}/webhooks (first page: a store has at most 20). */
  listWebhooks(c: C): Promise<Webhook[]>;
  /** POST /stores/{s}/webhooks. */
  createWebhook(c: C, body: WebhookBody, idempotencyKey: string): Promise<Webhook>;
  /** PATCH /stores/{s}/webhooks/{id}. */
  updateWebhook(c: C, webhookId: string, body: WebhookBody, idempotencyKey: string): Promise<Webhook>;
  /** GET /heartbeat, for /readyz: one attempt, no retries, no credentials. */
  heartbeat(): Promise<void>;
  /** The same client with every call bounded by `deadlineAt` (epoch ms): each HTTP attempt's
   *  timeout is cut to what is left, waits and polls end by then, and nothing is sent after it. */
  until(deadlineAt: number): UnivapayClient;
  /** Destroys the keep-alive agents. */
  close(): void;
}

export function createUnivapayClient(opts: UnivapayClientOptions): UnivapayClient {
  return clientOver(createUnivapayTransport(opts), undefined);
}

function clientOver(transport: UnivapayTransport, deadlineAt: number | undefined): UnivapayClient {
  const bound = deadlineAt === undefined ? {} : { deadlineAt };
  const by = (d: number): number => (deadlineAt === undefined ? d : Math.min(d, deadlineAt));
  const store = (c: C, ...segments: string[]): string => `/stores/${encodeURIComponent(c.storeId)}/${segments.map(encodeURIComponent).join("/")}`;
  const post = <T>(c: C, route: string, path: string, body: unknown, key: string, schema: z.ZodType<T>): Promise<T> =>
    transport.request({ method: "POST", route, path, creds: c, body, idempotencyKey: key, schema, ...bound });
  const get = <T>(c: C, route: string, path: string, o: GetOptions | undefined, schema: z.ZodType<T>): Promise<T> =>
    transport.request({ method: "GET", route, path, creds: c, polling: o?.polling, schema, ...bound });
  const CHARGE = "/stores/:storeId/charges/:chargeId";
  const SUBSCRIPTION = "/stores/:storeId/subscriptions/:subscriptionId";
  const SubscriptionListSchema = z.looseObject({ items: z.array(SubscriptionSchema), has_more: z.boolean().optional() });
  const ChargeListSchema = z.looseObject({ items: z.array(ChargeSchema), has_more: z.boolean().optional() });
  const RefundListSchema = z.looseObject({ items: z.array(RefundSchema), has_more: z.boolean().optional() });

  const client: UnivapayClient = {
    createTransactionToken: (c, body, key) => post(c, "/tokens", "/tokens", body, key, TransactionTokenSchema),
    getTransactionToken: (c, id) => get(c, "/stores/:storeId/tokens/:tokenId", store(c, "tokens", id), undefined, TransactionTokenSchema),
    waitForTransactionToken: (c, id, waitAt, isFinal) => waitUntilFinal(() => client.getTransactionToken(c, id), by(waitAt), isFinal, transport),
    createCharge: (c, body, key) => post(c, "/charges", "/charges", body, key, ChargeSchema),
    getCharge: (c, id, o) => get(c, CHARGE, store(c, "charges", id), o, ChargeSchema),
    waitForCharge: (c, id, waitAt, isFinal) => waitUntilFinal((polling) => client.getCharge(c, id, { polling }), by(waitAt), isFinal, transport),
    captureCharge: async (c, id, body, key) => {
      await transport.request({
        method: "POST",
        route: `${CHARGE}/capture`,
        path: store(c, "charges", id, "capture"),
        creds: c,
        body,
        idempotencyKey: key,
        schema: CaptureResponseSchema,
        allowEmpty: true,
        ...bound,
      });
    },
    createCancel: (c, id, body, key) => post(c, `${CHARGE}/cancels`, store(c, "charges", id, "cancels"), body, key, CancelSchema),
    getCancel: (c, id, cancelId, o) => get(c, `${CHARGE}/cancels/:cancelId`, store(c, "charges", id, "cancels", cancelId), o, CancelSchema),
    waitForCancel: (c, id, cancelId, waitAt, isFinal) =>
      waitUntilFinal((polling) => client.getCancel(c, id, cancelId, { polling }), by(waitAt), isFinal, transport),
    createRefund: (c, id, body, key) => post(c, `${CHARGE}/refunds`, store(c, "charges", id, "refunds"), body, key, RefundSchema),
    getRefund: (c, id, refundId, o) => get(c, `${CHARGE}/refunds/:refundId`, store(c, "charges", id, "refunds", refundId), o, RefundSchema),
    waitForRefund: (c, id, refundId, waitAt, isFinal) =>
      waitUntilFinal((polling) => client.getRefund(c, id, refundId, { polling }), by(waitAt), isFinal, transport),
    listRefunds: async (c, id, limit) =>
      (await get(c, `${CHARGE}/refunds`, `${store(c, "charges", id, "refunds")}?limit=${limit}`, undefined, RefundListSchema)).items,
    findChargesByMetadata: async (c, key, value) => {
      const query = `?metadata=${encodeURIComponent(`${key}:${value}`)}&limit=10`;
      const list = await get(c, "/stores/:storeId/charges", `${store(c, "charges")}${query}`, undefined, ChargeListSchema);
      return list.items;
    },
    createSubscription: (c, body, key) => post(c, "/subscriptions", "/subscriptions", body, key, SubscriptionSchema),
    getSubscription: (c, id, o) => get(c, SUBSCRIPTION, store(c, "subscriptions", id), o, SubscriptionSchema),
    waitForSubscription: (c, id, waitAt, isFinal) => waitUntilFinal((polling) => client.getSubscription(c, id, { polling }), by(waitAt), isFinal, transport),
    updateSubscription: (c, id, body, key) =>
      transport.request({
        method: "PATCH",
        route: SUBSCRIPTION,
        path: store(c, "subscriptions", id),
        creds: c,
        body,
        idempotencyKey: key,
        schema: SubscriptionSchema,
        ...bound,
      }),
    cancelSubscription: async (c, id, key) => {
      await transport.request({
        method: "DELETE",
        route: SUBSCRIPTION,
        path: store(c, "subscriptions", id),
        creds: c,
        idempotencyKey: key,
        schema: z.unknown(),
        allowEmpty: true,
        ...bound,
      });
    },
    findSubscriptionsByMetadataValue: async (c, value) => {
      const list = await get(
        c,
        "/stores/:storeId/subscriptions",
        `${store(c, "subscriptions")}?search=${encodeURIComponent(value)}&limit=10`,
        undefined,
        SubscriptionListSchema,
      );
      return list.items;
    },
    listSubscriptionCharges: async (c, id) => {
      // A subscription charges at most once per cycle (plus retries): a few pages even after years.
      const out: Charge[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const query = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const list = await get(c, `${SUBSCRIPTION}/charges`, `${store(c, "subscriptions", id, "charges")}${query}`, undefined, ChargeListSchema);
        out.push(...list.items);
        const last = list.items[list.items.length - 1];
        if (list.has_more !== true || !last) break;
        cursor = last.id;
      }
      return out;
    },
    getStore: (c) =>
      transport.request({
        method: "GET",
        route: "/stores/:storeId",
        path: `/stores/${encodeURIComponent(c.storeId)}`,
        creds: c,
        noRetry: true,
        schema: StoreSchema,
      }),
    listWebhooks: async (c) => (await get(c, "/stores/:storeId/webhooks", `${store(c, "webhooks")}?limit=100`, undefined, WebhookListSchema)).items,
    createWebhook: (c, body, key) => post(c, "/stores/:storeId/webhooks", store(c, "webhooks"), body, key, WebhookSchema),
    updateWebhook: (c, id, body, key) =>
      transport.request({
        method: "PATCH",
        route: "/stores/:storeId/webhooks/:webhookId",
        path: store(c, "webhooks", id),
        creds: c,
        body,
        idempotencyKey: key,
        schema: WebhookSchema,
        ...bound,
      }),
    heartbeat: async () => {
      // /readyz wants the current truth, fast: no retries; any 2xx body counts as alive.
      const call = { method: "GET", route: "/heartbeat", path: "/heartbeat", allowEmpty: true, noRetry: true } as const;
      await transport.request({ ...call, schema: z.unknown() });
    },
    until: (d) => clientOver(transport, by(d)),
    close: () => transport.close(),
  };
  return client;
}
