/**
 * `npm run ops -- resolve-autobilling --sid SID --acid ACID`: settles an auto-billing that
 * `migrate autobillings --create` recorded but whose create was never answered (`unresolved` in
 * the result file). It asks UnivaPay for subscriptions carrying `metadata.legacy-acid` = ACID:
 * - one: the create was made; it is recorded under the acid (as the migrator would have), so its
 *   charges become kickbacks and its management jobs answer;
 * - none: it was never made; the record and its anchor payment are removed, so a rerun of the
 *   file creates it;
 * - two or more: nothing is done (a person cancels the extra one at UnivaPay first).
 * Only such a record: one with a subscription, or made through the gateway, is refused. Not while
 * a `migrate` run of the same file is going (it could be resending that create).
 */
import type { Config } from "../config/config";
import { createCore, verifiedMerchant } from "../core";
import type { Logger } from "../logging/logger";
import { recordCreated } from "../migrate/kinds/auto-billing-rows";
import { UsageError } from "./cli-error";

export async function resolveAutoBillingCommand(
  config: Config,
  logger: Logger,
  args: { sid?: string; acid?: string },
  out: (line: string) => void,
): Promise<void> {
  if (!args.sid || !args.acid) throw new UsageError("resolve-autobilling --sid SID --acid ACID");
  const { sid, acid } = args;
  const core = await createCore(config, { logger, withStore: true });
  try {
    const store = core.store;
    if (!store) throw new Error("no store");
    const row = await store.findSubscription(sid, acid);
    if (!row) throw new UsageError(`sid ${sid} has no auto-billing ${acid}`);
    if (row.origin !== "created" || row.subscriptionId !== null) {
      throw new UsageError(
        `auto-billing ${acid} is ${row.subscriptionId ? `subscription ${row.subscriptionId}` : `a ${row.origin} one`}: only a created one whose create was never answered is resolved here`,
      );
    }
    const merchant = await verifiedMerchant(core, sid);
    const found = (await core.client.findSubscriptionsByMetadataValue(merchant.credentials, acid)).filter((s) => s.metadata?.["legacy-acid"] === acid);
    if (found.length > 1) {
      throw new UsageError(
        `UnivaPay has ${found.length} subscriptions with legacy-acid ${acid} (${found.map((s) => s.id).join(", ")}): cancel the extra one there, then run this again`,
      );
    }
    const sub = found[0];
    if (!sub) {
      await store.transaction((tx) => tx.discardImportedAutoBilling(sid, acid));
      out(`UnivaPay has no subscription with legacy-acid ${acid}: the record (pid ${row.firstPid}) is removed, and a rerun of its file creates it`);
      return;
    }
    await recordCreated(store, row, sub, new Date());
    out(`auto-billing ${acid} (pid ${row.firstPid}) is subscription ${sub.id} (${sub.status}), recorded now`);
  } finally {
    await core.close();
  }
}
