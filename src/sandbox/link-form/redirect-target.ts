/**
 * Where the shopper goes once the payment has an outcome (§17.2.1 successRedirectUrl,
 * failureRedirectUrl, pendingRedirectUrl): the URL as given, plus the charge's metadata as query
 * parameters when showRedirectMetadata=true ("付与されたメタデータをリダイレクト先のURL末尾に付加").
 * Nothing else is added: the doc warns that a redirect must not be taken as proof of payment.
 */
import type { Metadata } from "../state/models";
import type { LinkFormParams } from "./link-form-params";

export type PaymentOutcome = "success" | "failure" | "pending";

/** The redirect for `outcome`, or null when the form has none (the sandbox then shows a page). */
export function redirectTarget(params: LinkFormParams, outcome: PaymentOutcome, metadata: Metadata): string | null {
  const base = params.redirects[outcome];
  return base === undefined ? null : withMetadata(base, params.showRedirectMetadata ? metadata : {});
}

export function withMetadata(base: string, metadata: Metadata): string {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return base;
  const url = new URL(base);
  for (const [key, value] of entries) url.searchParams.append(key, value === null ? "" : String(value));
  return url.toString();
}
