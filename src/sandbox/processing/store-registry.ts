/**
 * Merchants, stores and their credentials: each store gets a merchant, an HS256 app-token JWT
 * (claims as univapay-node decodes them) and a secret shown once, like the admin UI's app tokens.
 */
import { randomBytes } from "node:crypto";
import { signJwt } from "../auth/jwt";
import { badRequest, type ApiError } from "../errors";
import { newId } from "../ids";
import { linkFormIdOf } from "../link-form/link-form-id";
import type { Mode, RecurringPrivilege, StoreRecord } from "../state/models";
import type { SandboxState } from "../state/sandbox-state";

export interface CreateStoreOptions {
  readonly name: string;
  readonly mode: Mode;
  /** Allows POST /tokens with raw card data (else 401 DIRECT_CARD_TOKEN_CREATION_DISABLED). */
  readonly pci?: boolean;
  readonly recurringPrivilege?: RecurringPrivilege;
  /** Origins allowed for secretless (browser-style) token creation. */
  readonly domains?: readonly string[];
  /**
   * Account review done (default true). A live store created unverified answers POST /tokens,
   * /charges and /subscriptions with 400 LIVE_MODE_NOT_ENABLED_WHEN_UNVERIFIED (§1.2).
   */
  readonly verified?: boolean;
}

export interface SandboxCredentials {
  readonly storeId: string;
  readonly appToken: string;
  readonly secret: string;
  readonly mode: Mode;
  /** The store's link form: `GET /forms/{linkFormId}?appId={appToken}&…` (derived from the store id). */
  readonly linkFormId: string;
}

export const SANDBOX_ISSUER = "univapay-sandbox";

export function createStoreWithCredentials(state: SandboxState, jwtKey: Buffer, now: number, opts: CreateStoreOptions): SandboxCredentials {
  const merchantId = newId();
  state.merchants.set(merchantId, { id: merchantId, name: `${opts.name} merchant`, email: "merchant@sandbox.invalid", createdAt: now });
  const store: StoreRecord = {
    id: newId(),
    seq: state.nextSeq(),
    merchantId,
    name: opts.name,
    mode: opts.mode,
    pci: opts.pci ?? false,
    recurringPrivilege: opts.recurringPrivilege ?? "none",
    verified: opts.verified ?? true,
    createdAt: now,
  };
  state.stores.set(store.id, store);
  const jti = newId();
  const jwt = signJwt(
    {
      iss: SANDBOX_ISSUER,
      sub: "app_token",
      iat: Math.floor(now / 1000),
      jti,
      merchant_id: merchantId,
      store_id: store.id,
      mode: opts.mode,
      domains: [...(opts.domains ?? [])],
      creator_id: merchantId,
      version: 1,
    },
    jwtKey,
  );
  const secret = randomBytes(15).toString("base64url");
  state.appTokens.set(jti, { jti, storeId: store.id, secret, jwt });
  return { storeId: store.id, appToken: jwt, secret, mode: opts.mode, linkFormId: linkFormIdOf(store.id) };
}

/** The credentials issued with app token `jti` of store `storeId`, as createStore returned them. */
export function credentialsOf(state: SandboxState, storeId: string, jti: string): SandboxCredentials | undefined {
  const store = state.stores.get(storeId);
  const app = state.appTokens.get(jti);
  return store && app && app.storeId === storeId
    ? { storeId, appToken: app.jwt, secret: app.secret, mode: store.mode, linkFormId: linkFormIdOf(storeId) }
    : undefined;
}

/** The jti of the app token `jwt` (createStore returns the JWT, the state file names the jti). */
export function appTokenIdOf(state: SandboxState, jwt: string): string | undefined {
  for (const app of state.appTokens.values()) if (app.jwt === jwt) return app.jti;
  return undefined;
}

/** Live mode needs a reviewed account (`:20769`); test mode never does. */
export function liveModeError(store: StoreRecord | undefined): ApiError | null {
  return store !== undefined && store.mode === "live" && !store.verified ? badRequest("LIVE_MODE_NOT_ENABLED_WHEN_UNVERIFIED") : null;
}
