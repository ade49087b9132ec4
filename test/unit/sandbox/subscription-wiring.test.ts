import { subscriptionTokenError } from "../../../src/sandbox/processing/subscription-token-rules";
import { rejectionToApiError } from "../../../src/sandbox/processing/rejection-to-api-error";
import { MetadataSchema } from "../../../src/sandbox/schemas/common-schemas";
import { filterSubscriptions, SubscriptionFilterSchema } from "../../../src/sandbox/state/subscription-filters";
import type { TokenRecord } from "../../../src/sandbox/state/models";
import { createSubscription, type SubscriptionState } from "../../../src/sandbox/subscriptions";

const NOW = Date.UTC(2025, 0, 6);
const STORE = "store-1";

function token(over: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: "tok",
    seq: 1,
    storeId: STORE,
    merchantId: "m",
    mode: "test",
    type: "subscription",
    usageLimit: null,
    email: "a@example.com",
    metadata: {},
    ipAddress: null,
    card: { number: "4000020000000000", cardholder: "TARO YAMADA", expMonth: 12, expYear: 2099, brand: "visa" },
    billing: { line1: null, line2: null, state: null, city: null, country: null, zip: null, phoneNumber: null },
    cvvAuthorize: { enabled: false, status: null, chargeId: null, currency: null },
    active: true,
    createdAt: NOW,
    updatedAt: NOW,
    lastUsedAt: null,
    cvvSuppliedAt: NOW,
    ...over,
  };
}

describe("subscriptionTokenError", () => {
  const code = (t: TokenRecord | undefined, use: "charge" | "verify" | "change" = "charge", now = NOW): string | null =>
    subscriptionTokenError(t, STORE, use, now)?.code ?? null;

  it("accepts a fresh subscription token and a usable recurring token", () => {
    expect(code(token())).toBeNull();
    expect(code(token({ type: "recurring" }))).toBeNull();
  });

  it("rejects unknown, foreign, one-time, used and expired tokens with the documented codes", () => {
    expect(code(undefined)).toBe("NOT_FOUND");
    expect(code(token({ storeId: "other" }))).toBe("TOKEN_FOR_WRONG_STORE");
    expect(code(token({ type: "one_time" }))).toBe("NOT_SUBSCRIPTION_TOKEN");
    expect(code(token({ active: false }))).toBe("TRANSACTION_ALREADY_PROCESSED");
    expect(code(token(), "charge", NOW + 5 * 60_000)).toBe("TRANSACTION_TOKEN_EXPIRED");
    expect(code(token({ type: "recurring", active: false }))).toBe("RECURRING_TOKEN_DISABLED");
  });

  it("needs a CVV authorization (pending or current) on a recurring token for a registration-only start", () => {
    expect(code(token(), "verify")).toBe("NOT_RECURRING_TOKEN");
    expect(code(token({ type: "recurring" }), "verify")).toBe("CVV_AUTHORIZATION_NOT_COMPLETED");
    const auth = (status: "pending" | "current" | "failed") =>
      token({ type: "recurring", cvvAuthorize: { enabled: true, status, chargeId: "c", currency: "JPY" } });
    expect(code(auth("pending"), "verify")).toBeNull();
    expect(code(auth("current"), "verify")).toBeNull();
    expect(code(auth("failed"), "verify")).toBe("CVV_AUTHORIZATION_NOT_COMPLETED");
  });

  it("applies the recurring CVV-expiry rule only to a first charge, not to a token change", () => {
    const stale = token({ type: "recurring", cvvSuppliedAt: NOW - 10 * 60_000 });
    expect(code(stale, "charge")).toBe("RECURRING_USAGE_REQUIRES_CVV");
    expect(code(stale, "change")).toBeNull();
  });
});

describe("rejectionToApiError", () => {
  it("maps engine codes to HTTP errors with leaf field names", () => {
    expect(rejectionToApiError({ ok: false, code: "NOT_FOUND" }).httpStatus).toBe(404);
    const v = rejectionToApiError({
      ok: false,
      code: "VALIDATION_ERROR",
      errors: [{ field: "schedule_settings.start_on", reason: "INVALID_SUBSCRIPTION_START_ON" }],
    });
    expect(v.toBody()).toEqual({ status: "error", code: "VALIDATION_ERROR", errors: [{ field: "start_on", reason: "INVALID_SUBSCRIPTION_START_ON" }] });
    expect(rejectionToApiError({ ok: false, code: "SUBSCRIPTION_PROCESSING" }).httpStatus).toBe(400);
  });
});

describe("MetadataSchema", () => {
  it("accepts a stringified flat JSON object (univapay-node allows it) and still refuses nesting", () => {
    expect(MetadataSchema.parse('{"a":1,"b":"x"}')).toEqual({ a: 1, b: "x" });
    expect(MetadataSchema.safeParse('{"a":{"b":1}}').success).toBe(false);
    expect(MetadataSchema.safeParse("not json").success).toBe(false);
    expect(MetadataSchema.safeParse("[1]").success).toBe(false);
  });
});

describe("filterSubscriptions", () => {
  function sub(id: string, status: SubscriptionState["status"], metadata: Record<string, unknown>): SubscriptionState {
    const r = createSubscription(
      { transaction_token_id: "11ef32a7-3a71-8662-803f-1bc27702eeec", amount: 100, currency: "JPY", period: "monthly", metadata },
      { id, storeId: STORE, mode: "test", now: new Date(NOW) },
    );
    if (!r.ok) throw new Error("create failed");
    return { ...r.sub, status };
  }
  const subs = [sub("a", "current", { customer: "Alice" }), sub("b", "suspended", { n: 42 }), sub("c", "unpaid", {})];
  const ids = (q: Record<string, unknown>): string[] => filterSubscriptions(subs, SubscriptionFilterSchema.parse(q)).map((s) => s.id);

  it("filters by status, statuses[] (string or array), metadata search and mode", () => {
    expect(ids({})).toEqual(["a", "b", "c"]);
    expect(ids({ status: "suspended" })).toEqual(["b"]);
    expect(ids({ "statuses[]": "unpaid" })).toEqual(["c"]);
    expect(ids({ "statuses[]": ["current", "unpaid"] })).toEqual(["a", "c"]);
    expect(ids({ search: "alic" })).toEqual(["a"]);
    expect(ids({ search: "42" })).toEqual(["b"]);
    expect(ids({ mode: "live" })).toEqual([]);
    expect(SubscriptionFilterSchema.safeParse({ status: "bogus" }).success).toBe(false);
  });
});
