/**
 * `npm run ops -- reversals [--limit 50]`: the payments and operations whose merchant was answered
 * failure (`outcome_unknown`) while UnivaPay's outcome was unknown — `reversing` (the gateway is
 * still voiding or refunding what went through, or proving nothing did) and `reversed` (done) —
 * newest change first, one tab-separated line each. A row that stays `reversing` is one UnivaPay
 * refused to undo (an ERROR line says which): it needs an operator.
 */
import type { Config } from "../config/config";
import { createCore } from "../core";
import type { Logger } from "../logging/logger";
import { UsageError } from "./cli-error";

export async function reversalsCommand(config: Config, logger: Logger, args: { limit?: string }, out: (line: string) => void): Promise<void> {
  const limit = args.limit === undefined ? 50 : Number(args.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError("--limit must be a whole number from 1 to 10000");
  const core = await createCore(config, { logger, withStore: true });
  try {
    const store = core.store;
    if (!store) throw new Error("no store");
    const rows = await store.listReversals(limit);
    out(["updated", "state", "sid", "pid", "job", "univapay id", "univapay status"].join("\t"));
    for (const t of rows) out([t.updatedAt.toISOString(), t.state, t.sid, t.pid, t.job, t.univapayId ?? "-", t.univapayStatus ?? "-"].join("\t"));
    if (rows.length === 0) out("(none)");
  } finally {
    await core.close();
  }
}
