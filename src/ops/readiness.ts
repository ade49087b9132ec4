/**
 * Readiness: the database and UnivaPay answer. Merchants that are not served (credentials not
 * checked yet) are reported, but do not make the whole gateway unready: one merchant must not take
 * every other merchant out of the load balancer. The detailed view (driver messages, per-merchant reasons) is for the operator
 * listener only; the merchants' port tells anonymous callers just ok / unavailable.
 */
import type { MerchantRegistry } from "../config/merchants";
import type { Store } from "../store/store-types";
import type { UnivapayClient } from "../univapay/univapay-client";

export interface ReadinessDeps {
  readonly store: Pick<Store, "ping">;
  readonly client: Pick<UnivapayClient, "heartbeat">;
  readonly merchants: MerchantRegistry;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: {
    readonly database: string;
    readonly univapay: string;
    readonly merchants: { readonly verified: number; readonly notServed: ReadonlyArray<{ sid: string; state: string; reason: string }> };
  };
}

async function probe(f: () => Promise<void>): Promise<string> {
  try {
    await f();
    return "ok";
  } catch (err) {
    return `unavailable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const [database, univapay] = await Promise.all([probe(() => deps.store.ping()), probe(() => deps.client.heartbeat())]);
  const notServed = deps.merchants.all().flatMap((m) => {
    const s = deps.merchants.status(m.sid);
    return s.state === "verified" ? [] : [{ sid: m.sid, state: s.state, reason: s.reason }];
  });
  const verified = deps.merchants.all().length - notServed.length;
  return { ready: database === "ok" && univapay === "ok", checks: { database, univapay, merchants: { verified, notServed } } };
}

/** What anyone may see: no host names, no driver messages, no merchant ids. */
export function publicReadiness(r: Readiness): { status: string; checks: Record<string, string> } {
  const state = (s: string) => (s === "ok" ? "ok" : "unavailable");
  return {
    status: r.ready ? "ready" : "not_ready",
    checks: {
      database: state(r.checks.database),
      univapay: state(r.checks.univapay),
      merchants: r.checks.merchants.notServed.length === 0 ? "ok" : "some not served",
    },
  };
}
