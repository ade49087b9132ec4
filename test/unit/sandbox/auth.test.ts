import { authenticate, parseAuthorization } from "../../../src/sandbox/auth/credentials";
import { signJwt, verifyJwt, type AppTokenClaims } from "../../../src/sandbox/auth/jwt";
import { ApiError } from "../../../src/sandbox/errors";

const key = Buffer.alloc(32, 7);
const claims: AppTokenClaims = {
  iss: "univapay-sandbox",
  sub: "app_token",
  iat: 1_700_000_000,
  jti: "jti-1",
  merchant_id: "m-1",
  store_id: "s-1",
  mode: "test",
  domains: ["localhost"],
  creator_id: "m-1",
  version: 1,
};

describe("auth/jwt", () => {
  it("round-trips claims and rejects a forged signature", () => {
    const jwt = signJwt(claims, key);
    expect(verifyJwt(jwt, key)).toEqual(claims);
    expect(verifyJwt(jwt, Buffer.alloc(32, 8))).toBeNull();
    const [h, , s] = jwt.split(".");
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, store_id: "s-2" })).toString("base64url");
    expect(verifyJwt(`${h}.${forgedBody}.${s}`, key)).toBeNull();
    expect(verifyJwt("not-a-jwt", key)).toBeNull();
  });

  it("carries the claims univapay-node reads (storeId, mode, domains after camel-casing)", () => {
    const payload = JSON.parse(Buffer.from(signJwt(claims, key).split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ sub: "app_token", store_id: "s-1", mode: "test", domains: ["localhost"] });
  });
});

describe("auth/credentials", () => {
  const jwt = signJwt(claims, key);
  const secretOf = (jti: string) => (jti === "jti-1" ? "sec.ret" : undefined);
  const code = (r: unknown) => (r instanceof ApiError ? r.code : "ok");

  it("splits secret and JWT even when the secret contains dots", () => {
    expect(parseAuthorization(`Bearer sec.ret.${jwt}`)).toEqual({ secret: "sec.ret", jwt });
    expect(parseAuthorization(`Bearer ${jwt}`)).toEqual({ secret: null, jwt });
  });

  it("maps bad credentials to the documented 401 codes", () => {
    expect(code(authenticate(undefined, key, secretOf))).toBe("AUTH_HEADER_MISSING");
    expect(code(authenticate("Basic abc", key, secretOf))).toBe("INVALID_APP_TOKEN");
    expect(code(authenticate("Bearer x.y.z", key, secretOf))).toBe("INVALID_APP_TOKEN");
    expect(code(authenticate(`Bearer wrong.${jwt}`, key, secretOf))).toBe("INVALID_CREDENTIALS");
    expect(code(authenticate(`Bearer sec.ret.${jwt}`, key, secretOf))).toBe("ok");
    const secretless = authenticate(`Bearer ${jwt}`, key, secretOf);
    expect(secretless instanceof ApiError ? null : secretless.hasSecret).toBe(false);
  });
});
