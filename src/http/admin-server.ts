/**
 * The operator listener's HTTP server. It is bound early in start-up (the demo merchant's
 * kickback URL points at it) and answers 503 "starting" until the admin app is ready.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const starting: Handler = (_req, res) => {
  res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
  res.end(JSON.stringify({ error: { code: "starting", message: "the gateway is starting" } }));
};

export interface AdminServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<number>;
  serve(handler: Handler): void;
  close(): Promise<void>;
}

export function createAdminServer(): AdminServer {
  let handler: Handler = starting;
  const server = createServer((req, res) => handler(req, res));
  server.on("clientError", (_err, socket) => socket.destroy());
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    serve(h) {
      handler = h;
    },
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
