import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { EXCHANGE_TIMEOUT, EXCHANGE_TOO_LARGE, ExchangeError, exchangeOrigin, httpExchange, type ExchangeRequest } from "../../../src/univapay/http-exchange";
import { classifyTransportError } from "../../../src/univapay/univapay-errors";

// A real loopback server: the exchange is plain node:http, so nothing needs intercepting.
let server: http.Server;
let base: string;
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      if (req.url === "/echo") {
        res.setHeader("content-type", "application/json");
        res.setHeader("x-rate", "7");
        res.end(JSON.stringify({ method: req.method, body, length: req.headers["content-length"] ?? null, key: req.headers["idempotency-key"] ?? null }));
      } else if (req.url === "/redirect") {
        res.writeHead(302, { location: "/echo" }).end();
      } else if (req.url === "/big") {
        res.end("x".repeat(5000));
      } else if (req.url === "/slow") {
        setTimeout(() => res.end("late"), 500);
      } else if (req.url === "/cut") {
        res.writeHead(200, { "content-length": "100" });
        res.write("partial");
        res.destroy();
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  agents.http.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const req = (path: string, over: Partial<ExchangeRequest> = {}): ExchangeRequest => ({
  method: "GET",
  origin: exchangeOrigin(base),
  path,
  headers: {},
  timeoutMs: 2000,
  maxResponseBytes: 1024,
  agents,
  ...over,
});

async function failure(p: Promise<unknown>): Promise<ExchangeError> {
  const e: unknown = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ExchangeError);
  return e as ExchangeError;
}

describe("httpExchange", () => {
  it("sends the body with its byte length and returns status, headers and UTF-8 text", async () => {
    const r = await httpExchange(req("/echo", { method: "POST", body: '{"名":"テスト"}', headers: { "Idempotency-Key": "k1" } }));
    expect(r.status).toBe(200);
    expect(r.headers["x-rate"]).toBe("7");
    expect(JSON.parse(r.text)).toEqual({ method: "POST", body: '{"名":"テスト"}', length: String(Buffer.byteLength('{"名":"テスト"}')), key: "k1" });
  });

  it("never follows a redirect: the 3xx is the answer", async () => {
    expect((await httpExchange(req("/redirect"))).status).toBe(302);
  });

  it("refuses an answer over the size cap, as possibly processed", async () => {
    const e = await failure(httpExchange(req("/big")));
    expect(e.code).toBe(EXCHANGE_TOO_LARGE);
    expect(classifyTransportError(e)).toMatchObject({ maybeSent: true, timeout: false });
  });

  it("times out when the answer is late, classified as a timeout that may have been processed", async () => {
    const e = await failure(httpExchange(req("/slow", { timeoutMs: 50 })));
    expect(e.code).toBe(EXCHANGE_TIMEOUT);
    expect(classifyTransportError(e)).toMatchObject({ maybeSent: true, timeout: true });
  });

  it("reports a body cut short as a reset, never as a complete answer", async () => {
    const e = await failure(httpExchange(req("/cut")));
    expect(e.code).toBe("ECONNRESET");
  });

  it("a refused connection is known never to have been sent", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await failure(httpExchange(req("/echo", { origin: exchangeOrigin(`http://127.0.0.1:${port}`) })));
    expect(e.code).toBe("ECONNREFUSED");
    expect(classifyTransportError(e)).toMatchObject({ maybeSent: false });
  });

  it("parses the base URL once: host, port and a path prefix every call goes under", () => {
    expect(exchangeOrigin("https://api.univapay.com")).toEqual({ https: true, hostname: "api.univapay.com", port: undefined, basePath: "" });
    expect(exchangeOrigin("http://[::1]:8081/v1/")).toEqual({ https: false, hostname: "::1", port: 8081, basePath: "/v1" });
    expect(() => exchangeOrigin("ftp://example.com")).toThrow(/unsupported protocol/);
  });
});
