/**
 * Scheduled-payment ids. They are derived from the subscription id and the payment's
 * sequence number (SHA-1, UUID layout) so that the engine stays pure and deterministic:
 * replaying the same calls gives the same ids, and no id generator has to be injected.
 */
import { createHash } from "node:crypto";

export function derivePaymentId(subscriptionId: string, index: number): string {
  const h = createHash("sha1").update(`${subscriptionId}/payments/${index}`).digest("hex");
  // Version 5 / RFC-4122 variant bits so strict UUID parsers accept it.
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
