/**
 * 送信元URL: the link method's only check of who sent the shopper (old error P06P07). Compared by
 * origin, because that is all a browser sends across sites under its default Referrer-Policy
 * (strict-origin-when-cross-origin): a page path could never match. Pure.
 */
import type { HostedPageSettings } from "../config/merchants";

export type RefererVerdict = "ok" | "missing" | "foreign";

export function checkReferer(settings: HostedPageSettings, referer: string | undefined): RefererVerdict {
  if (!referer) return settings.allowMissingReferer ? "ok" : "missing";
  let origin: string;
  try {
    origin = new URL(referer).origin;
  } catch {
    return "foreign";
  }
  return settings.sourceOrigins.includes(origin) ? "ok" : "foreign";
}
