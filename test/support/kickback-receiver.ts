/**
 * A real merchant kickback endpoint on 127.0.0.1:0 (the svix TestReceiver pattern). It answers
 * each request with the next status of `script` (the last one repeats) and records the raw
 * request target, so tests can assert the query byte for byte. A 0 in the script means "never
 * answer" (holds the request open until close(), for timeout tests).
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedKickback {
  /** Request target as sent, e.g. "/kickback?pid=12345678&rst=1". */
  readonly url: string;
  /** The bytes after "?" exactly as they arrived on the wire. */
  readonly rawQuery: Buffer;
}

export interface KickbackReceiver {
  readonly url: string;
  readonly received: ReceivedKickback[];
  /** Resolves with the first kickback (already received or arriving later) matching `pred`. */
  waitFor(pred: (k: ReceivedKickback) => boolean, timeoutMs?: number): Promise<ReceivedKickback>;
  close(): Promise<void>;
}

export async function startKickbackReceiver(script: number[] = [200]): Promise<KickbackReceiver> {
  const queue = [...script];
  const received: ReceivedKickback[] = [];
  const waiters: Array<{ pred: (k: ReceivedKickback) => boolean; resolve: (k: ReceivedKickback) => void }> = [];
  const server = http.createServer((req, res) => {
    // Node keeps the request line as latin1 text: converting back yields the original bytes.
    const target = req.url ?? "";
    const q = target.indexOf("?");
    const k = { url: target, rawQuery: Buffer.from(q < 0 ? "" : target.slice(q + 1), "latin1") };
    received.push(k);
    for (const w of waiters.filter((x) => x.pred(k))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(k);
    }
    const status = queue.length > 1 ? (queue.shift() ?? 200) : (queue[0] ?? 200);
    if (status === 0) return; // never answer
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(status >= 200 && status < 300 ? "OK!!" : `error ${status}`);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/kickback`,
    received,
    waitFor(pred, timeoutMs = 20_000) {
      const seen = received.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no matching kickback arrived")), timeoutMs);
        waiters.push({ pred, resolve: (k) => (clearTimeout(timer), resolve(k)) });
      });
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
