/**
 * A bounded, seeded fuzz run against the merchants' port: hostile requests of every kind the
 * attack run used (raw bytes in the request line, broken escapes, too many fields, card numbers in
 * merchant fields, odd methods and content types, lying Content-Lengths, chunked bodies that stop,
 * resets mid-request, pipelined garbage, oversized lines). The gateway must answer no 5xx, every
 * GET/POST on a legacy path with a parseable legacy reply, log no ERROR, and keep serving.
 */
import { connect } from "node:net";
import iconv from "iconv-lite";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(120_000);

const CASES = 600;
const CONCURRENCY = 12;

/** mulberry32: the same seed gives the same run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  readonly kind: string;
  readonly bytes: Buffer;
  /** Reset the connection after this many ms instead of waiting for an answer. */
  readonly resetAfterMs?: number;
  readonly legacy: boolean;
}

interface Outcome {
  readonly raw: Buffer;
  readonly error?: string;
}

/** Sends the bytes; resolves when the server closes, or once a first response is complete (a
 *  kept-alive connection may rightly stay open). No byte at all within 5 s is a hang. */
function send(url: string, c: Case): Promise<Outcome> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(hang);
      s.destroy();
      resolve({ raw: Buffer.concat(chunks), ...(error ? { error } : {}) });
    };
    const s = connect(Number(u.port), u.hostname, () => {
      s.write(c.bytes);
      if (c.resetAfterMs !== undefined) setTimeout(() => (s.resetAndDestroy(), done()), c.resetAfterMs);
    });
    const hang = setTimeout(() => done(chunks.length === 0 ? "no answer within 5 s" : undefined), 5_000);
    s.on("data", (d: Buffer) => {
      chunks.push(d);
      if (complete(Buffer.concat(chunks))) done();
    });
    s.on("error", () => undefined);
    s.on("close", () => done());
  });
}

/** Whether `raw` holds one whole Content-Length-framed response. */
function complete(raw: Buffer): boolean {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const len = /content-length: (\d+)/i.exec(raw.subarray(0, end).toString("latin1"));
  return len !== null && raw.length >= end + 4 + Number(len[1]);
}

function makeCases(sid: string, rnd: () => number): Case[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const int = (n: number) => Math.floor(rnd() * n);
  const randomBytes = (n: number, lo = 0, hi = 255) =>
    Buffer.from(Array.from({ length: n }, () => lo + int(hi - lo + 1)).filter((b) => b !== 0x0d && b !== 0x0a));
  const path = () => pick(["/memberpay.aspx", "/payment.aspx", "/MemberPay.aspx", "/payment.aspx/", "/webhooks/univapay", "/nope", "/healthz"]);
  const good = () =>
    `sid=${sid}&job=${pick(["CAPTURE", "AUTH", "capture", "SALES", "CANCEL", "FROB", ""])}&upcmemberid=${pick(["demo-ok", "demo-decline", "x", ""])}&siam1=${pick(["100", "1080.00", "-1", "abc", "99999999999", ""])}&sod=F${int(1e6)}`;
  const fieldsOf = (): Buffer => {
    switch (int(9)) {
      case 0:
        return Buffer.from(good());
      case 1:
        return Buffer.concat([Buffer.from(`${good()}&no=`), randomBytes(1 + int(40), 0x20, 0xff)]);
      case 2:
        return Buffer.from(`${good()}&memo=card ${pick(["4111111111111111", "4111-1111-1111-1111", "5555555555554444", "12345"])}`);
      case 3:
        return Buffer.from(`${good()}&x=%${pick(["G1", "", "4", "zz", "%%"])}&=y&&&`);
      case 4:
        return Buffer.from(Array.from({ length: 150 + int(200) }, (_, i) => `f${i}=${i}`).join("&") + `&sid=${sid}`);
      case 5:
        return Buffer.concat([Buffer.from(`sid=${sid}&job=CAPTURE&sinm1=`), iconv.encode("商品　テスト～①", "cp932"), Buffer.from("&em=taro+shop@example.jp")]);
      case 6:
        return Buffer.from(`sid=${sid}&sid=1&sid=&pid=${int(1e8)}&svid=${pick(["1", "6", "", "x"])}&ptype=${pick(["1", "3", "8", ""])}&job=SALES`);
      case 7:
        return randomBytes(int(200));
      default:
        return Buffer.from(`sid=${sid}&pad=${"p".repeat(int(60_000))}`);
    }
  };
  const cases: Case[] = [];
  for (let i = 0; i < CASES; i++) {
    const p = path();
    const legacyPath = /^\/(memberpay|payment)\.aspx$/i.test(p);
    const method = pick(["GET", "GET", "GET", "POST", "POST", "HEAD", "PUT", "OPTIONS", "GETT"]);
    const legacy = legacyPath && (method === "GET" || method === "POST");
    const body = fieldsOf();
    const kind = int(8);
    const ctype = pick([
      "application/x-www-form-urlencoded",
      "application/x-www-form-urlencoded; charset=Shift_JIS",
      "application/json",
      "text/xml",
      "multipart/form-data; boundary=x",
      "",
    ]);
    const head = (extra: string) => `Host: x\r\nConnection: close\r\n${ctype ? `Content-Type: ${ctype}\r\n` : ""}${extra}\r\n`;
    let bytes: Buffer;
    let resetAfterMs: number | undefined;
    if (method === "GET" || method === "HEAD" || method === "GETT" || kind < 3) {
      bytes = Buffer.concat([Buffer.from(`${method} ${p}?`), body, Buffer.from(` HTTP/1.1\r\n${head("")}`)]);
    } else if (kind === 3) {
      bytes = Buffer.concat([Buffer.from(`${method} ${p} HTTP/1.1\r\n${head(`Content-Length: ${body.length + 1 + int(50)}\r\n`)}`), body]); // body shorter than declared
    } else if (kind === 4) {
      bytes = Buffer.concat([
        Buffer.from(`${method} ${p} HTTP/1.1\r\n${head("Transfer-Encoding: chunked\r\n")}${body.length.toString(16)}\r\n`),
        body.subarray(0, int(body.length + 1)),
      ]); // chunked, stops
    } else if (kind === 5) {
      bytes = Buffer.concat([Buffer.from(`${method} ${p} HTTP/1.1\r\n${head(`Content-Length: ${body.length}\r\n`)}`), body.subarray(0, int(body.length + 1))]);
      resetAfterMs = int(30); // client goes away mid-body
    } else if (kind === 6) {
      bytes = Buffer.concat([Buffer.from(`${method} ${p} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nContent-Length: 3\r\n\r\n`), body]);
    } else {
      const ok = Buffer.concat([
        Buffer.from(`${method} ${p} HTTP/1.1\r\nHost: x\r\n${ctype ? `Content-Type: ${ctype}\r\n` : ""}Content-Length: ${body.length}\r\n\r\n`),
        body,
      ]);
      bytes = Buffer.concat([ok, randomBytes(int(300))]); // pipelined garbage after a request
    }
    // Junk before the method: not a request for any path, so not a legacy request either.
    const junk = int(10) === 0;
    if (junk) bytes = Buffer.concat([randomBytes(1 + int(5), 0x21, 0x7e), bytes]);
    cases.push({
      kind: `${junk ? "junk+" : ""}${method} ${p} #${kind}`,
      bytes,
      legacy: legacy && !junk,
      ...(resetAfterMs !== undefined ? { resetAfterMs } : {}),
    });
  }
  return cases;
}

/** Status and body of the first HTTP response in `raw`, if there is one. */
function firstResponse(raw: Buffer): { status: number; body: Buffer } | undefined {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(raw.subarray(0, 16).toString("latin1"));
  if (!m) return undefined;
  const end = raw.indexOf("\r\n\r\n");
  const head = raw.subarray(0, end).toString("latin1");
  const len = /content-length: (\d+)/i.exec(head);
  const rest = raw.subarray(end + 4);
  return { status: Number(m[1]), body: len ? rest.subarray(0, Number(len[1])) : rest };
}

const LEGACY_REPLY = /^rst=[012]&ec=ER000[A-Z0-9]{6}&pid=\d{0,8}&ap=[A-Za-z0-9]*&/;

describe("hostile requests (seeded fuzz, bounded)", () => {
  let h: Harness;
  const logs: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    h = await startHarness({
      db: "sqlite",
      logLines: logs,
      env: { HEADERS_TIMEOUT_MS: "400", REQUEST_TIMEOUT_MS: "700", MAX_CONNECTIONS_PER_CLIENT: "64" },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers no 5xx, only parseable legacy replies on legacy paths, logs no ERROR, and keeps serving", async () => {
    const cases = makeCases(h.sid, prng(20261201));
    const problems: string[] = [];
    const counts = { answered: 0, closedWithoutAnswer: 0, legacyReplies: 0 };
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const out = await send(h.gateway.url, c);
        if (out.error) problems.push(`${c.kind}: ${out.error}`);
        const res = firstResponse(out.raw);
        if (!res) {
          counts.closedWithoutAnswer++;
          // Only a client that reset its own connection may go unanswered on a legacy path.
          if (c.legacy && c.resetAfterMs === undefined) problems.push(`${c.kind}: closed without an answer`);
          continue;
        }
        counts.answered++;
        if (res.status >= 500) problems.push(`${c.kind}: HTTP ${res.status}`);
        if (c.legacy && res.status !== 405 && c.resetAfterMs === undefined) {
          if (LEGACY_REPLY.test(res.body.toString("latin1"))) counts.legacyReplies++;
          else problems.push(`${c.kind}: unparseable legacy reply ${res.status} ${JSON.stringify(res.body.subarray(0, 80).toString("latin1"))}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    process.stdout.write(`hostile requests: ${cases.length} sent, ${JSON.stringify(counts)}\n`);
    expect(problems).toEqual([]);
    expect(counts.legacyReplies).toBeGreaterThan(100);
    const errors = logs.filter((l) => l.level === "error" || l.level === "fatal");
    expect(errors.map((e) => e.msg)).toEqual([]);
    // Still serving: a plain payment goes through.
    const ok = await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=1234&sod=AFTER-FUZZ`));
    expect(field(replyFields(ok.body), "rst")).toBe("1");
  });
});
