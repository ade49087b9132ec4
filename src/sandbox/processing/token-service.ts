/**
 * Transaction tokens (§2.1): creation rules that need the store (live-mode review, PCI permission,
 * recurring privilege, live-mode test cards, one active subscription token per card), updates,
 * deletion (refused while a delete guard objects), the one-month life of test-mode recurring
 * tokens (§6), and the token_* events. Card data enters here and is kept only inside the token record.
 */
import { addUtcMonths } from "../add-utc-months";
import { ApiError, badRequest, conflict, notFound, unauthorized, validationError } from "../errors";
import { newId } from "../ids";
import { SHORT_TOKEN_TTL_MS } from "../state/charge-rules";
import type { BillingData, StoreRecord, TokenRecord } from "../state/models";
import { renderToken } from "../state/render";
import type { TokenCreate, TokenPatch } from "../schemas/token-schemas";
import { detectBrand, DOCUMENTED_TEST_CARDS } from "../test-cards";
import type { EngineDeps } from "./engine-deps";
import type { PaymentProcessor } from "./payment-processor";
import { liveModeError } from "./store-registry";

/** Says why a token may not be deleted now (e.g. a subscription still uses it), or null. */
export type TokenDeleteGuard = (token: TokenRecord) => ApiError | null;

type BillingInput = NonNullable<TokenPatch["data"]>;

export class TokenService {
  private readonly deleteGuards: TokenDeleteGuard[] = [];

  constructor(
    private readonly deps: EngineDeps,
    private readonly payments: PaymentProcessor,
  ) {}

  /**
   * `via` "link_form": card data typed into UnivaPay's own hosted page, which needs no PCI
   * permission of the store (that rule is about raw card data sent to POST /tokens).
   */
  create(store: StoreRecord, body: TokenCreate, ipAddress: string | null, via: "api" | "link_form" = "api"): TokenRecord {
    const now = this.deps.clock.now();
    const err = this.creationError(store, body, now, via);
    if (err) throw err;
    const d = body.data;
    const token: TokenRecord = {
      id: newId(),
      seq: this.deps.state.nextSeq(),
      storeId: store.id,
      merchantId: store.merchantId,
      mode: store.mode,
      type: body.type,
      usageLimit: body.usage_limit ?? null,
      email: body.email,
      metadata: body.metadata ?? {},
      ipAddress: body.ip_address ?? ipAddress,
      card: { number: d.card_number, cardholder: d.cardholder, expMonth: d.exp_month, expYear: d.exp_year, brand: detectBrand(d.card_number) },
      billing: mergeBilling(emptyBilling(), d),
      cvvAuthorize: { enabled: false, status: null, chargeId: null, currency: null },
      active: true,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
      cvvSuppliedAt: now,
    };
    this.deps.state.tokens.set(token.id, token);
    if (d.cvv_authorize?.enabled) this.payments.startCvvAuthorization(token, d.cvv_authorize.currency ?? "JPY");
    if (token.type === "recurring" && token.mode === "test" && this.deps.options.testRecurringTokenExpiry) {
      this.deps.clock.schedule(addUtcMonths(now, 1), () => this.purge(token.id));
    }
    this.deps.sender.emit(store.id, "token_created", renderToken(token));
    return token;
  }

  /**
   * After a restart from a state file: re-arms the one-month removal of loaded test-mode recurring
   * tokens (one that fell due while the process was down goes at once). One clock task walks the
   * sorted list, so thousands of loaded tokens do not each hold a timer entry.
   */
  resumeAfterLoad(): void {
    if (!this.deps.options.testRecurringTokenExpiry) return;
    const due: Array<{ readonly at: number; readonly id: string }> = [];
    for (const t of this.deps.state.tokens.values()) {
      if (t.type === "recurring" && t.mode === "test") due.push({ at: addUtcMonths(t.createdAt, 1), id: t.id });
    }
    due.sort((a, b) => a.at - b.at);
    let next = 0;
    const arm = (): void => {
      const first = due[next];
      if (!first) return;
      this.deps.clock.schedule(first.at, () => {
        for (let d = due[next]; d !== undefined && d.at <= this.deps.clock.now(); d = due[++next]) this.purge(d.id);
        arm();
      });
    };
    arm();
  }

  /** Registers a rule that can refuse DELETE (the subscription plugin's ONGOING_SUBSCRIPTIONS_EXIST_FOR_TOKEN). */
  addDeleteGuard(guard: TokenDeleteGuard): void {
    this.deleteGuards.push(guard);
  }

  get(storeId: string, id: string): TokenRecord {
    const t = this.deps.state.tokens.get(id);
    if (!t || t.storeId !== storeId) throw notFound();
    return t;
  }

  /** Without a secret only a CVV update is allowed (§2.1 PATCH). A new CVV re-runs a failed CVV auth. */
  update(token: TokenRecord, patch: TokenPatch, hasSecret: boolean): TokenRecord {
    const { cvv, cvv_authorize, ...billing } = patch.data ?? {};
    const onlyCvv =
      patch.email === undefined &&
      patch.cardholder === undefined &&
      patch.metadata === undefined &&
      cvv_authorize === undefined &&
      Object.keys(billing).length === 0;
    if (!hasSecret && !onlyCvv) throw unauthorized("INVALID_CREDENTIALS");
    if (patch.email !== undefined) token.email = patch.email;
    if (patch.cardholder !== undefined) token.card.cardholder = patch.cardholder;
    if (patch.metadata !== undefined) token.metadata = patch.metadata;
    token.billing = mergeBilling(token.billing, billing);
    token.updatedAt = this.deps.clock.now();
    if (cvv !== undefined) token.cvvSuppliedAt = token.updatedAt;
    const wantsAuth = cvv_authorize?.enabled ?? token.cvvAuthorize.enabled;
    const retry = token.cvvAuthorize.status === "failed" || token.cvvAuthorize.status === "inactive" || token.cvvAuthorize.status === null;
    if (token.type === "recurring" && wantsAuth && (cvv !== undefined || cvv_authorize?.enabled) && retry) {
      this.payments.startCvvAuthorization(token, token.cvvAuthorize.currency ?? "JPY");
    }
    this.deps.state.touch(token.id);
    this.deps.sender.emit(token.storeId, "token_updated", renderToken(token));
    return token;
  }

  delete(token: TokenRecord): void {
    for (const guard of this.deleteGuards) {
      const err = guard(token);
      if (err) throw err;
    }
    this.remove(token);
  }

  /**
   * §6: "テストモードのリカーリングトークンは、1カ月で消える". The token is gone (charges → 404,
   * subscription runs fail), its charges can no longer be refunded, and no guard can stop it.
   */
  private purge(id: string): void {
    const token = this.deps.state.tokens.get(id);
    if (!token) return;
    this.deps.state.purgedTokenIds.add(id);
    this.remove(token);
  }

  private remove(token: TokenRecord): void {
    token.active = false;
    this.deps.state.tokens.delete(token.id);
    if (token.type === "recurring") this.deps.sender.emit(token.storeId, "recurring_token_deleted", renderToken(token));
  }

  private creationError(store: StoreRecord, body: TokenCreate, now: number, via: "api" | "link_form"): ApiError | null {
    const d = body.data;
    const unverified = liveModeError(store);
    if (unverified) return unverified;
    if (!store.pci && via === "api") return unauthorized("DIRECT_CARD_TOKEN_CREATION_DISABLED");
    if (!/\S\s+\S/.test(d.cardholder.trim())) return badRequest("LAST_NAME_REQUIRED");
    const today = new Date(now);
    if (d.exp_year * 12 + d.exp_month < today.getUTCFullYear() * 12 + today.getUTCMonth() + 1) {
      return validationError([{ field: "exp_year", reason: "INVALID_CARD_EXPIRATION" }]);
    }
    if (d.cvv === undefined) return badRequest("CVV_REQUIRED");
    if (store.mode === "live" && DOCUMENTED_TEST_CARDS.has(d.card_number)) return badRequest("NO_TEST_CARD_IN_LIVE_MODE");
    if (d.cvv_authorize?.enabled && body.type !== "recurring") return badRequest("INVALID_TOKEN_TYPE");
    return this.typeError(store, body, now);
  }

  private typeError(store: StoreRecord, body: TokenCreate, now: number): ApiError | null {
    const limit = body.usage_limit ?? null;
    if (body.type !== "recurring") {
      if (limit !== null) return badRequest("USAGE_LIMIT_NOT_APPLICABLE");
      if (body.type === "subscription" && this.hasActiveSubscriptionToken(store.id, body.data.card_number, now)) return conflict("NON_UNIQUE_ACTIVE_TOKEN");
      return null;
    }
    if (store.recurringPrivilege === "none") return badRequest("RECURRING_TOKEN_NOT_ALLOWED");
    if (store.recurringPrivilege === "bounded" && limit === null) return badRequest("RECURRING_USAGE_LIMIT_REQUIRED");
    if (store.recurringPrivilege === "infinite" && limit !== null) return badRequest("USAGE_LIMIT_NOT_APPLICABLE");
    return null;
  }

  private hasActiveSubscriptionToken(storeId: string, cardNumber: string, now: number): boolean {
    for (const t of this.deps.state.tokens.values()) {
      if (t.storeId === storeId && t.type === "subscription" && t.active && t.card.number === cardNumber && now - t.createdAt < SHORT_TOKEN_TTL_MS) return true;
    }
    return false;
  }
}

function emptyBilling(): BillingData {
  return { line1: null, line2: null, state: null, city: null, country: null, zip: null, phoneNumber: null };
}

function mergeBilling(b: BillingData, d: Partial<Pick<BillingInput, "line1" | "line2" | "state" | "city" | "country" | "zip" | "phone_number">>): BillingData {
  return {
    line1: d.line1 ?? b.line1,
    line2: d.line2 ?? b.line2,
    state: d.state ?? b.state,
    city: d.city ?? b.city,
    country: d.country?.toUpperCase() ?? b.country,
    zip: d.zip ?? b.zip,
    phoneNumber: d.phone_number ? { countryCode: d.phone_number.country_code, localNumber: d.phone_number.local_number } : b.phoneNumber,
  };
}
