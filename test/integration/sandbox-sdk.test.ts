/* The official univapay-node SDK, pointed at the sandbox, must work unmodified: this pins paths,
 * auth header, JSON casing, polling and error parsing to what real clients expect. */
import SDK, { ResponseError } from "univapay-node";
import { createManualClock, createSandbox, type Sandbox } from "../../src/sandbox/sandbox";

describe("univapay-node SDK against the sandbox", () => {
  let sandbox: Sandbox;
  let sdk: SDK;

  beforeEach(async () => {
    sandbox = createSandbox({ clock: createManualClock(), settleDelayMs: 0 });
    const { url } = await sandbox.listen(0);
    sdk = new SDK({ endpoint: url, jwt: sandbox.demo.appToken, secret: sandbox.demo.secret });
  });
  afterEach(() => sandbox.close());

  it("decodes the app token, creates a token and charge, polls it, refunds it", async () => {
    expect(sdk.api.jwt).toMatchObject({ storeId: sandbox.demo.storeId, mode: "test", sub: "app_token" });
    const token = await sdk.transactionTokens.create({
      paymentType: "card",
      type: "one_time",
      email: "a@example.com",
      data: { cardholder: "TARO YAMADA", cardNumber: "4000020000000000", expMonth: 12, expYear: 2099, cvv: 123 },
    } as never);
    const charge = await sdk.charges.create({ transactionTokenId: token.id, amount: 1200, currency: "JPY", metadata: { order_id: "A-1" } });
    const done = await sdk.charges.poll(sandbox.demo.storeId, charge.id);
    expect(done).toMatchObject({ status: "successful", chargedAmount: 1200, metadata: { order_id: "A-1" } });
    const refund = await sdk.refunds.create(sandbox.demo.storeId, charge.id, { amount: 200, currency: "JPY" });
    const finished = await sdk.refunds.poll(sandbox.demo.storeId, charge.id, refund.id);
    expect(finished.status).toBe("successful");
    await expect(sdk.api.ping()).resolves.toBeUndefined();
  });

  it("surfaces sandbox errors as SDK ResponseErrors with code and HTTP status", async () => {
    const err: unknown = await sdk.charges.get(sandbox.demo.storeId, "00000000-0000-0000-0000-000000000000").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError).errorResponse).toMatchObject({ code: "NOT_FOUND", httpCode: 404 });
  });
});
