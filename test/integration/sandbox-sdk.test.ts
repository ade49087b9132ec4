/* The official univapay-node SDK, pointed at the sandbox, must work unmodified: this pins paths,
 * auth header, JSON casing, polling, headers and error parsing to what real clients expect. The
 * sandbox is driven ONLY through the SDK here, as a merchant would. */
import SDK, {
  CursorDirection,
  ResponseError,
  ResponseErrorCode,
  SubscriptionPeriod,
  SubscriptionStatus,
  WebHookTrigger,
  type ResponseCharge,
  type TransactionTokenCreateParams,
} from "univapay-node";
import { createManualClock, createSandbox, type Sandbox } from "../../src/sandbox/sandbox";
import { startWebhookReceiver, type WebhookReceiver } from "../../src/sandbox/testing/webhook-receiver";

const OK_CARD = "4000020000000000";
const SETTLE_MS = 200;

function cardToken(type: "one_time" | "subscription" | "recurring", cardNumber = OK_CARD): TransactionTokenCreateParams {
  // The SDK's type wants its PaymentType/TransactionTokenType enums; the wire values are the same strings.
  return {
    paymentType: "card",
    type,
    email: "a@example.com",
    data: { cardholder: "TARO YAMADA", cardNumber, expMonth: 12, expYear: 2099, cvv: 123 },
  } as unknown as TransactionTokenCreateParams;
}

describe("univapay-node SDK against the sandbox", () => {
  let sandbox: Sandbox;
  let sdk: SDK;
  let storeId: string;

  beforeEach(async () => {
    // Settlement waits for the test's clock, so every SDK poll is really held and then released.
    sandbox = createSandbox({ clock: createManualClock(), settleDelayMs: SETTLE_MS });
    const { url } = await sandbox.listen(0);
    sdk = new SDK({ endpoint: url, jwt: sandbox.demo.appToken, secret: sandbox.demo.secret });
    storeId = sandbox.demo.storeId;
  });
  afterEach(() => sandbox.close());

  /** Runs an SDK poll of `id`: once the sandbox holds the request, the clock settles the resource. */
  async function settled<T>(id: string, poll: () => Promise<T>): Promise<T> {
    const held = new Promise<void>((resolve) => {
      const off = sandbox.onPollHeld((heldId) => {
        if (heldId !== id) return;
        off();
        resolve();
      });
    });
    const result = poll();
    await held;
    await sandbox.clock.advance(SETTLE_MS);
    return result;
  }

  async function charge(params: { amount?: number; capture?: boolean; cardNumber?: string } = {}): Promise<ResponseCharge> {
    const token = await sdk.transactionTokens.create(cardToken("one_time", params.cardNumber));
    const created = await sdk.charges.create({ transactionTokenId: token.id, amount: params.amount ?? 1000, currency: "JPY", capture: params.capture ?? true });
    return settled(created.id, () => sdk.charges.poll(storeId, created.id));
  }

  it("decodes the app token, creates a token and charge, polls it, refunds it", async () => {
    expect(sdk.api.jwt).toMatchObject({ storeId, mode: "test", sub: "app_token" });
    const token = await sdk.transactionTokens.create(cardToken("one_time"));
    const created = await sdk.charges.create({ transactionTokenId: token.id, amount: 1200, currency: "JPY", metadata: { order_id: "A-1" } });
    const done = await settled(created.id, () => sdk.charges.poll(storeId, created.id));
    expect(done).toMatchObject({ status: "successful", chargedAmount: 1200, metadata: { order_id: "A-1" } });
    const refund = await sdk.refunds.create(storeId, created.id, { amount: 200, currency: "JPY" });
    const finished = await settled(refund.id, () => sdk.refunds.poll(storeId, created.id, refund.id));
    expect(finished.status).toBe("successful");
    await expect(sdk.api.ping()).resolves.toBeUndefined();
  });

  it("accepts metadata as the stringified JSON object the SDK's types allow", async () => {
    const token = await sdk.transactionTokens.create(cardToken("one_time"));
    const created = await sdk.charges.create({
      transactionTokenId: token.id,
      amount: 100,
      currency: "JPY",
      metadata: JSON.stringify({ order_id: "S-1", n: 2 }),
    });
    expect(created.metadata).toEqual({ order_id: "S-1", n: 2 });
  });

  it("surfaces sandbox errors as SDK ResponseErrors with code and HTTP status", async () => {
    const err: unknown = await sdk.charges.get(storeId, "00000000-0000-0000-0000-000000000000").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError).errorResponse).toMatchObject({ code: "NOT_FOUND", httpCode: 404 });
  });

  it("captures part of an authorization through sdk.captures", async () => {
    const authorized = await charge({ amount: 1000, capture: false });
    expect(authorized.status).toBe("authorized");
    // The doc's capture answer is 200 with no body (I1); the SDK resolves without throwing.
    await sdk.captures.create(storeId, authorized.id, { amount: 800, currency: "JPY" });
    const captured = await settled(authorized.id, () => sdk.charges.poll(storeId, authorized.id));
    expect(captured).toMatchObject({ status: "successful", chargedAmount: 800 });
  });

  it("cancels an authorization and polls the cancel", async () => {
    const authorized = await charge({ capture: false });
    const cancel = await sdk.cancels.create(storeId, authorized.id, {});
    expect((await settled(cancel.id, () => sdk.cancels.poll(storeId, authorized.id, cancel.id))).status).toBe("successful");
    expect((await sdk.charges.get(storeId, authorized.id)).status).toBe("canceled");
    const listed = await sdk.cancels.list(storeId, authorized.id);
    expect(listed.items.map((c) => c.id)).toEqual([cancel.id]);
  });

  it("refunds in full and in part, and refuses more than was charged", async () => {
    const full = await charge({ amount: 1000 });
    const r1 = await sdk.refunds.create(storeId, full.id, { amount: 1000, currency: "JPY", reason: "customer_request" } as never);
    expect(await settled(r1.id, () => sdk.refunds.poll(storeId, full.id, r1.id))).toMatchObject({ status: "successful", amount: 1000 });

    const part = await charge({ amount: 1000 });
    const r2 = await sdk.refunds.create(storeId, part.id, { amount: 400, currency: "JPY" });
    expect(await settled(r2.id, () => sdk.refunds.poll(storeId, part.id, r2.id))).toMatchObject({ status: "successful", amount: 400 });
    const err: unknown = await sdk.refunds.create(storeId, part.id, { amount: 601, currency: "JPY" }).catch((e: unknown) => e);
    expect((err as ResponseError).errorResponse).toMatchObject({ code: "REFUND_EXCEEDS_CHARGE_AMOUNT", httpCode: 400 });
    expect((await sdk.refunds.list(storeId, part.id)).items).toHaveLength(1);
  });

  it("lists charges page by page with the SDK's cursor parameters", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) ids.push((await charge({ amount: 100 + i })).id);
    const first = await sdk.charges.list({ limit: 10 }, undefined, storeId);
    expect(first).toMatchObject({ hasMore: true, totalHits: 12 });
    expect(first.items.map((c) => c.id)).toEqual([...ids].reverse().slice(0, 10));
    const cursor = first.items[first.items.length - 1]?.id;
    const second = await sdk.charges.list({ limit: 10, cursor }, undefined, storeId);
    expect(second.hasMore).toBe(false);
    expect(second.items.map((c) => c.id)).toEqual([ids[1], ids[0]]);
    const ascending = await sdk.charges.list({ limit: 10, cursor: ids[9], cursorDirection: CursorDirection.ASC });
    expect(ascending.items.map((c) => c.id)).toEqual([ids[10], ids[11]]);
  });

  it("creates, polls, suspends, resumes and cancels a subscription", async () => {
    const token = await sdk.transactionTokens.create(cardToken("subscription"));
    const created = await sdk.subscriptions.create({
      transactionTokenId: token.id,
      amount: 3000,
      currency: "JPY",
      period: SubscriptionPeriod.MONTHLY,
      metadata: { plan: "basic" },
    });
    expect(created).toMatchObject({ status: "unverified", storeId, nextPayment: { dueDate: "2025-01-06" } });
    const { subscription, charge: first } = await settled(created.id, () => sdk.subscriptions.pollSubscriptionWithFirstCharge(storeId, created.id));
    expect(subscription).toMatchObject({ status: "current", nextPayment: { dueDate: "2025-02-06" }, metadata: { plan: "basic" } });
    expect(first).toMatchObject({ subscriptionId: created.id, status: "successful", chargedAmount: 3000 });

    expect((await sdk.subscriptions.suspend(storeId, created.id)).status).toBe("suspended");
    expect((await sdk.subscriptions.unsuspend(storeId, created.id)).status).toBe("unpaid");
    expect((await sdk.subscriptions.update(storeId, created.id, { status: SubscriptionStatus.SUSPENDED })).status).toBe("suspended");
    expect((await sdk.subscriptions.update(storeId, created.id, { status: SubscriptionStatus.CURRENT })).status).toBe("unpaid");
    const payments = await sdk.subscriptions.payments.list(storeId, created.id);
    expect(payments.items.map((p) => [p.dueDate, p.isPaid])).toEqual([
      ["2025-02-06", false],
      ["2025-01-06", true],
    ]);

    await expect(sdk.subscriptions.delete(storeId, created.id)).resolves.toBe("");
    expect((await sdk.subscriptions.get(storeId, created.id)).status).toBe("canceled");
    const listed = await sdk.subscriptions.list({ status: SubscriptionStatus.CANCELED }, undefined, storeId);
    expect(listed.items.map((s) => s.id)).toEqual([created.id]);
  });

  describe("with a webhook receiver", () => {
    let receiver: WebhookReceiver;
    beforeEach(async () => {
      receiver = await startWebhookReceiver([200]);
    });
    afterEach(() => receiver.close());

    it("registers a webhook and delivers charge and subscription events to it", async () => {
      const hook = await sdk.webHooks.create({
        url: receiver.url,
        triggers: [WebHookTrigger.CHARGE_FINISHED, WebHookTrigger.SUBSCRIPTION_CREATED, WebHookTrigger.SUBSCRIPTION_PAYMENT],
        authToken: "shared-secret",
      });
      expect(hook).toMatchObject({ url: receiver.url, active: true, storeId });
      expect((await sdk.webHooks.list()).items.map((w) => w.id)).toEqual([hook.id]);

      const paid = await charge();
      const token = await sdk.transactionTokens.create(cardToken("subscription", "5555555555554444"));
      const sub = await sdk.subscriptions.create({ transactionTokenId: token.id, amount: 500, currency: "JPY", period: SubscriptionPeriod.WEEKLY });
      await settled(sub.id, () => sdk.subscriptions.poll(storeId, sub.id));
      const got = await receiver.waitFor(3);
      expect(got.map((r) => [r.body["event"], (r.body["data"] as Record<string, unknown>)["id"]])).toEqual(
        expect.arrayContaining([
          ["charge_finished", paid.id],
          ["subscription_created", sub.id],
          ["subscription_payment", sub.id],
        ]),
      );
      expect(got.every((r) => r.headers["authorization"] === "shared-secret" && r.body["webhook_id"] === hook.id)).toBe(true);
    });
  });

  it("exposes Idempotency-Status through the SDK's response event and replays the stored charge", async () => {
    const statuses: Array<string | null> = [];
    sdk.api.on("response", (res: Response) => statuses.push(res.headers.get("Idempotency-Status")));
    const token = await sdk.transactionTokens.create(cardToken("recurring"));
    const params = { transactionTokenId: token.id, amount: 700, currency: "JPY" };
    const a = await sdk.charges.create(params, { idempotentKey: "order-42" });
    const b = await sdk.charges.create(params, { idempotentKey: "order-42" });
    expect(b.id).toBe(a.id);
    expect(statuses).toEqual([null, "successfully_stored", "retrieved_idempotent_response"]);
    const err: unknown = await sdk.refunds.create(storeId, a.id, { amount: 1, currency: "JPY" }, { idempotentKey: "order-42" }).catch((e: unknown) => e);
    expect((err as ResponseError).errorResponse).toMatchObject({ code: "IDEMPOTENCY_KEY_CONFLICT", httpCode: 409 });
    expect(statuses[statuses.length - 1]).toBe("conflicting_key");
  });

  it('filters lists with the SDK\'s own parameters: charges by `metadata: "key: value"`, tokens by customerId', async () => {
    const tagged = await sdk.transactionTokens.create({
      ...cardToken("recurring"),
      metadata: { "univapay-customer-id": "11ef0000-0000-4000-8000-000000000001" },
    });
    await sdk.transactionTokens.create(cardToken("recurring"));
    const a = await sdk.charges.create({ transactionTokenId: tagged.id, amount: 500, currency: "JPY", metadata: { order: "A-1" } });
    await sdk.charges.create({ transactionTokenId: tagged.id, amount: 600, currency: "JPY", metadata: { order: "B-2" } });
    expect((await sdk.charges.list({ metadata: "order: A-1" })).items.map((c) => c.id)).toEqual([a.id]);
    expect((await sdk.charges.list({ metadata: "order: A-1" }, undefined, storeId)).items.map((c) => c.id)).toEqual([a.id]);
    const tokens = await sdk.transactionTokens.list({ customerId: "11ef0000-0000-4000-8000-000000000001" });
    expect(tokens.items.map((t) => t.id)).toEqual([tagged.id]);
  });

  it("gets 429 as the SDK's TOO_MANY_REQUESTS after a burst on one path (exact bucket: 10)", async () => {
    const c = await charge();
    const results = await Promise.allSettled(Array.from({ length: 11 }, () => sdk.charges.get(storeId, c.id)));
    // The poll above used another exact bucket (its query has polling=true).
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(ResponseError);
    expect((rejected[0]?.reason as ResponseError).errorResponse).toMatchObject({ code: ResponseErrorCode.TooManyRequests, httpCode: 429 });
  });
});
