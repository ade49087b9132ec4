/**
 * Wire shapes (snake_case JSON) of every resource, modelled on the doc examples of §2 and §4.3.
 * The only place records become API responses, so secrets and full card numbers stay inside.
 */
import { isoTime } from "../ids";
import type { CancelRecord, ChargeRecord, MerchantRecord, RefundRecord, StoreRecord, TokenRecord, WebhookRecord } from "./models";

/** `*_formatted`: the amount in major units (JPY 100 → 100, USD 1250 → 12.5). */
export function formatAmount(amount: number | null, currency: string | null): number | null {
  if (amount === null || currency === null) return null;
  return amount / 10 ** fractionDigits(currency);
}

/** Building an Intl.NumberFormat costs more than the rest of a charge's rendering: one per currency. */
const FRACTION_DIGITS = new Map<string, number>();

export function fractionDigits(currency: string): number {
  let digits = FRACTION_DIGITS.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 0;
    } catch {
      digits = 0;
    }
    // Bounded: a currency is three letters, so the map cannot grow past 17,576 entries.
    if (/^[A-Za-z]{3}$/.test(currency)) FRACTION_DIGITS.set(currency, digits);
  }
  return digits;
}

export function renderToken(t: TokenRecord): Record<string, unknown> {
  return {
    id: t.id,
    store_id: t.storeId,
    email: t.email,
    payment_type: "card",
    active: t.active,
    mode: t.mode,
    type: t.type,
    usage_limit: t.usageLimit,
    confirmed: null,
    metadata: t.metadata,
    created_on: isoTime(t.createdAt),
    updated_on: isoTime(t.updatedAt),
    last_used_on: t.lastUsedAt === null ? null : isoTime(t.lastUsedAt),
    ip_address: t.ipAddress,
    data: {
      card: {
        cardholder: t.card.cardholder,
        exp_month: t.card.expMonth,
        exp_year: t.card.expYear,
        card_bin: t.card.number.slice(0, 6),
        last_four: t.card.number.slice(-4),
        brand: t.card.brand,
        card_type: "credit",
        country: null,
        category: null,
        issuer: null,
        sub_brand: "none",
      },
      billing: {
        line1: t.billing.line1,
        line2: t.billing.line2,
        state: t.billing.state,
        city: t.billing.city,
        country: t.billing.country,
        zip: t.billing.zip,
        phone_number: t.billing.phoneNumber ? { country_code: t.billing.phoneNumber.countryCode, local_number: t.billing.phoneNumber.localNumber } : null,
      },
      cvv_authorize: {
        enabled: t.cvvAuthorize.enabled,
        status: t.cvvAuthorize.status,
        charge_id: t.cvvAuthorize.chargeId,
        credentials_id: null,
        currency: t.cvvAuthorize.currency,
      },
      cvv_authorize_check: { status: null, charge_id: null, date: null },
    },
  };
}

/** Names that list items add (`merchant_name`, `store_name`, as in the doc's list examples). */
export interface OwnerNames {
  readonly merchantName: string | null;
  readonly storeName: string | null;
}

/** A token LIST item (`:5380-5400`): the token plus owner names and `user_data`. */
export function renderTokenListItem(t: TokenRecord, names: OwnerNames): Record<string, unknown> {
  return {
    ...renderToken(t),
    merchant_name: names.merchantName,
    store_name: names.storeName,
    user_data: { cardholder_name: t.card.cardholder, email: t.email, brand: t.card.brand, gateway: null, service_provider: null },
  };
}

/** A charge LIST item (`:8440-8470`): the charge plus owner names. */
export function renderChargeListItem(c: ChargeRecord, names: OwnerNames): Record<string, unknown> {
  return { ...renderCharge(c), merchant_name: names.merchantName, store_name: names.storeName };
}

export function renderCharge(c: ChargeRecord): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id: c.id,
    store_id: c.storeId,
    transaction_token_id: c.tokenId,
    transaction_token_type: c.tokenType,
    subscription_id: c.subscriptionId,
    merchant_transaction_id: null,
    requested_amount: c.requestedAmount,
    requested_currency: c.requestedCurrency,
    requested_amount_formatted: formatAmount(c.requestedAmount, c.requestedCurrency),
    charged_amount: c.chargedAmount,
    charged_currency: c.chargedCurrency,
    charged_amount_formatted: formatAmount(c.chargedAmount, c.chargedCurrency),
    fee_amount: null,
    fee_currency: null,
    fee_amount_formatted: null,
    only_direct_currency: c.onlyDirectCurrency,
    capture_at: c.captureAt === null ? null : isoTime(c.captureAt),
    descriptor: c.descriptor,
    descriptor_phone_number: null,
    status: c.status,
    error: c.error,
    metadata: c.metadata,
    mode: c.mode,
    created_on: isoTime(c.createdAt),
    redirect: {},
  };
  // The SDK's ChargeItem.threeDs; shown only where the sandbox ran (or skipped) a 3-D Secure step.
  if (c.threeDs) base["three_ds"] = { mode: c.threeDs.mode, status: c.threeDs.status, redirect_endpoint: null, redirect_id: null };
  return base;
}

export function renderRefund(r: RefundRecord): Record<string, unknown> {
  return {
    id: r.id,
    store_id: r.storeId,
    charge_id: r.chargeId,
    status: r.status,
    amount: r.amount,
    currency: r.currency,
    amount_formatted: formatAmount(r.amount, r.currency),
    reason: r.reason,
    message: r.message,
    error: r.error,
    metadata: r.metadata,
    mode: r.mode,
    created_on: isoTime(r.createdAt),
  };
}

export function renderCancel(c: CancelRecord): Record<string, unknown> {
  return {
    id: c.id,
    charge_id: c.chargeId,
    store_id: c.storeId,
    status: c.status,
    error: c.error,
    metadata: c.metadata,
    mode: c.mode,
    created_on: isoTime(c.createdAt),
  };
}

/** `auth_token` is shown only when one is set, like the doc's GET example (which has none). */
export function renderWebhook(w: WebhookRecord, platformId: string): Record<string, unknown> {
  return {
    id: w.id,
    platform_id: platformId,
    merchant_id: w.merchantId,
    store_id: w.storeId,
    triggers: w.triggers,
    url: w.url,
    ...(w.authToken !== null ? { auth_token: w.authToken } : {}),
    active: w.active,
    created_on: isoTime(w.createdAt),
    updated_on: isoTime(w.updatedAt),
  };
}

export function renderStore(s: StoreRecord): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    created_on: isoTime(s.createdAt),
    configuration: {
      percent_fee: null,
      flat_fees: null,
      country: "JP",
      language: null,
      display_time_zone: null,
      minimum_charge_amounts: null,
      maximum_charge_amounts: null,
      recurring_token_configuration: {
        recurring_type: s.recurringPrivilege === "none" ? null : s.recurringPrivilege,
        charge_wait_period: null,
        card_charge_cvv_confirmation: { enabled: null, threshold: null },
      },
    },
  };
}

export function renderMerchant(m: MerchantRecord, privilege: string, verified = true): Record<string, unknown> {
  return {
    id: m.id,
    verification_data_id: null,
    name: m.name,
    email: m.email,
    notification_email: m.email,
    verified,
    created_on: isoTime(m.createdAt),
    configuration: {
      percent_fee: null,
      flat_fees: null,
      country: "JP",
      language: null,
      recurring_token_configuration: { recurring_type: privilege, charge_wait_period: null, card_charge_cvv_confirmation: { enabled: false, threshold: null } },
    },
  };
}
