/**
 * The gateway's services without a server: the mapping table, the transition kinds, the
 * merchants (credentials checked against UnivaPay when asked), the UnivaPay client and the store.
 * The HTTP listeners, the background workers, the demo and the command-line tools stand on it; it
 * never listens, never starts the sandbox and never registers anything by itself.
 */
import type { Config } from "./config/config";
import { checkKickbackUrls } from "./notify/check-kickback-urls";
import { createMerchantRegistry, loadMerchantsFile, type Merchant, type MerchantRegistry, type MerchantStatus } from "./config/merchants";
import { checkMerchant } from "./config/verify-merchants";
import { AppError } from "./errors/app-error";
import { createLogger, type Logger } from "./logging/logger";
import { loadMappingTable, type MappingTable } from "./mapping";
import { createStore } from "./store/create-store";
import type { Store } from "./store/store-types";
import { DEFAULT_KINDS } from "./transitions/default-kinds";
import { createKindRegistry, type KindRegistry } from "./transitions/kind-registry";
import type { TransitionKind } from "./transitions/transition-kind";
import { createUnivapayClient, type UnivapayClient } from "./univapay/univapay-client";

/** What the configuration files say, read and checked: no side effect, nothing opened. */
export interface CoreParts {
  readonly table: MappingTable;
  readonly kinds: KindRegistry;
  readonly merchants: readonly Merchant[];
}

export interface Core extends CoreParts {
  readonly config: Config;
  readonly logger: Logger;
  readonly client: UnivapayClient;
  readonly registry: MerchantRegistry;
  /** Only when createCore was asked for it (a tool that only talks to UnivaPay opens no database). */
  readonly store: Store | undefined;
  close(): Promise<void>;
}

export interface PartsOptions {
  readonly env?: Record<string, string | undefined>;
  /** Merchants added to those of MERCHANTS_FILE (tests, the demo). */
  readonly merchants?: readonly Merchant[];
  /** The transition kinds (default DEFAULT_KINDS); a test adds its own. */
  readonly kinds?: readonly TransitionKind[];
}

export interface CoreOptions extends PartsOptions {
  readonly logger?: Logger;
  /** Parts already loaded (loadCoreParts) by a caller that checked them before any side effect. */
  readonly parts?: CoreParts;
  /** UnivaPay's address when it is not UNIVAPAY_BASE_URL (the demo's embedded sandbox). */
  readonly univapayBaseUrl?: string;
  /** How long a call may wait for its rate-limit slot before failing (default the client's 2 s):
   *  a batch tool waits its turn instead of failing rows. */
  readonly rateLimitWaitMs?: number;
  readonly withStore?: boolean;
  /** PostgreSQL schema to use (tests isolate themselves this way). */
  readonly pgSchema?: string;
  /** Check every merchant's credentials before the store opens; refused ones stop start-up. */
  readonly checkCredentials?: boolean;
  /** The clock the store stamps rows with: the engine's own, so "how old is this row" compares
   *  like with like (a test moves it). */
  readonly now?: () => Date;
}

/** Reads the mapping table, the kinds that run it and the merchants file; throws one AppError per
 *  file listing every problem. */
export function loadCoreParts(config: Config, opts: PartsOptions = {}): CoreParts {
  const table = loadMappingTable(config.MAPPINGS_DIR);
  const kinds = createKindRegistry(opts.kinds ?? DEFAULT_KINDS);
  kinds.assertCovers(table);
  const merchants = [...(config.MERCHANTS_FILE ? loadMerchantsFile(config.MERCHANTS_FILE, opts.env ?? process.env) : []), ...(opts.merchants ?? [])];
  checkKickbackUrls(merchants, config.KICKBACK_ALLOW_PRIVATE_NETWORKS);
  return { table, kinds, merchants };
}

export async function createCore(config: Config, opts: CoreOptions = {}): Promise<Core> {
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL });
  const parts = opts.parts ?? loadCoreParts(config, opts);
  const baseUrl = opts.univapayBaseUrl ?? config.UNIVAPAY_BASE_URL;
  if (!baseUrl || parts.merchants.length === 0) {
    throw new AppError("config_invalid", "no merchants configured", {
      details: [{ path: "MERCHANTS_FILE, UNIVAPAY_BASE_URL", message: "set both, as for `npm start` with your merchants (the demo has no merchants file)" }],
    });
  }
  const client = createUnivapayClient({
    baseUrl,
    timeoutMs: config.UNIVAPAY_TIMEOUT_MS,
    logger,
    maxSockets: config.UNIVAPAY_MAX_SOCKETS,
    ...(opts.rateLimitWaitMs === undefined ? {} : { maxRateLimitWaitMs: opts.rateLimitWaitMs }),
  });
  const registry = createMerchantRegistry(parts.merchants);
  try {
    if (opts.checkCredentials) await checkAll(client, registry, logger);
    const store = opts.withStore
      ? await createStore({
          databaseUrl: config.DATABASE_URL,
          logger,
          ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}),
          ...(opts.now ? { now: opts.now } : {}),
        })
      : undefined;
    return {
      ...parts,
      config,
      logger,
      client,
      registry,
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

/** Definite credential problems stop start-up, every merchant listed with its fix; merchants that
 *  could not be checked (UnivaPay unreachable) stay unverified and are not served until they are. */
async function checkAll(client: UnivapayClient, registry: MerchantRegistry, logger: Logger): Promise<void> {
  const statuses = new Map<string, MerchantStatus>();
  await Promise.all(registry.all().map(async (m) => statuses.set(m.sid, await checkMerchant(client, m))));
  const details = [...statuses].flatMap(([sid, s]) => (s.state === "rejected" ? [{ path: `merchant ${sid}`, message: s.reason }] : []));
  if (details.length > 0) throw new AppError("config_invalid", "merchant credentials refused", { details });
  for (const [sid, s] of statuses) {
    registry.setStatus(sid, s);
    if (s.state === "unverified") logger.warn({ sid, reason: s.reason }, "merchant credentials not verified yet, merchant not served");
  }
}

/** The merchant `sid`, its credentials checked against UnivaPay now: a tool never acts for a
 *  merchant the gateway would not serve. */
export async function verifiedMerchant(core: Core, sid: string): Promise<Merchant> {
  const m = core.registry.get(sid);
  if (!m) {
    const known = core.registry
      .all()
      .map((x) => x.sid)
      .join(", ");
    throw new AppError("config_invalid", `sid ${sid} is not in ${core.config.MERCHANTS_FILE} (it has: ${known || "none"})`);
  }
  const status = await checkMerchant(core.client, m);
  if (status.state !== "verified") throw new AppError("config_invalid", `merchant ${sid}: ${status.reason}`);
  core.registry.setStatus(sid, status);
  return m;
}
