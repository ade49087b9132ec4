/**
 * `npm run ops -- forget-autobilling --sid SID --acid ACID`: removes an auto-billing that
 * `migrate autobillings --create` recorded but whose create was never answered (`unresolved` in
 * the result file), with its anchor payment, so the row can be migrated again. Only such a row:
 * one with a UnivaPay subscription, or made through the gateway, is refused. The operator first
 * looks for `metadata.legacy-acid` in UnivaPay's console: if the subscription is there, forget
 * the row and map it with `migrate autobillings` (acid, subscription_id, pid), never `--create`.
 */
import type { Config } from "../config/config";
import { createCore } from "../core";
import type { Logger } from "../logging/logger";
import { UsageError } from "./cli-error";

export async function forgetAutoBillingCommand(
  config: Config,
  logger: Logger,
  args: { sid?: string; acid?: string },
  out: (line: string) => void,
): Promise<void> {
  if (!args.sid || !args.acid) throw new UsageError("forget-autobilling --sid SID --acid ACID");
  const core = await createCore(config, { logger, withStore: true });
  try {
    const store = core.store;
    if (!store) throw new Error("no store");
    const { sid, acid } = args;
    const row = await store.findSubscription(sid, acid);
    if (!row) throw new UsageError(`sid ${sid} has no auto-billing ${acid}`);
    if (row.origin !== "created" || row.subscriptionId !== null) {
      throw new UsageError(
        `auto-billing ${acid} is ${row.subscriptionId ? `subscription ${row.subscriptionId}` : `a ${row.origin} one`}: only a created one whose create was never answered can be forgotten (stop a running one with ACCANCEL)`,
      );
    }
    await store.transaction((tx) => tx.discardImportedAutoBilling(sid, acid));
    out(`forgot auto-billing ${acid} of sid ${sid} (pid ${row.firstPid}, recorded ${row.createdAt.toISOString()}): it can be migrated again`);
  } finally {
    await core.close();
  }
}
