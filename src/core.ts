/**
 * The gateway's services without a server: merchants (from MERCHANTS_FILE, credentials checked
 * against UnivaPay), the UnivaPay client and, when asked for, the store. Command-line tools stand
 * on it; it never listens, never starts the sandbox and never registers anything by itself.
 */
import type { Config } from "./config/config";
import { createMerchantRegistry, loadMerchantsFile, type Merchant, type MerchantRegistry } from "./config/merchants";
import { checkMerchant } from "./config/verify-merchants";
import { AppError } from "./errors/app-error";
import { createLogger, type Logger } from "./logging/logger";
import { createStore } from "./store/create-store";
import type { Store } from "./store/store-types";
import { createUnivapayClient, type UnivapayClient } from "./univapay/univapay-client";

export interface Core {
  readonly config: Config;
  readonly logger: Logger;
  readonly client: UnivapayClient;
  readonly merchants: MerchantRegistry;
  /** Only when createCore was asked for it (a tool that only talks to UnivaPay opens no database). */
  readonly store: Store | undefined;
  close(): Promise<void>;
}

export interface CoreOptions {
  readonly logger?: Logger;
  readonly env?: Record<string, string | undefined>;
  readonly withStore?: boolean;
}

export async function createCore(config: Config, opts: CoreOptions = {}): Promise<Core> {
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL });
  if (!config.UNIVAPAY_BASE_URL || !config.MERCHANTS_FILE) {
    throw new AppError("config_invalid", "this command needs the gateway's configuration", {
      details: [{ path: "MERCHANTS_FILE, UNIVAPAY_BASE_URL", message: "set both, as for `npm start` with your merchants (the demo has no merchants file)" }],
    });
  }
  const merchants: Merchant[] = loadMerchantsFile(config.MERCHANTS_FILE, opts.env ?? process.env);
  const client = createUnivapayClient({ baseUrl: config.UNIVAPAY_BASE_URL, timeoutMs: config.UNIVAPAY_TIMEOUT_MS, logger, maxSockets: config.UNIVAPAY_MAX_SOCKETS });
  const registry = createMerchantRegistry(merchants);
  try {
    const store = opts.withStore ? await createStore({ databaseUrl: config.DATABASE_URL, logger }) : undefined;
    return {
      config,
      logger,
      client,
      merchants: registry,
      store,
      close: async () => {
        client.close();
        await store?.close();
      },
    };
  } catch (err) {
    client.close();
    throw err;
  }
}

/** The merchant `sid`, its credentials checked against UnivaPay now: a tool never acts for a
 *  merchant the gateway would not serve. */
export async function verifiedMerchant(core: Core, sid: string): Promise<Merchant> {
  const m = core.merchants.get(sid);
  if (!m) {
    const known = core.merchants.all().map((x) => x.sid).join(", ");
    throw new AppError("config_invalid", `sid ${sid} is not in ${core.config.MERCHANTS_FILE} (it has: ${known || "none"})`);
  }
  const status = await checkMerchant(core.client, m);
  if (status.state !== "verified") throw new AppError("config_invalid", `merchant ${sid}: ${status.reason}`);
  core.merchants.setStatus(sid, status);
  return m;
}
