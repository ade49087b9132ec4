/**
 * The merchants file: who may call the gateway (sid), with which UnivaPay credentials, where their
 * kickbacks go and in which charset. Secrets are never written in the file itself: they are
 * references to environment variables ({ env: NAME }), resolved here, once, at start.
 */
import { readFileSync } from "node:fs";
import { BlockList, isIP } from "node:net";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { AppError } from "../errors/app-error";
import { Secret } from "../logging/logger";
import type { LegacyCharset } from "../domain/legacy-charset";
import type { Mode } from "../domain/mode";

const EnvRef = z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name") }).strict();
const HttpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), "must be http(s)");

const IpOrCidr = z.string().refine((s) => {
  const [addr, bits, extra] = s.split("/");
  if (extra !== undefined || !addr || isIP(addr) === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (isIP(addr) === 4 ? 32 : 128);
}, "an IPv4/IPv6 address or CIDR block");

export const MerchantFileSchema = z
  .object({
    merchants: z
      .array(
        z
          .object({
            sid: z.string().regex(/^\d{1,10}$/, "digits"),
            name: z.string().min(1).optional(),
            mode: z.enum(["test", "live"]),
            univapay: z.object({ storeId: z.string().min(1), appToken: EnvRef, secret: EnvRef }).strict(),
            /** The value UnivaPay sends in the Authorization header of webhook deliveries. */
            webhookToken: EnvRef,
            kickback: z
              .object({
                url: HttpUrl.optional(),
                /** Per service (svid) kickback URL; legacy plugins used one route per service. */
                perService: z.record(z.string().regex(/^\d+$/), HttpUrl).default({}),
              })
              .strict(),
            charset: z.enum(["UTF-8", "Shift_JIS", "auto"]).default("auto"),
            /** sucd → return URL (hosted page flow; registered in the old control panel). */
            returnUrls: z.record(z.string().min(1), HttpUrl).default({}),
            /** Empty: any source. Otherwise the only addresses allowed to call (old error P05P07). */
            allowedIps: z.array(IpOrCidr).default([]),
            /** payment.aspx ptype=1 with raw card data: PCI DSS merchants only. */
            gatewayCardPayments: z.boolean().default(false),
            /**
             * The card-token script and its endpoints (/API/_Token/…): card data passes through the
             * gateway, which puts its operator in PCI DSS scope for this merchant (as the old token
             * service was). Off unless enabled; enabled needs the shop's origins and a fallback
             * email (UnivaPay card tokens need one; the EC-CUBE plugin sends none).
             */
            tokenScript: z
              .object({
                enabled: z.boolean().default(false),
                /** The shop's page origins (scheme://host[:port]); a Referer from elsewhere is refused. */
                origins: z
                  .array(
                    z
                      .string()
                      .url()
                      .transform((u) => new URL(u).origin),
                  )
                  .default([]),
                fallbackEmail: z.string().email().optional(),
              })
              .strict()
              .refine((t) => !t.enabled || (t.origins.length > 0 && t.fallbackEmail !== undefined), "enabled needs origins and fallbackEmail")
              .optional(),
            /**
             * The link method (payment.aspx ptype 3/4/8): the shopper is sent to this merchant's
             * UnivaPay link form and comes back through the gateway to the `returnUrls` URL of its
             * sucd. Absent: the link method is refused (GOP004).
             */
            hostedPage: z
              .object({
                /** The link form's id (管理画面 > 店舗 > 決済フォーム > リンクフォーム設定 > URLコード). */
                formId: z.string().regex(/^[0-9a-fA-F-]{8,64}$/, "the link form id from UnivaPay's control panel"),
                /** The app token the form is opened with (`appId`): the widget/link-form app token,
                 *  which UnivaPay puts in shoppers' browsers anyway, so it is not a secret. */
                appId: z.string().min(1),
                /** 送信元URL: the shop's page origins; a browser arriving from elsewhere is refused (P06P07). */
                sourceUrls: z
                  .array(
                    z
                      .string()
                      .url()
                      .transform((u) => new URL(u).origin),
                  )
                  .min(1),
                /** Where a shopper who did not pay goes back to, per sucd (LEG: /upc_payment_back). */
                backUrls: z.record(z.string().min(1), HttpUrl).default({}),
                /** A browser that sends no Referer at all (Referrer-Policy: no-referrer): refused unless true. */
                allowMissingReferer: z.boolean().default(false),
              })
              .strict()
              .optional(),
            /**
             * Opt-in: this merchant's integration reads rst=0 as "accepted, the result follows by
             * kickback", so an outcome still unknown at the answer deadline is answered rst=0.
             * Without it (the default) such a payment is answered rst=2 and reversed if it went
             * through (README, decisions: most plugins read rst=0 as failure).
             */
            acceptsPending: z.boolean().default(false),
            /** Duplicate-payment prevention per order (P72P0D) within ORDER_GUARD_WINDOW_MS. */
            orderGuard: z.boolean().default(true),
            /** The request field that names the order for the guard: `sod`, or the merchant's own
             *  (the EC-CUBE legacy plugin sends no sod; its order number is `no`). */
            orderField: z
              .string()
              .regex(/^[A-Za-z0-9_]{1,50}$/, "a legacy field name")
              .default("sod"),
            /** This merchant's replay window in seconds, instead of REPLAY_WINDOW_MS (at least 60):
             *  shorter for a shop whose separate orders can be byte-identical requests. */
            replayWindowSeconds: z.number().int().min(60).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export interface TokenScriptSettings {
  readonly origins: readonly string[];
  readonly fallbackEmail: string;
}

export interface HostedPageSettings {
  readonly formId: string;
  readonly appId: string;
  /** Origins (scheme://host[:port]) a link-method browser may come from. */
  readonly sourceOrigins: readonly string[];
  readonly backUrls: Readonly<Record<string, string>>;
  readonly allowMissingReferer: boolean;
}

export interface Merchant {
  readonly sid: string;
  readonly name: string;
  readonly mode: Mode;
  readonly credentials: { readonly storeId: string; readonly appToken: Secret; readonly secret: Secret };
  readonly webhookToken: Secret;
  readonly kickbackUrl: string | undefined;
  readonly kickbackUrls: Readonly<Record<string, string>>;
  readonly charset: LegacyCharset | "auto";
  readonly returnUrls: Readonly<Record<string, string>>;
  /** undefined: any source allowed. */
  readonly allowedSources: BlockList | undefined;
  readonly gatewayCardPayments: boolean;
  /** The card-token script for this merchant; absent: off. */
  readonly tokenScript?: TokenScriptSettings;
  /** The link method for this merchant; absent: off. */
  readonly hostedPage?: HostedPageSettings;
  /** See the merchants file's `acceptsPending` (absent: false). */
  readonly acceptsPending?: boolean;
  /** See the merchants file's `orderGuard` (absent: true). */
  readonly orderGuard?: boolean;
  /** See the merchants file's `orderField` (absent: "sod"). */
  readonly orderField?: string;
  /** See the merchants file's `replayWindowSeconds` (absent: REPLAY_WINDOW_MS). */
  readonly replayWindowMs?: number;
}

/**
 * Whether the gateway may serve a merchant: its credentials were checked against UnivaPay
 * (verified), could not be checked yet (UnivaPay unreachable: checked again in the background,
 * nothing is charged meanwhile), or were refused (never served).
 */
export type MerchantStatus =
  { readonly state: "verified" } | { readonly state: "unverified"; readonly reason: string } | { readonly state: "rejected"; readonly reason: string };

export interface MerchantRegistry {
  get(sid: string): Merchant | undefined;
  all(): readonly Merchant[];
  /** A merchant starts unverified; only the credential check moves it. */
  status(sid: string): MerchantStatus;
  setStatus(sid: string, status: MerchantStatus): void;
}

export function kickbackUrlFor(m: Merchant, svid: string): string | undefined {
  return m.kickbackUrls[svid] ?? m.kickbackUrl;
}

/** The charset of what we write for a merchant whose requests name none ("auto"): UTF-8. */
export function fallbackCharsetOf(m: Pick<Merchant, "charset">): LegacyCharset {
  return m.charset === "auto" ? "UTF-8" : m.charset;
}

export function isSourceAllowed(m: Merchant, ip: string): boolean {
  if (!m.allowedSources) return true;
  const plain = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  const family = isIP(plain) === 6 ? "ipv6" : "ipv4";
  return m.allowedSources.check(plain, family);
}

const NOT_CHECKED: MerchantStatus = { state: "unverified", reason: "credentials not checked yet" };

/** `verified` lists sids already known good (e.g. the demo merchant, made by our own sandbox). */
export function createMerchantRegistry(merchants: readonly Merchant[], verified: readonly string[] = []): MerchantRegistry {
  const bySid = new Map(merchants.map((m) => [m.sid, m]));
  if (bySid.size !== merchants.length) throw new AppError("config_invalid", "duplicate sid in merchants");
  const statuses = new Map<string, MerchantStatus>(verified.map((sid) => [sid, { state: "verified" }]));
  return {
    get: (sid) => bySid.get(sid),
    all: () => merchants,
    status: (sid) => statuses.get(sid) ?? NOT_CHECKED,
    setStatus: (sid, status) => void statuses.set(sid, status),
  };
}

function toBlockList(entries: readonly string[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const e of entries) {
    const [addr = "", bits] = e.split("/");
    const family = isIP(addr) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return list;
}

/** Parses and resolves a merchants document; throws one AppError listing every problem. */
export function parseMerchants(doc: unknown, env: Record<string, string | undefined>, source: string): Merchant[] {
  const parsed = MerchantFileSchema.safeParse(doc);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new AppError("config_invalid", `${source}: invalid merchants file`, { details });
  }
  const problems: { path: string; message: string }[] = [];
  const secret = (ref: { env: string }, path: string): Secret => {
    const v = env[ref.env];
    if (!v) problems.push({ path, message: `environment variable ${ref.env} is not set` });
    return new Secret(v ?? "");
  };
  const seen = new Set<string>();
  const merchants = parsed.data.merchants.map((m, i): Merchant => {
    if (seen.has(m.sid)) problems.push({ path: `merchants.${i}.sid`, message: `duplicate sid ${m.sid}` });
    seen.add(m.sid);
    return {
      sid: m.sid,
      name: m.name ?? m.sid,
      mode: m.mode,
      credentials: {
        storeId: m.univapay.storeId,
        appToken: secret(m.univapay.appToken, `merchants.${i}.univapay.appToken`),
        secret: secret(m.univapay.secret, `merchants.${i}.univapay.secret`),
      },
      webhookToken: secret(m.webhookToken, `merchants.${i}.webhookToken`),
      kickbackUrl: m.kickback.url,
      kickbackUrls: m.kickback.perService,
      charset: m.charset,
      returnUrls: m.returnUrls,
      allowedSources: toBlockList(m.allowedIps),
      gatewayCardPayments: m.gatewayCardPayments,
      ...(m.tokenScript?.enabled && m.tokenScript.fallbackEmail
        ? { tokenScript: { origins: m.tokenScript.origins, fallbackEmail: m.tokenScript.fallbackEmail } }
        : {}),
      ...(m.hostedPage
        ? {
            hostedPage: {
              formId: m.hostedPage.formId,
              appId: m.hostedPage.appId,
              sourceOrigins: m.hostedPage.sourceUrls,
              backUrls: m.hostedPage.backUrls,
              allowMissingReferer: m.hostedPage.allowMissingReferer,
            },
          }
        : {}),
      acceptsPending: m.acceptsPending,
      orderGuard: m.orderGuard,
      orderField: m.orderField,
      ...(m.replayWindowSeconds === undefined ? {} : { replayWindowMs: m.replayWindowSeconds * 1000 }),
    };
  });
  if (problems.length > 0) throw new AppError("config_invalid", `${source}: invalid merchants file`, { details: problems });
  return merchants;
}

export function loadMerchantsFile(path: string, env: Record<string, string | undefined>): Merchant[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new AppError("config_invalid", `${path}: cannot read merchants file: ${(err as Error).message}`, { cause: err });
  }
  return parseMerchants(doc, env, path);
}
