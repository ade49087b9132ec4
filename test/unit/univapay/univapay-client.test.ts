import nock from "nock";
import { AppError, isAppError } from "../../../src/errors/app-error";
import {
  BASE_URL,
  buildCharge,
  buildCredentials,
  buildToken,
  CHARGE_ID,
  createCapturingLogger,
  createHarness,
  Harness,
  JWT,
  SECRET,
  STORE_ID,
  TOKEN_ID,
} from "./univapay-fixtures";

const creds = buildCredentials();
const chargePath = `/stores/${STORE_ID}/charges/${CHARGE_ID}`;
const chargeBody = { transaction_token_id: TOKEN_ID, amount: 1000, currency: "JPY" };

async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected an AppError, got success");
}

describe("createUnivapayClient", () => {
  let h: Harness;
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  beforeEach(() => {
    h = createHarness();
  });
  afterEach(() => {
    h.client.close();
    nock.abortPendingRequests();
    nock.cleanAll();
  });

  describe("headers", () => {
    it("sends Bearer secret.jwt, JSON content headers and the given Idempotency-Key on POST", async () => {
      const scope = nock(BASE_URL, {
        reqheaders: {
          authorization: `Bearer ${SECRET}.${JWT}`,
          "content-type": "application/json",
          accept: "application/json",
          "idempotency-key": "ccps-key-1",
        },
      })
        .post("/charges", chargeBody)
        .reply(201, buildCharge());
      const charge = await h.client.createCharge(creds, chargeBody, "ccps-key-1");
      expect(charge.id).toBe(CHARGE_ID);
      expect(scope.isDone()).toBe(true);
    });

    it("sends no Idempotency-Key and no Content-Type on GET", async () => {
      nock(BASE_URL, { badheaders: ["idempotency-key", "content-type"] })
        .get(chargePath)
        .reply(200, buildCharge());
      await expect(h.client.getCharge(creds, CHARGE_ID)).resolves.toMatchObject({ id: CHARGE_ID });
    });

    it("uses Bearer jwt alone when the secret is empty", async () => {
      const { Secret } = await import("../../../src/logging/logger");
      nock(BASE_URL, { reqheaders: { authorization: `Bearer ${JWT}` } })
        .get(chargePath)
        .reply(200, buildCharge());
      await h.client.getCharge(buildCredentials({ secret: new Secret("") }), CHARGE_ID);
    });

    it("adds ?polling=true when asked", async () => {
      nock(BASE_URL).get(chargePath).query({ polling: "true" }).reply(200, buildCharge());
      await expect(h.client.getCharge(creds, CHARGE_ID, { polling: true })).resolves.toBeDefined();
    });

    it("refuses a POST without an Idempotency-Key (a bug, not an AppError)", async () => {
      await expect(h.client.createCharge(creds, chargeBody, "")).rejects.toThrow(/Idempotency-Key is required/);
    });

    it("never logs the secret, the app token or card data", async () => {
      nock(BASE_URL)
        .post("/tokens")
        .reply(400, { status: "error", code: "VALIDATION_ERROR", errors: [{ field: "card_number", reason: "INVALID_CARD_NUMBER" }] });
      const body = {
        payment_type: "card" as const,
        type: "one_time" as const,
        email: "a@example.com",
        data: { cardholder: "TARO YAMADA", card_number: "4242424242424242", exp_month: "12", exp_year: "2030", cvv: "123" },
      };
      await caught(h.client.createTransactionToken(creds, body, "k"));
      const all = h.logs.join("\n");
      expect(all).not.toContain(SECRET);
      expect(all).not.toContain(JWT);
      expect(all).not.toContain("4242424242424242");
      expect(all).toContain("INVALID_CARD_NUMBER");
    });

    it("keeps credentials and card data out of a logged transport error", async () => {
      nock(BASE_URL).post("/tokens").replyWithError({ code: "ECONNRESET", message: "socket hang up" });
      const body = {
        payment_type: "card" as const,
        type: "one_time" as const,
        data: { cardholder: "TARO YAMADA", card_number: "4000020000000000", exp_month: "12", exp_year: "2030", cvv: "987" },
      };
      const e = await caught(h.client.createTransactionToken(creds, body, "k"));
      const { logger, logs } = createCapturingLogger();
      logger.error({ err: e }, "as a flow would log it");
      const line = logs.join("\n");
      expect(line).toContain("ECONNRESET");
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(JWT);
      expect(line).not.toContain("4000020000000000");
      expect(line).not.toContain("987");
    });
  });

  describe("success parsing", () => {
    it("parses a 201 token and keeps unknown keys", async () => {
      nock(BASE_URL)
        .post("/tokens")
        .reply(201, buildToken({ brand_new_field: "x" }));
      const body = {
        payment_type: "card" as const,
        type: "one_time" as const,
        data: { cardholder: "TARO YAMADA", card_number: "4000020000000000", exp_month: "12", exp_year: "2030", cvv: "123" },
      };
      const token = await h.client.createTransactionToken(creds, body, "k");
      expect(token).toMatchObject({ id: TOKEN_ID, type: "one_time", brand_new_field: "x" });
    });

    it("accepts an empty 200 capture body", async () => {
      const scope = nock(BASE_URL, { reqheaders: { "idempotency-key": "cap-1" } })
        .post(`${chargePath}/capture`, { amount: 1000, currency: "JPY" })
        .reply(200, "");
      await expect(h.client.captureCharge(creds, CHARGE_ID, { amount: 1000, currency: "JPY" }, "cap-1")).resolves.toBeUndefined();
      expect(scope.isDone()).toBe(true);
    });

    it("accepts a {amount,currency} capture body", async () => {
      nock(BASE_URL).post(`${chargePath}/capture`).reply(200, { amount: 1000, currency: "JPY" });
      await expect(h.client.captureCharge(creds, CHARGE_ID, { amount: 1000, currency: "JPY" }, "cap-1")).resolves.toBeUndefined();
    });

    it("creates and reads cancels and refunds on the store-scoped paths", async () => {
      const cancel = {
        id: "c1",
        charge_id: CHARGE_ID,
        store_id: STORE_ID,
        status: "pending",
        error: null,
        metadata: {},
        mode: "test",
        created_on: "2024-01-01T00:00:00Z",
      };
      const refund = { ...cancel, id: "r1", amount: 500, currency: "JPY", reason: "customer_request", message: null };
      nock(BASE_URL)
        .post(`${chargePath}/cancels`, {})
        .reply(201, cancel)
        .get(`${chargePath}/cancels/c1`)
        .reply(200, { ...cancel, status: "successful" })
        .post(`${chargePath}/refunds`, { amount: 500, currency: "JPY" })
        .reply(201, refund)
        .get(`${chargePath}/refunds/r1`)
        .query({ polling: "true" })
        .reply(200, { ...refund, status: "failed", error: { code: 329, message: "refund failed", detail: "d" } });
      await expect(h.client.createCancel(creds, CHARGE_ID, {}, "k1")).resolves.toMatchObject({ id: "c1" });
      await expect(h.client.getCancel(creds, CHARGE_ID, "c1")).resolves.toMatchObject({ status: "successful" });
      await expect(h.client.createRefund(creds, CHARGE_ID, { amount: 500, currency: "JPY" }, "k2")).resolves.toMatchObject({ id: "r1" });
      const r = await h.client.getRefund(creds, CHARGE_ID, "r1", { polling: true });
      expect(r.error).toMatchObject({ code: 329, details: "d" });
    });
  });

  describe("error classification", () => {
    it("maps 400 VALIDATION_ERROR to univapay_rejected with the fields", async () => {
      nock(BASE_URL)
        .post("/charges")
        .reply(400, { status: "error", code: "VALIDATION_ERROR", errors: [{ field: "amount", reason: "Charge amount must exceed 100" }] });
      const e = await caught(h.client.createCharge(creds, chargeBody, "k"));
      expect(e.code).toBe("univapay_rejected");
      expect(e.httpStatus).toBe(502);
      expect(e.retryable).toBe(false);
      expect(e.opts.upstream).toEqual({
        httpStatus: 400,
        code: "VALIDATION_ERROR",
        fields: [{ field: "amount", reason: "Charge amount must exceed 100" }],
        outcomeUnknown: false,
      });
      expect(e.details).toEqual([{ path: "amount", message: "Charge amount must exceed 100" }]);
    });

    it("maps a bodiless 404 to univapay_rejected NOT_FOUND", async () => {
      nock(BASE_URL).get(chargePath).reply(404, "");
      const e = await caught(h.client.getCharge(creds, CHARGE_ID));
      expect(e.code).toBe("univapay_rejected");
      expect(e.opts.upstream).toMatchObject({ httpStatus: 404, code: "NOT_FOUND" });
    });

    it("maps 401 to univapay_rejected and logs ERROR once per store", async () => {
      nock(BASE_URL).get(chargePath).times(2).reply(401, { status: "error", code: "INVALID_APP_TOKEN" });
      const e1 = await caught(h.client.getCharge(creds, CHARGE_ID));
      await caught(h.client.getCharge(creds, CHARGE_ID));
      expect(e1.code).toBe("univapay_rejected");
      expect(e1.opts.upstream).toMatchObject({ httpStatus: 401, code: "INVALID_APP_TOKEN" });
      const errors = h.logs.filter((l) => l.includes('"level":"error"'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain("credentials");
    });

    it("retries a GET after 503, 503 and succeeds, sleeping with growing backoff", async () => {
      const scope = nock(BASE_URL).get(chargePath).times(2).reply(503, "").get(chargePath).reply(200, buildCharge());
      await expect(h.client.getCharge(creds, CHARGE_ID)).resolves.toMatchObject({ id: CHARGE_ID });
      expect(scope.isDone()).toBe(true);
      // random() = 0.5 → 75 % of 200·2^n
      expect(h.sleeps).toEqual([150, 300]);
    });

    it("gives up on a GET after 1 + getRetries 500s with a retryable univapay_unavailable", async () => {
      const scope = nock(BASE_URL).get(chargePath).times(4).reply(500, { status: "error", code: "UNKNOWN_ERROR" });
      const e = await caught(h.client.getCharge(creds, CHARGE_ID));
      expect(scope.isDone()).toBe(true);
      expect(e.code).toBe("univapay_unavailable");
      expect(e.retryable).toBe(true);
      expect(e.opts.upstream).toMatchObject({ httpStatus: 500, code: "UNKNOWN_ERROR", outcomeUnknown: false });
      expect(h.sleeps).toHaveLength(3);
    });

    it("retries a GET after a connection reset", async () => {
      nock(BASE_URL).get(chargePath).replyWithError({ code: "ECONNRESET", message: "socket hang up" }).get(chargePath).reply(200, buildCharge());
      await expect(h.client.getCharge(creds, CHARGE_ID)).resolves.toBeDefined();
      expect(h.sleeps).toHaveLength(1);
    });

    it("never retries a POST that got a 500, and flags the outcome unknown", async () => {
      let seen = 0;
      nock(BASE_URL)
        .post("/charges")
        .times(5)
        .reply(() => {
          seen++;
          return [500, { status: "error", code: "UNKNOWN_ERROR" }];
        });
      const e = await caught(h.client.createCharge(creds, chargeBody, "k"));
      expect(seen).toBe(1);
      expect(e.code).toBe("univapay_unavailable");
      expect(e.retryable).toBe(false);
      expect(e.opts.upstream).toMatchObject({ httpStatus: 500, outcomeUnknown: true });
      expect(h.sleeps).toEqual([]);
    });

    it("flags a POST timeout as outcome unknown", async () => {
      h.client.close();
      h = createHarness({ timeoutMs: 20 });
      nock(BASE_URL).post("/charges").delay(1_000).reply(201, buildCharge());
      const e = await caught(h.client.createCharge(creds, chargeBody, "k"));
      expect(e.code).toBe("univapay_unavailable");
      expect(e.httpStatus).toBe(504);
      expect(e.opts.upstream).toMatchObject({ outcomeUnknown: true });
      expect(e.opts.upstream?.httpStatus).toBeUndefined();
    });

    it("flags a refused POST as retryable with outcome known (never sent)", async () => {
      nock(BASE_URL).post("/charges").replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" });
      const e = await caught(h.client.createCharge(creds, chargeBody, "k"));
      expect(e.code).toBe("univapay_unavailable");
      expect(e.retryable).toBe(true);
      expect(e.opts.upstream).toMatchObject({ outcomeUnknown: false });
    });

    it("flags a POST connection reset as outcome unknown", async () => {
      nock(BASE_URL).post("/charges").replyWithError({ code: "ECONNRESET", message: "socket hang up" });
      const e = await caught(h.client.createCharge(creds, chargeBody, "k"));
      expect(e.opts.upstream).toMatchObject({ outcomeUnknown: true });
    });

    it("turns a non-JSON 2xx into univapay_unavailable (outcome unknown for POST), not a crash", async () => {
      nock(BASE_URL).post("/charges").reply(201, "<html>oops", { "Content-Type": "text/html" });
      const e = await caught(h.client.createCharge(creds, chargeBody, "k"));
      expect(e.code).toBe("univapay_unavailable");
      expect(e.opts.upstream).toMatchObject({ httpStatus: 201, outcomeUnknown: true });
    });

    it("turns a 2xx that fails the schema into univapay_unavailable", async () => {
      nock(BASE_URL).get(chargePath).reply(200, { id: CHARGE_ID, status: 7 });
      const e = await caught(h.client.getCharge(creds, CHARGE_ID));
      expect(e.code).toBe("univapay_unavailable");
      expect(e.message).toMatch(/malformed response/);
      expect(e.opts.upstream?.outcomeUnknown).toBe(false);
    });

    it("treats a redirect as unavailable and does not follow it", async () => {
      nock(BASE_URL).post("/charges").reply(302, "", { Location: "https://elsewhere.test/" });
      const e = await caught(h.client.createCharge(creds, chargeBody, "k"));
      expect(e.code).toBe("univapay_unavailable");
      expect(e.opts.upstream).toMatchObject({ httpStatus: 302, outcomeUnknown: true });
    });
  });

  describe("429 handling", () => {
    it("retries a POST after 429 with the same Idempotency-Key", async () => {
      const keys: unknown[] = [];
      nock(BASE_URL)
        .post("/charges")
        .reply(function () {
          keys.push(this.req.headers["idempotency-key"]);
          return [429, ""];
        })
        .post("/charges")
        .reply(function () {
          keys.push(this.req.headers["idempotency-key"]);
          return [201, buildCharge()];
        });
      await expect(h.client.createCharge(creds, chargeBody, "same-key")).resolves.toMatchObject({ id: CHARGE_ID });
      expect(keys).toEqual(["same-key", "same-key"]);
      expect(h.sleeps).toEqual([188]); // 250 · 0.75, rounded
    });

    it("honours Retry-After", async () => {
      nock(BASE_URL).get(chargePath).reply(429, "", { "Retry-After": "1" }).get(chargePath).reply(200, buildCharge());
      await h.client.getCharge(creds, CHARGE_ID);
      expect(h.sleeps).toEqual([1000]);
    });

    it("fails fast when Retry-After exceeds maxRateLimitWaitMs", async () => {
      const scope = nock(BASE_URL).get(chargePath).reply(429, "", { "Retry-After": "30" });
      const e = await caught(h.client.getCharge(creds, CHARGE_ID));
      expect(scope.isDone()).toBe(true);
      expect(e.code).toBe("univapay_unavailable");
      expect(h.sleeps).toEqual([]);
    });

    it("gives up after 3 retries with a retryable univapay_unavailable (not processed)", async () => {
      const scope = nock(BASE_URL).post("/charges").times(4).reply(429, "");
      const e = await caught(h.client.createCharge(creds, chargeBody, "k"));
      expect(scope.isDone()).toBe(true);
      expect(e.code).toBe("univapay_unavailable");
      expect(e.retryable).toBe(true);
      expect(e.opts.upstream).toMatchObject({ httpStatus: 429, code: "TOO_MANY_REQUESTS", outcomeUnknown: false });
      expect(h.sleeps).toEqual([188, 375, 750]);
    });

    it("does not retry the SERVICE_RESTRICTED IP lock", async () => {
      const scope = nock(BASE_URL).post("/charges").reply(429, { status: "error", code: "SERVICE_RESTRICTED" });
      const e = await caught(h.client.createCharge(creds, chargeBody, "k"));
      expect(scope.isDone()).toBe(true);
      expect(e.retryable).toBe(false);
      expect(e.opts.upstream).toMatchObject({ code: "SERVICE_RESTRICTED", outcomeUnknown: false });
    });
  });

  describe("client-side rate limit", () => {
    it("waits for refill once the charge bucket is drained, then fails fast past maxRateLimitWaitMs", async () => {
      // The server says 0 left at 3000/min (= 1 token per 20 ms).
      nock(BASE_URL).post("/charges").reply(201, buildCharge(), { "X-Remaining-Requests": "0", "X-Requests-Per-Minute": "3000" });
      await h.client.createCharge(creds, chargeBody, "k1");
      nock(BASE_URL).post("/charges").reply(201, buildCharge());
      await h.client.createCharge(creds, chargeBody, "k2");
      expect(h.sleeps).toEqual([20]);

      h.client.close();
      h = createHarness({ maxRateLimitWaitMs: 10 });
      nock(BASE_URL).post("/charges").reply(201, buildCharge(), { "X-Remaining-Requests": "0", "X-Requests-Per-Minute": "3000" });
      await h.client.createCharge(creds, chargeBody, "k1");
      const e = await caught(h.client.createCharge(creds, chargeBody, "k2"));
      expect(e.code).toBe("univapay_unavailable");
      expect(e.retryable).toBe(true);
      expect(e.opts.upstream).toMatchObject({ code: "RATE_LIMITED", outcomeUnknown: false });
      expect(nock.pendingMocks()).toEqual([]);
    });

    it("drains the documented 100-token charge burst without headers, then waits", async () => {
      nock(BASE_URL).post("/charges").times(101).reply(201, buildCharge());
      for (let i = 0; i < 101; i++) await h.client.createCharge(creds, chargeBody, `k${i}`);
      expect(h.sleeps).toEqual([20]);
    });

    it("resyncs the standard bucket from the stricter of route and exact headers", async () => {
      nock(BASE_URL).get(chargePath).reply(200, buildCharge(), {
        "X-Remaining-Requests-Route": "29",
        "X-Remaining-Requests-Exact": "0",
        "X-Requests-Per-Minute-Route": "600",
        "X-Requests-Per-Minute-Exact": "120",
      });
      await h.client.getCharge(creds, CHARGE_ID);
      nock(BASE_URL).get(chargePath).reply(200, buildCharge());
      await h.client.getCharge(creds, CHARGE_ID);
      expect(h.sleeps).toEqual([100]); // 600/min → 1 token per 100 ms
    });

    it("keeps stores apart", async () => {
      nock(BASE_URL).post("/charges").reply(201, buildCharge(), { "X-Remaining-Requests": "0" });
      await h.client.createCharge(creds, chargeBody, "k1");
      nock(BASE_URL).post("/charges").reply(201, buildCharge());
      await h.client.createCharge(buildCredentials({ storeId: "other-store" }), chargeBody, "k2");
      expect(h.sleeps).toEqual([]);
    });
  });

  describe("waitForCharge", () => {
    const isFinal = (c: { status: string }) => c.status !== "pending";

    it("returns as soon as the status leaves pending", async () => {
      const scope = nock(BASE_URL)
        .get(chargePath)
        .query({ polling: "true" })
        .times(2)
        .reply(200, buildCharge())
        .get(chargePath)
        .query({ polling: "true" })
        .reply(200, buildCharge({ status: "successful", charged_amount: 1000, charged_currency: "JPY" }));
      const ch = await h.client.waitForCharge(creds, CHARGE_ID, h.now() + 30_000, isFinal);
      expect(ch.status).toBe("successful");
      expect(scope.isDone()).toBe(true);
      expect(h.sleeps).toEqual([1000, 1000]);
    });

    it("returns the pending charge at the deadline, using plain GETs when under 3 s remain", async () => {
      // 4.5 s and 3.5 s left → held polls; 2.5, 1.5 and 0.5 s left → plain GETs (a hold would overrun).
      const polls = nock(BASE_URL).get(chargePath).query({ polling: "true" }).times(2).reply(200, buildCharge());
      const plain = nock(BASE_URL).get(chargePath).times(3).reply(200, buildCharge());
      const deadline = h.now() + 4_500;
      const ch = await h.client.waitForCharge(creds, CHARGE_ID, deadline, isFinal);
      expect(ch.status).toBe("pending");
      expect(polls.isDone()).toBe(true);
      expect(plain.isDone()).toBe(true);
      expect(h.now()).toBe(deadline);
      expect(h.sleeps).toEqual([1000, 1000, 1000, 1000, 500]);
    });

    it("returns the last state seen when a later poll fails after its retries", async () => {
      nock(BASE_URL).get(chargePath).query(true).reply(200, buildCharge()).get(chargePath).query(true).times(4).reply(503, "");
      const ch = await h.client.waitForCharge(creds, CHARGE_ID, h.now() + 60_000, isFinal);
      expect(ch.status).toBe("pending");
    });

    it("throws when the first poll fails", async () => {
      nock(BASE_URL).get(chargePath).query(true).reply(404, { status: "error", code: "NOT_FOUND" });
      const e = await caught(h.client.waitForCharge(creds, CHARGE_ID, h.now() + 60_000, isFinal));
      expect(e.code).toBe("univapay_rejected");
    });
  });

  describe("heartbeat", () => {
    it("resolves on 200 and fails once without retry on 503", async () => {
      nock(BASE_URL, { badheaders: ["authorization"] })
        .get("/heartbeat")
        .reply(200, "")
        .get("/heartbeat")
        .reply(503, "");
      await expect(h.client.heartbeat()).resolves.toBeUndefined();
      const e = await caught(h.client.heartbeat());
      expect(e.code).toBe("univapay_unavailable");
      expect(h.sleeps).toEqual([]);
    });
  });
});
