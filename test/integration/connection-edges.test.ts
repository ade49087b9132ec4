/**
 * The merchants' port against clients that misbehave at the TCP and HTTP level: a reset before
 * the first byte, a silent connection, half a request line, a request line split byte by byte,
 * raw bytes on every request of a kept-alive connection, too many connections from one client,
 * long GETs, bodies that never end or are abandoned, bodies that are not forms. The gateway
 * must answer each in the path's protocol (or close), and never crash or hang.
 */
import { connect, type Socket } from "node:net";
import iconv from "iconv-lite";
import { startHarness, type Harness } from "../support/gateway-harness";
import { field, replyFields, sendRaw } from "../support/raw-http";

jest.setTimeout(60_000);

const HEADERS_TIMEOUT_MS = 600;
const REQUEST_TIMEOUT_MS = 900;

/** Opens a socket and collects everything until the server closes it. */
function openSocket(url: string): { socket: Socket; connected: Promise<void>; closed: Promise<{ data: Buffer; ms: number }> } {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  const started = Date.now();
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", () => undefined);
  const connected = new Promise<void>((r) => socket.once("connect", () => r()));
  const closed = new Promise<{ data: Buffer; ms: number }>((r) => socket.once("close", () => r({ data: Buffer.concat(chunks), ms: Date.now() - started })));
  return { socket, connected, closed };
}

function statusOf(raw: Buffer): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw.toString("latin1"))?.[1] ?? 0);
}

function bodyOf(raw: Buffer): Buffer {
  const i = raw.indexOf("\r\n\r\n");
  return i < 0 ? Buffer.alloc(0) : raw.subarray(i + 4);
}

/** Bodies of every HTTP/1.1 response in a kept-alive stream (Content-Length framed). */
function responses(raw: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf("\r\n\r\n", at);
    if (end < 0) break;
    const head = raw.subarray(at, end).toString("latin1");
    const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    out.push(raw.subarray(end + 4, end + 4 + len));
    at = end + 4 + len;
  }
  return out;
}

describe("the merchants' port at the edges", () => {
  let h: Harness;
  const logs: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    h = await startHarness({
      db: "sqlite",
      charset: "Shift_JIS",
      logLines: logs,
      env: {
        HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        MAX_CONNECTIONS_PER_CLIENT: "20",
        LEGACY_MAX_BYTES: "32768",
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });
  const healthy = async () => expect((await sendRaw(h.gateway.url, "GET", Buffer.from("/healthz"))).status).toBe(200);
  const sjis = (s: string) => iconv.encode(s, "cp932");

  it("survives a client that resets the connection before sending a byte", async () => {
    for (let i = 0; i < 5; i++) {
      const { socket, connected } = openSocket(h.gateway.url);
      await connected;
      socket.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 50));
    await healthy();
  });

  it("closes a silent connection after the header deadline, answering 408", async () => {
    const { closed } = openSocket(h.gateway.url);
    const { data, ms } = await closed;
    expect(statusOf(data)).toBe(408);
    expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + 5_000);
  });

  it("closes a connection that sends half a request line, answering 408", async () => {
    const { socket, connected, closed } = openSocket(h.gateway.url);
    await connected;
    socket.write("GET /memberpay.aspx?sid=");
    const { data } = await closed;
    expect(statusOf(data)).toBe(408);
  });

  it("repairs a raw Shift_JIS request line that arrives one byte at a time", async () => {
    const target = Buffer.concat([
      Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=300&sod=BYTE1&no=`),
      sjis("注文 一"),
      Buffer.from("&x=a b"),
    ]);
    const request = Buffer.concat([Buffer.from("GET "), target, Buffer.from(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]);
    const { socket, connected, closed } = openSocket(h.gateway.url);
    await connected;
    for (const b of request) {
      socket.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    const reply = replyFields(bodyOf((await closed).data));
    expect(field(reply, "rst")).toBe("1");
    expect(iconv.decode(reply.get("no")!, "cp932")).toBe("注文 一");
    expect(field(reply, "x")).toBe("a b");
  });

  it("repairs every request of a kept-alive connection, not only the first", async () => {
    const one = (sod: string, name: string) =>
      Buffer.concat([
        Buffer.from(`GET /memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=310&sod=${sod}&name=`),
        sjis(name),
        Buffer.from(" HTTP/1.1\r\nHost: x\r\n\r\n"),
      ]);
    const { socket, connected, closed } = openSocket(h.gateway.url);
    await connected;
    const got: Buffer[] = [];
    socket.on("data", (c: Buffer) => got.push(c));
    socket.write(one("KA1", "山田 太郎"));
    while (responses(Buffer.concat(got)).length < 1) await new Promise((r) => setTimeout(r, 10));
    socket.write(Buffer.concat([one("KA2", "佐藤 花子"), Buffer.from("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]));
    const all = responses((await closed).data);
    expect(all).toHaveLength(3);
    const [a, b] = all.map((x) => replyFields(x));
    expect([field(a!, "rst"), field(b!, "rst")]).toEqual(["1", "1"]);
    expect(iconv.decode(b!.get("name")!, "cp932")).toBe("佐藤 花子");
  });

  it("bounds the open connections of one client, and serves again once they close", async () => {
    const idle = Array.from({ length: 20 }, () => openSocket(h.gateway.url));
    await Promise.all(idle.map((s) => s.connected));
    await new Promise((r) => setTimeout(r, 50));
    const extra = openSocket(h.gateway.url);
    const { data, ms } = await extra.closed;
    expect(data.length).toBe(0); // closed at once, unanswered
    expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS);
    for (const s of idle) s.socket.destroy();
    await Promise.all(idle.map((s) => s.closed));
    await healthy();
  });

  it("answers a GET between 16 and 32 KiB in the legacy protocol, not with Node's empty 431", async () => {
    const pad = "p".repeat(24 * 1024);
    const res = await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=320&sod=BIG1&pad=${pad}`));
    expect(res.status).toBe(200);
    expect(field(replyFields(res.body), "rst")).toBe("1");
    const huge = await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&pad=${"q".repeat(40 * 1024)}`));
    expect(field(replyFields(huge.body), "ec")).toBe("ER000GRQ005");
    const beyond = await sendRaw(h.gateway.url, "GET", Buffer.from(`/payment.aspx?sid=${h.sid}&pad=${"r".repeat(200 * 1024)}`));
    expect(beyond.status).toBe(431);
    expect(field(replyFields(beyond.body), "ec")).toBe("ER000GRQ005");
  });

  it("answers a chunked body that stops early in the legacy protocol once the request deadline passes", async () => {
    const { socket, connected, closed } = openSocket(h.gateway.url);
    await connected;
    socket.write(`POST /memberpay.aspx HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nsid=2`);
    const { data } = await closed;
    expect(statusOf(data)).toBe(408);
    expect(field(replyFields(bodyOf(data)), "ec")).toBe("ER000GRQ009");
  });

  it("treats a client that goes away mid-body as a client going away: no ERROR, no stack", async () => {
    const before = logs.length;
    for (let i = 0; i < 10; i++) {
      const { socket, connected, closed } = openSocket(h.gateway.url);
      await connected;
      socket.write(`POST /memberpay.aspx HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nsid=${h.sid}&job=`);
      await new Promise((r) => setTimeout(r, 20));
      socket.resetAndDestroy();
      await closed;
    }
    await new Promise((r) => setTimeout(r, 100));
    const errors = logs.slice(before).filter((l) => l.level === "error");
    expect(errors).toEqual([]);
    await healthy();
  });

  it("refuses a body that is not a form with its own code, and never echoes a field without a name", async () => {
    const json = await sendRaw(h.gateway.url, "POST", Buffer.from("/memberpay.aspx"), {
      body: Buffer.from(`{"sid":"${h.sid}"}`),
      headers: { "Content-Type": "application/json" },
    });
    expect(field(replyFields(json.body), "ec")).toBe("ER000GRQ007");
    const res = await sendRaw(h.gateway.url, "GET", Buffer.from(`/memberpay.aspx?sid=${h.sid}&job=FROB&=x&keep=1`));
    expect(res.body.toString("latin1")).toContain("keep=1");
    expect(res.body.toString("latin1")).not.toMatch(/(^|&)=x/);
  });

  it("closes a kept-alive connection whose next request line trickles in, at the header deadline", async () => {
    const { socket, connected, closed } = openSocket(h.gateway.url);
    await connected;
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const line = "GET /memberpay.aspx?sid=1 HTTP/1.1";
    let i = 0;
    const drip = setInterval(() => i < line.length && socket.write(line[i++]!), Math.floor(HEADERS_TIMEOUT_MS / 3));
    const { data, ms } = await closed;
    clearInterval(drip);
    expect(responses(data)).toHaveLength(2); // the first answer, then the 408
    expect(statusOf(data.subarray(data.indexOf("HTTP/1.1", 10)))).toBe(408);
    expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS * 3 + 2_000);
  });

  it("never answers a bad pipelined request in place of the payment in flight before it", async () => {
    h.sandbox.faults.set({ routes: [{ pathPattern: "/charges", method: "POST", latencyMs: 400 }] });
    try {
      const { socket, connected, closed } = openSocket(h.gateway.url);
      await connected;
      socket.write(`GET /memberpay.aspx?sid=${h.sid}&job=CAPTURE&upcmemberid=demo-ok&siam1=330&sod=PIPE1 HTTP/1.1\r\nHost: x\r\n\r\nBOGUS /x HTTP/9.9\r\n\r\n`);
      const { data } = await closed;
      const first = responses(data)[0]!;
      expect(statusOf(data)).toBe(200);
      expect(field(replyFields(first), "rst")).toBe("1");
    } finally {
      h.sandbox.faults.clear();
    }
  });
});
