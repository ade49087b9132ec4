/**
 * The old token service's endpoints on the gateway host (token-js.md §3): GET
 * /API/_Token/{TokenPayment,MemberPayment,MemberTagPayment}, JSONP. Every answer is JavaScript
 * calling the page's callback with `{resultCode, tokenObject}` — errors included, with the
 * script's result codes — except when the callback is not a plain identifier, which gets no
 * script at all. Card data is never logged: one INFO line per request with the sid, the method
 * and the result code.
 */
import Router from "@koa/router";
import { createHash } from "node:crypto";
import type { Context } from "koa";
import type { MerchantRegistry } from "../../config/merchants";
import type { Logger } from "../../logging/logger";
import type { UnivapayClient } from "../../univapay/univapay-client";
import { issueCardToken } from "../../token/issue-card-token";
import { isCallbackName, openTokenRequest } from "../../token/open-token-request";
import { checkTokenFields, type TokenMethod } from "../../token/token-fields";
import type { TokenKeys } from "../../token/token-keys";
import { TOKEN_SCRIPT_FILE, type TokenScript } from "../../token/token-script";
import { addressKey, type RateLimiter } from "../../token/token-rate-limiter";
import { TOKEN_SUCCESS, type TokenResultCode } from "../../token/token-result-codes";
import type { RequestState } from "../middleware/request-id";

export const TOKEN_PATHS: ReadonlyArray<readonly [string, TokenMethod]> = [
  ["/API/_Token/TokenPayment", "token"],
  ["/API/_Token/MemberPayment", "member"],
  ["/API/_Token/MemberTagPayment", "memberTag"],
];

export interface TokenRouteDeps {
  readonly merchants: MerchantRegistry;
  readonly client: UnivapayClient;
  /** undefined: no key configured, the endpoints answer 904 to everyone. */
  readonly keys: TokenKeys | undefined;
  /** The rendered drop-in script; undefined with no key (404). */
  readonly script: TokenScript | undefined;
  readonly perIp: RateLimiter;
  readonly perSid: RateLimiter;
  readonly now: () => Date;
  readonly logger: Logger;
}

type TokenAnswer = { resultCode: TokenResultCode | typeof TOKEN_SUCCESS; tokenObject?: { token: string; maskedCardNo: string } };

/** The Referer's origin is one of the shop's. Browsers send at least the origin on a cross-site
 *  script load by default; a page that sends none (`no-referrer`) is refused too, or any site could
 *  use a shop's sid by hiding its own origin. (Not a defence against anything but browsers.) */
function refererAllowed(referer: string, origins: readonly string[]): boolean {
  if (referer === "") return false;
  try {
    return origins.includes(new URL(referer).origin);
  } catch {
    return false;
  }
}

async function answer(deps: TokenRouteDeps, method: TokenMethod, ctx: Context): Promise<{ callback: string | null; sid?: string; body: TokenAnswer }> {
  const fail = (resultCode: TokenResultCode) => ({ resultCode });
  const query = new URLSearchParams(ctx.querystring);
  const early = safeCallback(query);
  // Before the RSA work: an address that floods us costs one map lookup per request.
  if (!deps.perIp.take(addressKey(ctx.request.ip))) return { callback: early, body: fail("903") };
  if (!deps.keys) return { callback: early, body: fail("904") };
  // The shop and the page's origin are checked before any decryption, and a page of another site
  // spends none of the shop's budget. (The sid is checked again inside the seal.)
  const claimed = query.get("publicKey") ?? "";
  const merchant = /^\d{6}$/.test(claimed) ? deps.merchants.get(claimed) : undefined;
  const settings = merchant?.tokenScript;
  if (early !== null && /^\d{6}$/.test(claimed)) {
    // Unknown, unverified and not enabled look the same from outside.
    if (!merchant || !settings || deps.merchants.status(claimed).state !== "verified") return { callback: early, sid: claimed, body: fail("904") };
    if (!refererAllowed(ctx.get("Referer"), settings.origins)) return { callback: early, sid: claimed, body: fail("902") };
    if (!deps.perSid.take(claimed)) return { callback: early, sid: claimed, body: fail("903") };
  }
  const opened = openTokenRequest(method, query, deps.keys.privateKeys);
  if (!opened.ok) return { callback: opened.callback, ...(opened.sid ? { sid: opened.sid } : {}), body: fail(opened.code) };
  const { sid, callback } = opened;
  if (!merchant || !settings) return { callback, sid, body: fail("904") };
  const checked = checkTokenFields(method, opened.fields, deps.now());
  if (!checked.ok) return { callback, sid, body: fail(checked.code) };
  // Keyed by the envelope (its random IV and salt make each browser call unique): the same
  // envelope sent again is UnivaPay's replay of the same token, never a second one.
  const envelope = createHash("sha256")
    .update(query.get("key") ?? "")
    .digest("hex");
  const issued = await issueCardToken(deps.client, merchant, settings.fallbackEmail, {
    method,
    card: checked.card,
    member: checked.member,
    requestId: envelope,
  });
  if (!issued.ok) return { callback, sid, body: fail(issued.code) };
  return { callback, sid, body: { resultCode: TOKEN_SUCCESS, tokenObject: { token: issued.token, maskedCardNo: issued.maskedCardNo } } };
}

function safeCallback(query: URLSearchParams): string | null {
  const c = query.get("callback") ?? "";
  return isCallbackName(c) ? c : null;
}

/** Short: a key rotation reaches open checkout pages within minutes; ETag keeps reloads cheap. */
const SCRIPT_MAX_AGE_S = 300;

export function tokenRoutes(deps: TokenRouteDeps): Router {
  const router = new Router();
  router.get(`/${TOKEN_SCRIPT_FILE}`, (ctx) => {
    const script = deps.script;
    ctx.set("X-Content-Type-Options", "nosniff");
    if (!script) {
      ctx.status = 404;
      ctx.type = "application/javascript; charset=utf-8";
      ctx.body = "/* the card-token script is not enabled on this gateway */\n";
      return;
    }
    ctx.set("Cache-Control", `public, max-age=${SCRIPT_MAX_AGE_S}`);
    ctx.set("ETag", script.etag);
    ctx.type = "application/javascript; charset=utf-8";
    if (ctx.get("If-None-Match") === script.etag) {
      ctx.status = 304;
      return;
    }
    ctx.body = script.body;
  });
  for (const [path, method] of TOKEN_PATHS) {
    router.get(path, async (ctx) => {
      const state = ctx.state as RequestState;
      let out: Awaited<ReturnType<typeof answer>>;
      try {
        out = await answer(deps, method, ctx);
      } catch (err) {
        state.log.error({ err, method }, "token request failed unexpectedly");
        out = { callback: safeCallback(new URLSearchParams(ctx.querystring)), body: { resultCode: "900" } };
      }
      state.log.info({ sid: out.sid, method, resultCode: out.body.resultCode }, "token request");
      ctx.set("Cache-Control", "no-store");
      ctx.set("X-Content-Type-Options", "nosniff");
      if (out.callback === null) {
        ctx.status = 400;
        ctx.type = "text/plain; charset=utf-8";
        ctx.body = "callback must be a plain JavaScript identifier\n";
        return;
      }
      ctx.type = "application/javascript; charset=utf-8";
      ctx.body = `${out.callback}(${JSON.stringify(out.body)});\n`;
    });
  }
  return router;
}
