/**
 * A scripted merchant webhook endpoint for tests (the svix TestReceiver pattern): answers each POST
 * with the next scripted status (the last one repeats), or never answers ("hang") to provoke the
 * sender's 3-s timeout, and lets a test await the n-th request instead of sleeping.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type ReceiverReply = number | "hang";

export interface ReceivedWebhook {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Replaces the reply script. */
  reply(script: readonly ReceiverReply[]): void;
  /** Resolves once `count` requests in total have arrived. */
  waitFor(count: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(script: readonly ReceiverReply[] = [200]): Promise<WebhookReceiver> {
  let replies = [...script];
  const received: ReceivedWebhook[] = [];
  const waiters: Array<{ count: number; resolve: (r: ReceivedWebhook[]) => void }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: req.headers, body: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) });
      for (const w of waiters.filter((x) => received.length >= x.count)) w.resolve(received.slice());
      const next = replies.length > 1 ? replies.shift() : replies[0];
      if (next === "hang" || next === undefined) return;
      res.statusCode = next;
      if (next >= 300 && next < 400) res.setHeader("Location", "https://example.invalid/");
      res.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/univapay`,
    received,
    reply: (s) => {
      replies = [...s];
    },
    waitFor: (count) => (received.length >= count ? Promise.resolve(received.slice()) : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
