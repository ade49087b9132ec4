import { captureError, refundError, settleCharge, tokenChargeError } from "../../../src/sandbox/state/charge-rules";
import type { ChargeRecord, RefundRecord, TokenRecord } from "../../../src/sandbox/state/models";
import { cardBehaviour } from "../../../src/sandbox/test-cards";

function charge(over: Partial<ChargeRecord> = {}): ChargeRecord {
  return {
    id: "c",
    seq: 1,
    storeId: "s",
    merchantId: "m",
    tokenId: "t",
    tokenType: "one_time",
    subscriptionId: null,
    requestedAmount: 1000,
    requestedCurrency: "JPY",
    chargedAmount: 1000,
    chargedCurrency: "JPY",
    capture: true,
    captureAt: null,
    status: "successful",
    error: null,
    metadata: {},
    mode: "test",
    descriptor: null,
    onlyDirectCurrency: false,
    createdAt: 0,
    updatedAt: 0,
    authorizedAmount: null,
    isCvvAuth: false,
    pendingOp: null,
    cancelPending: false,
    card: cardBehaviour("4000020000000000", "test"),
    payer: {
      cardNumber: "4000020000000000",
      cardholder: "TARO YAMADA",
      expMonth: 12,
      expYear: 2099,
      brand: "visa",
      email: "a@example.com",
      phoneDigits: null,
      localPhoneDigits: null,
    },
    ...over,
  };
}
const refund = (amount: number, status: RefundRecord["status"]): RefundRecord => ({
  id: "r",
  seq: 1,
  storeId: "s",
  chargeId: "c",
  status,
  amount,
  currency: "JPY",
  reason: null,
  message: null,
  error: null,
  metadata: {},
  mode: "test",
  createdAt: 0,
});

describe("state/charge-rules", () => {
  it("settles by test card: 1111 fails with 309, capture=false authorizes", () => {
    const failing = charge({ status: "pending", pendingOp: "create", card: cardBehaviour("4111111111111111", "test") });
    expect(settleCharge(failing, failing.card)).toMatchObject({ status: "failed", error: { code: 309 } });
    expect(settleCharge(charge({ capture: false, pendingOp: "create" }), cardBehaviour("4000020000000000", "test")).status).toBe("authorized");
    expect(cardBehaviour("4111111111111111", "live").chargeFails).toBe(false);
  });

  it("allows partial refunds while the committed total stays within the charge", () => {
    const c = charge();
    expect(refundError(c, [refund(400, "successful"), refund(500, "pending")], 100, "JPY")).toBeNull();
    expect(refundError(c, [refund(400, "successful"), refund(500, "pending")], 101, "JPY")?.code).toBe("REFUND_EXCEEDS_CHARGE_AMOUNT");
    expect(refundError(c, [refund(1000, "failed")], 1000, "JPY")).toBeNull();
    expect(refundError(c, [], 1001, "JPY")?.code).toBe("REFUND_NOT_WITHIN_BOUNDS");
    expect(refundError(c, [], 1, "USD")?.code).toBe("CURRENCY_MUST_MATCH_CHARGE");
    expect(refundError(charge({ status: "authorized" }), [], 1, "JPY")?.code).toBe("CANNOT_REFUND_UNSUCCESSFUL_CHARGE");
  });

  it("captures only authorized, non-CVV charges up to the authorized amount", () => {
    const auth = charge({ status: "authorized", authorizedAmount: 1000 });
    expect(captureError(auth, 1000, "JPY")).toBeNull();
    expect(captureError(auth, 1001, "JPY")?.code).toBe("CAPTURE_AMOUNT_TOO_LARGE");
    expect(captureError(charge(), 10, "JPY")?.code).toBe("ALREADY_CAPTURED");
    expect(captureError(charge({ status: "authorized", isCvvAuth: true }), 1, "JPY")?.code).toBe("AUTH_NOT_SUPPORTED");
  });

  it("refuses used, expired and subscription tokens for charges", () => {
    const token = { type: "one_time", active: true, createdAt: 0, cvvAuthorize: { enabled: false, status: null } } as unknown as TokenRecord;
    expect(tokenChargeError(token, 299_999)).toBeNull();
    expect(tokenChargeError(token, 300_000)?.code).toBe("TRANSACTION_TOKEN_EXPIRED");
    expect(tokenChargeError({ ...token, active: false }, 0)?.code).toBe("TRANSACTION_ALREADY_PROCESSED");
    expect(tokenChargeError({ ...token, type: "subscription" }, 0)?.code).toBe("NON_SUBSCRIPTION_PAYMENT");
  });
});
