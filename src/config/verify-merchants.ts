/**
 * Checks each merchant's UnivaPay credentials before the gateway serves it: the app token's claims
 * must match the declared mode and store, and UnivaPay must accept the token and secret for that
 * store (GET /stores/{id}). A definite mismatch or refusal is a configuration error reported with
 * its fix; an unreachable API leaves the merchant unverified (not served) until a later check.
 */
import { isAppError } from "../errors/app-error";
import type { Logger } from "../logging/logger";
import type { UnivapayClient } from "../univapay/univapay-client";
import { readAppTokenClaims } from "./app-token-claims";
import type { Merchant, MerchantRegistry, MerchantStatus } from "./merchants";

const WHERE_TOKENS_ARE = "UnivaPay admin UI → 店舗 → 開発 → アプリトークン";

/** Pure: what the app token itself says, before asking UnivaPay. */
export function claimProblem(m: Merchant): string | undefined {
  const claims = readAppTokenClaims(m.credentials.appToken.reveal());
  if (!claims) return `the app token is not a UnivaPay app token (a JWT); copy it again from the ${WHERE_TOKENS_ARE}`;
  if (claims.mode === undefined) return "the app token carries no mode, so the declared mode cannot be checked; use a store app token";
  if (claims.mode !== m.mode) {
    return `mode: ${m.mode} is declared but the app token is a ${claims.mode}-mode token: declare mode: ${claims.mode}, or use a ${m.mode}-mode app token`;
  }
  if (claims.store_id !== undefined && claims.store_id !== m.credentials.storeId) {
    return `univapay.storeId is ${m.credentials.storeId} but the app token belongs to store ${claims.store_id}`;
  }
  return undefined;
}

export async function checkMerchant(client: UnivapayClient, m: Merchant): Promise<MerchantStatus> {
  const problem = claimProblem(m);
  if (problem) return { state: "rejected", reason: problem };
  try {
    const store = await client.getStore(m.credentials);
    if (store.id !== m.credentials.storeId) return { state: "rejected", reason: `UnivaPay answered for store ${store.id}, not ${m.credentials.storeId}` };
    return { state: "verified" };
  } catch (err) {
    if (isAppError(err) && err.code === "univapay_rejected") {
      const up = err.opts.upstream;
      return {
        state: "rejected",
        reason: `UnivaPay refused the credentials for store ${m.credentials.storeId} (${up?.code ?? "rejected"}, HTTP ${up?.httpStatus ?? "?"}): check univapay.storeId, and that appToken and secret are a pair from the ${WHERE_TOKENS_ARE}`,
      };
    }
    return { state: "unverified", reason: `UnivaPay could not be asked: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Checks every merchant still unverified (UnivaPay could not be asked), a few at a time, and
 *  records the results. A refused merchant stays refused until the configuration changes. */
export async function verifyMerchants(client: UnivapayClient, registry: MerchantRegistry, log: Logger, concurrency = 8): Promise<void> {
  const todo = registry.all().filter((m) => registry.status(m.sid).state === "unverified");
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const m = todo[next++] as Merchant;
      const status = await checkMerchant(client, m);
      registry.setStatus(m.sid, status);
      if (status.state === "verified") log.info({ sid: m.sid, mode: m.mode }, "merchant credentials verified");
      else if (status.state === "unverified") log.warn({ sid: m.sid, reason: status.reason }, "merchant credentials not verified yet, merchant not served");
      else log.error({ sid: m.sid, reason: status.reason }, "merchant credentials refused, merchant not served");
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
}
