/**
 * `npm run ops -- register-webhook --sid SID [--url URL]`: registers (or repairs and re-enables)
 * the gateway's webhook on the merchant's UnivaPay store, with the merchant's webhook token, as
 * the merchant would in UnivaPay's admin UI. The URL defaults to this machine's gateway port.
 */
import { createCore, verifiedMerchant } from "../core";
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import { registerWebhook, WEBHOOK_TRIGGERS } from "../webhooks/register-webhook";
import { UsageError } from "./cli-error";

export async function registerWebhookCommand(config: Config, logger: Logger, args: { sid?: string; url?: string }, out: (line: string) => void): Promise<void> {
  if (!args.sid) throw new UsageError("register-webhook --sid SID [--url https://gateway.example/webhooks/univapay]");
  const url = args.url ?? `http://127.0.0.1:${config.PORT}/webhooks/univapay`;
  const core = await createCore(config, { logger });
  try {
    const merchant = await verifiedMerchant(core, args.sid);
    const { webhook, created } = await registerWebhook(core.client, merchant, url);
    out(`${created ? "registered" : "updated"} webhook ${webhook.id} of merchant ${args.sid}: ${url} (${WEBHOOK_TRIGGERS.join(", ")})`);
  } finally {
    await core.close();
  }
}
