/**
 * Everything demo mode adds to the gateway, in one place: the embedded sandbox, the demo merchant
 * (unless the merchants file configures sid 100001 itself) with its built-in kickback receiver on
 * the operator listener, its members, its webhook, and the request-key secret kept next to the
 * sandbox state. The gateway calls the three steps in order and knows nothing else of the demo.
 */
import type { Config } from "../config/config";
import { checkKickbackUrls } from "../notify/check-kickback-urls";
import type { Merchant } from "../config/merchants";
import type { Core } from "../core";
import type { DemoReceiver } from "../http/routes/demo-routes";
import type { Logger, Secret } from "../logging/logger";
import type { SandboxOptions } from "../sandbox/sandbox";
import type { Store } from "../store/store-types";
import { registerWebhook } from "../webhooks/register-webhook";
import { DEMO_MEMBER_CHECK_INTERVAL_MS, DEMO_SID, demoMerchant, ensureDemoMembers } from "./demo-setup";
import { demoGatewaySecret, startEmbeddedSandbox, type EmbeddedSandbox } from "./embedded-sandbox";

export interface DemoMode {
  readonly embedded: EmbeddedSandbox;
  readonly requestKeySecret: Secret;
  /** The demo merchant to add, undefined when the merchants file configures DEMO_SID itself. */
  readonly merchant: Merchant | undefined;
  /** The built-in kickback receiver (served on the operator listener), with the merchant. */
  readonly receiver: DemoReceiver | undefined;
  /** The receiver's exact URL, exempt from the SSRF guard (the guard stays on for all else). */
  readonly trustedKickbackUrls: readonly string[];
  /** Once the store is open: the demo members exist, and are re-checked daily. */
  provision(core: Core, store: Store): Promise<void>;
  /** Once the merchants' port listens: the sandbox sends its webhooks there. */
  connect(core: Core, gatewayUrl: string): Promise<void>;
  close(): Promise<void>;
}

/** Checked before anything starts, like every other kickback URL. */
export function checkDemoConfig(config: Config): void {
  if (config.DEMO_KICKBACK_URL)
    checkKickbackUrls([{ sid: DEMO_SID, kickbackUrl: config.DEMO_KICKBACK_URL, kickbackUrls: {} }], config.KICKBACK_ALLOW_PRIVATE_NETWORKS);
}

export async function startDemoMode(
  config: Config,
  logger: Logger,
  adminUrl: string,
  configured: readonly Merchant[],
  sandboxOpts?: SandboxOptions,
): Promise<DemoMode> {
  const embedded = await startEmbeddedSandbox(config, logger, sandboxOpts);
  logger.warn(
    { univapay: embedded.baseUrl, sandboxState: embedded.stateFile ?? "in memory", merchant: DEMO_SID },
    "DEMO MODE: embedded UnivaPay sandbox and demo merchant only, no real payments. Set MERCHANTS_FILE, UNIVAPAY_BASE_URL and GATEWAY_SECRET for production",
  );
  let check: NodeJS.Timeout | undefined;
  try {
    const requestKeySecret = demoGatewaySecret(config, embedded.stateFile, logger);
    const own = !configured.some((m) => m.sid === DEMO_SID);
    const kickbackUrl = config.DEMO_KICKBACK_URL ?? `${adminUrl}/demo/kickback`;
    const merchant = own ? demoMerchant(embedded.sandbox.demo, kickbackUrl) : undefined;
    return {
      embedded,
      requestKeySecret,
      merchant,
      receiver: merchant ? { received: [] } : undefined,
      trustedKickbackUrls: merchant && !config.DEMO_KICKBACK_URL ? [kickbackUrl] : [],
      async provision(core, store) {
        if (!merchant) return;
        await ensureDemoMembers(core.client, store, merchant, logger);
        check = setInterval(
          () => void ensureDemoMembers(core.client, store, merchant, logger).catch((err: unknown) => logger.warn({ err }, "demo member check failed")),
          DEMO_MEMBER_CHECK_INTERVAL_MS,
        );
        check.unref();
      },
      async connect(core, gatewayUrl) {
        if (merchant) await registerWebhook(core.client, merchant, `${gatewayUrl}/webhooks/univapay`);
      },
      async close() {
        if (check) clearInterval(check);
        await embedded.sandbox.close();
      },
    };
  } catch (err) {
    await embedded.sandbox.close();
    throw err;
  }
}
