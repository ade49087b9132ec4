/**
 * Every configured kickback URL must pass the SSRF guard at start, not at the first payment (the
 * dispatcher checks again at delivery: rows outlive configuration).
 */
import { AppError } from "../errors/app-error";
import type { Merchant } from "../config/merchants";
import { checkKickbackUrl } from "./url-guard";

export function checkKickbackUrls(merchants: ReadonlyArray<Pick<Merchant, "sid" | "kickbackUrl" | "kickbackUrls">>, allowPrivateNetworks: boolean): void {
  const details = merchants.flatMap((m) =>
    [m.kickbackUrl, ...Object.values(m.kickbackUrls)].flatMap((u) => {
      if (!u) return [];
      const r = checkKickbackUrl(u, { allowPrivateNetworks });
      const hint = allowPrivateNetworks ? "" : " (for local development set KICKBACK_ALLOW_PRIVATE_NETWORKS=true)";
      return r.ok ? [] : [{ path: `merchant ${m.sid}`, message: `kickback URL ${u}: ${r.reason}${hint}` }];
    }),
  );
  if (details.length > 0) throw new AppError("config_invalid", "invalid kickback URLs", { details });
}
