import { ChargeSchema, CreateChargeBodySchema, RefundSchema } from "../../../src/univapay/univapay-types";
import { buildCharge } from "./univapay-fixtures";

describe("ChargeSchema", () => {
  it("keeps unknown keys and unknown statuses", () => {
    const c = ChargeSchema.parse(buildCharge({ status: "some_future_status", fee_amount: 3 }));
    expect(c.status).toBe("some_future_status");
    expect(c).toMatchObject({ fee_amount: 3 });
  });

  it("treats a missing error as null", () => {
    const raw = buildCharge();
    delete raw.error;
    expect(ChargeSchema.parse(raw).error).toBeNull();
  });

  it("accepts both error.details and error.detail", () => {
    const a = ChargeSchema.parse(buildCharge({ status: "failed", error: { code: 309, message: "m", details: "x" } }));
    const b = ChargeSchema.parse(buildCharge({ status: "failed", error: { code: 309, message: "m", detail: "y" } }));
    expect(a.error?.details).toBe("x");
    expect(b.error?.details).toBe("y");
  });

  it("rejects a charge without an id or a numeric amount", () => {
    expect(ChargeSchema.safeParse(buildCharge({ id: undefined })).success).toBe(false);
    expect(ChargeSchema.safeParse(buildCharge({ requested_amount: "1000" })).success).toBe(false);
  });
});

describe("RefundSchema", () => {
  it("parses a refund", () => {
    const r = RefundSchema.parse({
      id: "r",
      store_id: "s",
      charge_id: "c",
      status: "pending",
      amount: 1,
      currency: "JPY",
      mode: "test",
      created_on: "2024-01-01T00:00:00Z",
    });
    expect(r.error).toBeNull();
  });
});

describe("CreateChargeBodySchema", () => {
  it("rejects unknown keys and non-integer amounts", () => {
    expect(CreateChargeBodySchema.safeParse({ transaction_token_id: "t", amount: 10, currency: "JPY", amout: 1 }).success).toBe(false);
    expect(CreateChargeBodySchema.safeParse({ transaction_token_id: "t", amount: 10.5, currency: "JPY" }).success).toBe(false);
    expect(CreateChargeBodySchema.safeParse({ transaction_token_id: "t", amount: 10, currency: "JPY", capture: false }).success).toBe(true);
  });
});
