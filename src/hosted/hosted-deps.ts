/** What the link method needs beyond the payment paths: where UnivaPay's forms live and the
 *  gateway's own public address (UnivaPay's form sends the shopper back to it). */
import type { RateLimiter } from "../token/token-rate-limiter";
import type { PaymentDeps } from "../transitions/payment-deps";

export interface HostedDeps extends PaymentDeps {
  /** UNIVAPAY_CHECKOUT_URL (the embedded sandbox in the demo). */
  readonly checkoutUrl: string;
  /** PUBLIC_URL, or in the demo the address the gateway listens on; read per request because the
   *  demo only knows it once listening. Undefined: the link method is refused (fail closed). */
  readonly publicUrl: () => string | undefined;
  /** Entries per client address (HOSTED_RATE_PER_IP_PER_MIN) and per sid (…_PER_SID_…). */
  readonly perIp: RateLimiter;
  readonly perSid: RateLimiter;
  /** Returns per client address (HOSTED_RETURN_RATE_PER_IP_PER_MIN). */
  readonly returnsPerIp: RateLimiter;
}
