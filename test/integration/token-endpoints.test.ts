/**
 * The old token service's endpoints on the gateway (/API/_Token/…), spoken to as a merchant's
 * self-hosted copy of the old script would once its host and public key point at the gateway:
 * getMember → a recurring token that memberpay.aspx charges; getToken → a one-time token; the
 * server-side checks and result codes; a forged seal, a foreign key, a callback that is not an
 * identifier, a foreign Referer, a merchant without the token script, and the rate limit per
 * address. Card data never reaches the log.
 */
import axios from "axios";
import { generateKeyPairSync } from "node:crypto";
import { startHarness, type Harness } from "../support/gateway-harness";
import { jsonpResult, tokenQuery, type WireMethod } from "../support/legacy-token-client";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(60_000);

const SHOP = "https://shop.example.jp";
const CARD = ["4000020000000000", "122030", "123", "TARO", "YAMADA"];
const MEMBER = [...CARD, "cust-1", "code-9", "", ""];

function keyPair(bits = 2048) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return { privatePem: String(privateKey.export({ type: "pkcs8", format: "pem" })), publicPem: String(publicKey.export({ type: "spki", format: "pem" })) };
}

describe("token endpoints (/API/_Token/…)", () => {
  let h: Harness;
  const logLines: Array<Record<string, unknown>> = [];
  const current = keyPair();
  const previous = keyPair(1024);
  beforeAll(async () => {
    h = await startHarness({
      db: "sqlite",
      logLines,
      tokenScript: { origins: [SHOP], fallbackEmail: "orders@shop.example.jp" },
      env: { TOKEN_RSA_PRIVATE_KEYS: `${current.privatePem}\n${previous.privatePem}`, TOKEN_RATE_PER_IP_PER_MIN: "1000" },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = async (method: WireMethod, query: URLSearchParams, headers: Record<string, string> = { Referer: `${SHOP}/shopping/payment` }) => {
    const res = await axios.get(`${h.gateway.url}/API/_Token/${method}?${query.toString()}`, { headers, validateStatus: () => true, responseType: "text" });
    return res;
  };
  const result = async (
    method: WireMethod,
    fields: readonly string[],
    opts: { publicKeyPem?: string; sid?: string; headers?: Record<string, string> } = {},
  ) => {
    const q = tokenQuery({ publicKeyPem: opts.publicKeyPem ?? h.gateway.tokenPublicKeyPem ?? "", sid: opts.sid ?? h.sid, fields });
    const res = await call(method, q, opts.headers);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/javascript/);
    return jsonpResult(res.data as string) as { resultCode: string; tokenObject?: { token: string; maskedCardNo: string } };
  };
  const memberpay = async (query: string) => replyFields((await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&${query}`))).body);

  it("getMember → a recurring token that memberpay.aspx charges, now and again later", async () => {
    expect(h.gateway.tokenPublicKeyPem).toBe(current.publicPem);
    const r = await result("MemberPayment", MEMBER);
    expect(r.resultCode).toBe("000");
    expect(r.tokenObject?.maskedCardNo).toBe("************0000");
    const token = r.tokenObject?.token as string;
    const t = await h.gateway.deps.client.getTransactionToken(h.merchant.credentials, token);
    expect(t).toMatchObject({ type: "recurring", email: "orders@shop.example.jp", metadata: { "legacy-memberid": "cust-1", "legacy-membercode": "code-9" } });
    for (const sod of ["T1", "T2"]) {
      const paid = await memberpay(`job=CAPTURE&upcmemberid=${token}&siam1=1500&sod=${sod}`);
      expect([field(paid, "rst"), field(paid, "ta")]).toEqual(["1", "1500"]);
    }
    // Neither the card number nor its encrypted form is in any log line.
    const logged = JSON.stringify(logLines);
    expect(logged).not.toContain("4000020000000000");
    expect(logged).toContain('"resultCode":"000"');
  });

  it("a declining card gets its token; the decline comes on memberpay, as before", async () => {
    const r = await result("MemberPayment", ["4111111111111111", "1230", "123", "HANAKO", "SATO", "", "", "hanako@example.jp", "0312345678"]);
    expect(r.resultCode).toBe("000");
    const paid = await memberpay(`job=CAPTURE&upcmemberid=${r.tokenObject?.token}&siam1=900&sod=T3`);
    expect(field(paid, "rst")).toBe("2");
    expect(field(paid, "ec")).toMatch(/^ER000T52G/);
  });

  it("the same envelope sent again is answered with the same token, never a second one", async () => {
    const q = tokenQuery({ publicKeyPem: h.gateway.tokenPublicKeyPem as string, sid: h.sid, fields: MEMBER });
    const first = jsonpResult((await call("MemberPayment", q)).data as string);
    const again = jsonpResult((await call("MemberPayment", q, { Referer: `${SHOP}/shopping/payment`, "x-request-id": "another-id" })).data as string);
    expect(first["resultCode"]).toBe("000");
    expect(again).toEqual(first);
  });

  it("getToken → a one-time token; getMemberTag keeps the tag name", async () => {
    const one = await result("TokenPayment", CARD);
    expect(one.resultCode).toBe("000");
    expect((await h.gateway.deps.client.getTransactionToken(h.merchant.credentials, one.tokenObject?.token as string)).type).toBe("one_time");
    const tagged = await result("MemberTagPayment", [...MEMBER, "main"]);
    expect(tagged.resultCode).toBe("000");
    const t = await h.gateway.deps.client.getTransactionToken(h.merchant.credentials, tagged.tokenObject?.token as string);
    expect(t.metadata).toMatchObject({ "legacy-tagname": "main" });
  });

  it("a page still carrying the previous public key is served through a rotation", async () => {
    expect((await result("MemberPayment", MEMBER, { publicKeyPem: previous.publicPem })).resultCode).toBe("000");
  });

  it.each<[string, string, string[]]>([
    ["no card number", "100", ["", "1230", "123", "TARO", "YAMADA"]],
    ["letters in the card number", "101", ["4000abcd00000000", "1230", "123", "TARO", "YAMADA"]],
    ["a short card number", "102", ["400002", "1230", "123", "TARO", "YAMADA"]],
    ["an expired card", "114", ["4000020000000000", "0120", "123", "TARO", "YAMADA"]],
    ["month 13", "113", ["4000020000000000", "1330", "123", "TARO", "YAMADA"]],
    ["a 5-digit security code", "122", ["4000020000000000", "1230", "12345", "TARO", "YAMADA"]],
    ["a kanji name", "131", ["4000020000000000", "1230", "123", "太郎", "YAMADA"]],
    ["no last name", "134", ["4000020000000000", "1230", "123", "TARO", ""]],
  ])("the server checks the card as the script did: %s → %s", async (_what, code, fields) => {
    expect((await result("TokenPayment", fields)).resultCode).toBe(code);
  });

  it("member fields are checked too (memberid length, email, phone, tag name)", async () => {
    expect((await result("MemberPayment", [...CARD, "x".repeat(33), "", "", ""])).resultCode).toBe("304");
    expect((await result("MemberPayment", [...CARD, "", "", "not-an-email", ""])).resultCode).toBe("305");
    expect((await result("MemberPayment", [...CARD, "", "", "", "03-1234"])).resultCode).toBe("307");
    expect((await result("MemberTagPayment", [...MEMBER, ""])).resultCode).toBe("310");
  });

  it("refuses a forged seal, a key it does not hold and a wrong field count with one code (901)", async () => {
    const q = tokenQuery({ publicKeyPem: h.gateway.tokenPublicKeyPem as string, sid: h.sid, fields: CARD });
    q.set("seal", "0".repeat(40));
    expect(jsonpResult((await call("TokenPayment", q)).data as string)).toEqual({ resultCode: "901" });
    expect((await result("TokenPayment", CARD, { publicKeyPem: keyPair(1024).publicPem })).resultCode).toBe("901");
    expect((await result("MemberPayment", CARD)).resultCode).toBe("901");
    // The seal covers the callback: another name is another request.
    const renamed = tokenQuery({ publicKeyPem: h.gateway.tokenPublicKeyPem as string, sid: h.sid, fields: CARD });
    renamed.set("callback", "otherCallback");
    expect(jsonpResult((await call("TokenPayment", renamed)).data as string, "otherCallback")).toEqual({ resultCode: "901" });
    // Another shop's sid is that shop's request: checked (904 here, unknown) before any decryption.
    const moved = tokenQuery({ publicKeyPem: h.gateway.tokenPublicKeyPem as string, sid: h.sid, fields: CARD });
    moved.set("publicKey", "999999");
    expect(jsonpResult((await call("TokenPayment", moved)).data as string)).toEqual({ resultCode: "904" });
  });

  it("a callback that is not a plain identifier gets no script", async () => {
    const q = tokenQuery({ publicKeyPem: h.gateway.tokenPublicKeyPem as string, sid: h.sid, fields: CARD, callback: "alert(1)//" });
    const res = await call("TokenPayment", q);
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.data).not.toContain("alert");
  });

  it("a page of another site is refused 902; an unknown shop 904; sid format 301/302", async () => {
    expect((await result("MemberPayment", MEMBER, { headers: { Referer: "https://evil.example/pay" } })).resultCode).toBe("902");
    // No Referer at all (a no-referrer page, or a script outside a browser): refused too.
    expect((await result("MemberPayment", MEMBER, { headers: {} })).resultCode).toBe("902");
    expect((await result("MemberPayment", MEMBER, { sid: "123456" })).resultCode).toBe("904");
    expect((await result("MemberPayment", MEMBER, { sid: "12345" })).resultCode).toBe("302");
    expect((await result("MemberPayment", MEMBER, { sid: "12a456" })).resultCode).toBe("301");
  });
});

describe("token endpoints: limits and merchants without the token script", () => {
  it("answer 903 past the per-address limit, and 904 for a merchant that did not enable it", async () => {
    const h = await startHarness({
      db: "sqlite",
      env: { TOKEN_RSA_PRIVATE_KEYS: keyPair(1024).privatePem, TOKEN_RATE_PER_IP_PER_MIN: "3" },
    });
    try {
      const pem = h.gateway.tokenPublicKeyPem as string;
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) {
        const q = tokenQuery({ publicKeyPem: pem, sid: h.sid, fields: CARD });
        const res = await axios.get(`${h.gateway.url}/API/_Token/TokenPayment?${q.toString()}`, { responseType: "text" });
        codes.push(jsonpResult(res.data as string)["resultCode"] as string);
      }
      expect(codes).toEqual(["904", "904", "904", "903", "903"]);
    } finally {
      await h.close();
    }
  });
});
