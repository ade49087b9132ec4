/**
 * sendKickback against real local HTTP servers on 127.0.0.1:0: byte-exact query, no redirects,
 * 1 KiB body head, keep-alive reuse, timeouts, refused connections and the DNS guard.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createKickbackAgents, kickbackRequestUrl, sendKickback } from "../../src/notify/kickback-sender";
import { createGuardedLookup } from "../../src/notify/url-guard";
import { startKickbackReceiver, type KickbackReceiver } from "../support/kickback-receiver";

async function startServer(handler: http.RequestListener): Promise<{ url: string; server: http.Server; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const server = http.createServer(handler);
  server.on("connection", () => connections++);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe("sendKickback", () => {
  let receiver: KickbackReceiver;
  afterEach(async () => receiver?.close());

  it("sends the query byte for byte, joining with ? or &", async () => {
    receiver = await startKickbackReceiver([200]);
    const query = "pid=12345678&rst=1&sod=%83e%83X%83g&name=%93%FA%96%7B&x='*~+%2B";
    const r = await sendKickback(receiver.url, query, { timeoutMs: 5000 });
    expect(r).toMatchObject({ statusCode: 200, bodyHead: "OK!!", error: null });
    await sendKickback(`${receiver.url}?shop=1`, "a=%20b", { timeoutMs: 5000 });
    expect(receiver.received[0]?.rawQuery).toEqual(Buffer.from(query, "latin1"));
    expect(receiver.received[1]?.url).toBe("/kickback?shop=1&a=%20b");
    expect(kickbackRequestUrl("http://h/p?x=1", "y=2")).toBe("http://h/p?x=1&y=2");
    expect(kickbackRequestUrl("http://h/p", "")).toBe("http://h/p");
  });

  it("does not follow redirects", async () => {
    let hits = 0;
    const s = await startServer((_req, res) => {
      hits++;
      res.writeHead(302, { location: "/elsewhere" }).end();
    });
    try {
      expect(await sendKickback(`${s.url}/kb`, "a=1", { timeoutMs: 5000 })).toMatchObject({ statusCode: 302, error: null });
      expect(hits).toBe(1);
    } finally {
      await s.close();
    }
  });

  it("keeps at most 1 KiB of the body as latin1 and survives huge bodies", async () => {
    const body = Buffer.concat([Buffer.from([0x83, 0x65, 0x00, 0xff]), Buffer.alloc(200_000, 0x41)]);
    const s = await startServer((_req, res) => res.writeHead(200).end(body));
    try {
      const r = await sendKickback(`${s.url}/kb`, "", { timeoutMs: 5000 });
      expect(r.statusCode).toBe(200);
      expect(r.bodyHead).toHaveLength(1024);
      expect(Buffer.from(r.bodyHead, "latin1")).toEqual(body.subarray(0, 1024));
    } finally {
      await s.close();
    }
  });

  it("reuses one keep-alive connection for consecutive kickbacks", async () => {
    const s = await startServer((_req, res) => res.writeHead(200).end("OK!!"));
    const agents = createKickbackAgents({ allowPrivateNetworks: true });
    try {
      for (let i = 0; i < 5; i++) expect((await sendKickback(`${s.url}/kb`, `n=${i}`, { timeoutMs: 5000, ...agents })).statusCode).toBe(200);
      expect(s.connections()).toBe(1);
    } finally {
      agents.agent.destroy();
      await s.close();
    }
  });

  it("reports a timeout with no status when the merchant never answers", async () => {
    receiver = await startKickbackReceiver([0]);
    const r = await sendKickback(receiver.url, "a=1", { timeoutMs: 150 });
    expect(r.statusCode).toBeNull();
    expect(r.error).toMatch(/timeout/);
    expect(receiver.received).toHaveLength(1);
  });

  it("reports a refused connection with no status", async () => {
    const s = await startServer((_req, res) => res.end());
    const url = `${s.url}/kb`;
    await s.close();
    const r = await sendKickback(url, "a=1", { timeoutMs: 5000 });
    expect(r).toMatchObject({ statusCode: null, bodyHead: "" });
    expect(r.error).toMatch(/ECONNREFUSED/);
  });

  it("refuses host names resolving to private addresses when the agent is guarded", async () => {
    receiver = await startKickbackReceiver([200]);
    const port = new URL(receiver.url).port;
    const toLoopback = createGuardedLookup((_h, _f, cb) => cb(null, [{ address: "127.0.0.1", family: 4 }]));
    const guarded = new http.Agent({ lookup: toLoopback });
    const r = await sendKickback(`http://merchant.test:${port}/kb`, "a=1", { timeoutMs: 5000, agent: guarded });
    expect(r.statusCode).toBeNull();
    expect(r.error).toMatch(/EBLOCKEDADDRESS/);
    expect(receiver.received).toHaveLength(0);
    // The same name through an unguarded lookup reaches the receiver: the guard made the difference.
    const open = new http.Agent({
      lookup: (_h, o, cb) => (o.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4)),
    });
    expect((await sendKickback(`http://merchant.test:${port}/kb`, "a=1", { timeoutMs: 5000, agent: open })).statusCode).toBe(200);
    guarded.destroy();
    open.destroy();
  });
});
