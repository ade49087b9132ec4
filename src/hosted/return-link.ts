/**
 * The address UnivaPay's form sends the shopper back to: /return/<pid>/<sucd>/<seal> ("-" for no
 * sucd). The seal is an HMAC of both under the gateway secret, so a shopper can neither walk other
 * pids (and read their orders' results and custom fields off the redirect) nor point a payment at
 * another of the shop's return URLs. Nothing else in the URL is read: the payment's result comes
 * from UnivaPay. Pure.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Secret } from "../logging/logger";

export const RETURN_PREFIX = "/return";
const NO_SUCD = "-";

function seal(secret: Secret, pid: string, sucd: string | undefined): string {
  return createHmac("sha256", secret.reveal())
    .update(`hosted-return\n${pid}\n${sucd ?? ""}`)
    .digest("base64url")
    .slice(0, 22);
}

export function returnPath(secret: Secret, pid: string, sucd: string | undefined): string {
  return `${RETURN_PREFIX}/${pid}/${sucd ? encodeURIComponent(sucd) : NO_SUCD}/${seal(secret, pid, sucd)}`;
}

/** The sucd of a genuine return address's segments, as the router decoded them (undefined sucd:
 *  none was sent), or false. */
export function openReturnPath(secret: Secret, pid: string, sucdSegment: string, candidate: string): { sucd: string | undefined } | false {
  const sucd = sucdSegment === NO_SUCD ? undefined : sucdSegment;
  const want = Buffer.from(seal(secret, pid, sucd));
  const got = Buffer.from(candidate);
  return want.length === got.length && timingSafeEqual(want, got) ? { sucd } : false;
}
