/**
 * The payment behind a link form submit, made through the sandbox's own processing layer exactly
 * as an API client would make it — a one_time token (POST /tokens rules, test cards and all), then
 * a charge (POST /charges rules, settlement, charge_finished webhook) — so the charge is found by
 * `GET /stores/{id}/charges?metadata=…` like any other. Throws the same ApiErrors the API answers.
 */
import type { SandboxDeps } from "../http/context";
import { parseInput } from "../http/validation";
import { ChargeCreateSchema } from "../schemas/charge-schemas";
import { TokenCreateSchema } from "../schemas/token-schemas";
import type { ChargeRecord, ChargeStatus, StoreRecord } from "../state/models";
import type { CardFormInput } from "./card-form-input";
import type { LinkFormParams } from "./link-form-params";
import type { PaymentOutcome } from "./redirect-target";

/** How long a submit waits for a pending charge before sending the shopper to pendingRedirectUrl. */
export const FORM_WAIT_MS = 5000;

export function chargeFromForm(deps: SandboxDeps, store: StoreRecord, params: LinkFormParams, card: CardFormInput, ip: string | null): ChargeRecord {
  const tokenBody = parseInput(TokenCreateSchema, {
    payment_type: "card",
    type: "one_time",
    email: card.email,
    metadata: params.metadata,
    data: {
      cardholder: card.cardholder,
      card_number: card.cardNumber,
      exp_month: card.expMonth,
      exp_year: card.expYear,
      cvv: card.cvv,
      ...(card.phoneNumber === "" ? {} : { phone_number: { country_code: params.phone.countryCode, local_number: card.phoneNumber } }),
    },
  });
  const token = deps.tokens.create(store, tokenBody, ip, "link_form");
  const chargeBody = parseInput(ChargeCreateSchema, {
    transaction_token_id: token.id,
    amount: params.amount,
    currency: params.currency,
    capture: params.capture,
    ...(params.captureAt === undefined ? {} : { capture_at: params.captureAt }),
    metadata: params.metadata,
  });
  return deps.payments.createCharge(store.id, chargeBody, params.threeDs ? { threeDs: params.threeDs } : {});
}

const OUTCOMES = {
  successful: "success",
  authorized: "success",
  failed: "failure",
  error: "failure",
  canceled: "failure",
  pending: "pending",
  awaiting: "pending",
} as const satisfies Record<ChargeStatus, PaymentOutcome>;

/**
 * Waits (real time, at most FORM_WAIT_MS, ended early by close()) while the charge is pending,
 * then says where the shopper goes. `awaiting` is not waited on: only the shopper ends it.
 */
export async function awaitOutcome(deps: SandboxDeps, charge: ChargeRecord, maxMs = FORM_WAIT_MS): Promise<PaymentOutcome> {
  if (charge.status === "pending") {
    const stop = AbortSignal.any([AbortSignal.timeout(maxMs), deps.shutdown]);
    while (charge.status === "pending" && !stop.aborted) await deps.state.nextChange(charge.id, stop);
  }
  return OUTCOMES[charge.status];
}
