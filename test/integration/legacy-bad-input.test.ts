/**
 * Bad input never yields a stack trace or a 500: every refusal is HTTP 200 with rst=2 and an ec
 * from the documented code table (mappings/errors.yaml), and nothing is charged.
 */
import { ecFor } from "../../src/mapping";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(60_000);

describe("legacy bad input", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "sqlite", charset: "Shift_JIS", env: { LEGACY_MAX_BYTES: "2048" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const ec = (key: Parameters<typeof ecFor>[1]) => ecFor(h.gateway.deps.table, key);
  const get = async (target: Buffer | string) => {
    const res = await sendRaw(h.gateway.url, "GET", typeof target === "string" ? Buffer.from(target, "latin1") : target);
    expect(res.status).toBe(200);
    expect(res.body.toString("latin1")).not.toMatch(/Error:|at .*\.ts/);
    return replyFields(res.body);
  };
  const base = () => `/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&sod=B1`;

  it.each([
    ["missing sid", "/memberpay.aspx?job=CAPTURE&siam1=100", "sid_missing"],
    ["unknown sid", "/memberpay.aspx?sid=999999&job=CAPTURE&siam1=100", "sid_unknown"],
    ["malformed amount", "BASE&siam1=12a", "amount_invalid"],
    ["negative amount", "BASE&siam1=-5", "amount_invalid"],
    ["zero amount", "BASE&siam1=0", "amount_too_low"],
    ["huge amount", "BASE&siam1=99999999999", "amount_too_high"],
    ["missing amount", "BASE", "amount_missing"],
    ["unknown job", "/memberpay.aspx?sid=SID&job=FROB&upcmemberid=demo-ok&siam1=100", "job_unknown"],
    ["bad email", "BASE&siam1=100&em=not-an-email", "email_invalid"],
    ["bad phone", "BASE&siam1=100&tn=03-abc", "phone_invalid"],
    ["unknown member", "/memberpay.aspx?sid=SID&job=CAPTURE&upcmemberid=nobody&siam1=100", "member_unknown"],
    ["unknown pid", "/payment.aspx?sid=SID&svid=1&ptype=1&job=SALES&pid=12345678", "pid_unknown"],
    ["broken percent-encoding", "BASE&siam1=100&no=%G1", "bad_percent_encoding"],
    ["payment.aspx card payment without svid", "/payment.aspx?sid=SID&ptype=1&job=CAPTURE&siam1=100", "svid_unsupported"],
    ["SALES without svid of an unknown pid", "/payment.aspx?sid=SID&job=SALES&pid=12345678", "pid_unknown"],
    ["installments", "BASE&siam1=100&sc=4", "installments_not_supported"],
    ["server-side 3-D Secure method (ptype 2)", "/payment.aspx?sid=SID&svid=1&ptype=2&job=CAPTURE&siam1=100", "ptype_unsupported"],
  ] as const)("%s → rst=2 with its code", async (_name, target, key) => {
    const t = target.replace("BASE", base()).replace("SID", h.sid);
    const r = await get(t);
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).toBe(ec(key));
  });

  it("undecodable Shift_JIS → rst=2", async () => {
    const r = await get(Buffer.concat([Buffer.from(`${base()}&siam1=100&no=`, "latin1"), Buffer.from([0x81])]));
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).toBe(ec("undecodable"));
  });

  it("oversized request → rst=2", async () => {
    const big = Buffer.from(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=100&pad=${"x".repeat(4000)}`);
    const res = await sendRaw(h.gateway.url, "POST", Buffer.from("/memberpay.aspx"), { body: big });
    expect(res.status).toBe(200);
    expect(field(replyFields(res.body), "ec")).toBe(ec("request_too_large"));
  });

  it("paths are case-insensitive, as on the old IIS host", async () => {
    const r = await get(`/MemberPay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=120&sod=CASE1`);
    expect(field(r, "rst")).toBe("1");
  });

  it("HEAD never starts a payment", async () => {
    const res = await sendRaw(h.gateway.url, "HEAD", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=130&sod=HEAD1`));
    expect(res.status).toBe(405);
    expect((await h.listCharges()).some((c) => c.metadata["univapay-reference-id"] === "HEAD1")).toBe(false);
  });

  it("POST form bodies are accepted like GET", async () => {
    const body = Buffer.from(`sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=150&sod=POST1`);
    const res = await sendRaw(h.gateway.url, "POST", Buffer.from("/memberpay.aspx"), { body });
    expect(field(replyFields(res.body), "rst")).toBe("1");
  });
});

describe("source IP allowlist", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "sqlite", sid: "400001", allowedIps: ["203.0.113.7"] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a disallowed source → rst=2 P05P07", async () => {
    const res = await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=100`));
    const r = replyFields(res.body);
    expect(field(r, "rst")).toBe("2");
    expect(field(r, "ec")).toBe(ecFor(h.gateway.deps.table, "source_ip_denied"));
    expect(field(r, "ec")!.endsWith("P05P07")).toBe(true);
  });
});
