/**
 * The merchant's UnivaPay link form for one link-method payment (seed §17.2.1): the parameters
 * fields.yaml `linkForm` mapped from the legacy request, plus what the gateway decides — the app
 * token, the one payment method, authorisation only for AUTH, the 3-D Secure mode of the row, and
 * the three redirect URLs, all back to the gateway's return (which re-fetches the result: the
 * redirect itself proves nothing; the failure one only says not to wait long). Pure.
 */
import type { HostedPageSettings } from "../config/merchants";

/** Marks the failure redirect: the shopper may have left the form without paying. */
export const RETURN_VIA_FAILURE = "via=failure";

export interface LinkFormTerms {
  readonly checkoutUrl: string;
  readonly settings: HostedPageSettings;
  /** fields.yaml linkForm's output; `metadata` is an object of flat values. */
  readonly form: Readonly<Record<string, unknown>>;
  /** UnivaPay's payment method name (the services.yaml paymentType). */
  readonly paymentMethod: string;
  readonly capture: boolean;
  readonly threeDs: string | undefined;
  /** Absolute URL of this payment's return. */
  readonly returnUrl: string;
}

/** The widget's data-metadata syntax (seed :6333): key:"value" pairs, comma-separated. */
export function formatFormMetadata(meta: Readonly<Record<string, unknown>>): string {
  return Object.entries(meta)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}:"${String(v).replace(/["\\,]/g, "")}"`)
    .join(",");
}

export function linkFormUrl(t: LinkFormTerms): string {
  const url = new URL(`/forms/${encodeURIComponent(t.settings.formId)}`, t.checkoutUrl);
  const q = url.searchParams;
  q.set("appId", t.settings.appId);
  q.set("checkout", "payment");
  // One method only: UnivaPay then skips its method chooser; a single value needs the [] name.
  q.set("paymentMethods[]", t.paymentMethod);
  for (const [name, value] of Object.entries(t.form)) {
    if (name === "metadata" || value === undefined || value === null) continue;
    q.set(name, String(value));
  }
  const meta = t.form["metadata"];
  if (meta && typeof meta === "object") q.set("metadata", formatFormMetadata(meta as Record<string, unknown>));
  if (!t.capture) q.set("auth", "true");
  if (t.threeDs) q.set("threeDsMode", t.threeDs);
  q.set("successRedirectUrl", t.returnUrl);
  // A hint only (how long the return waits for a charge to appear), never a result.
  q.set("failureRedirectUrl", `${t.returnUrl}?${RETURN_VIA_FAILURE}`);
  q.set("pendingRedirectUrl", t.returnUrl);
  q.set("autoRedirect", "true");
  return url.toString();
}
