/**
 * The merchants' listener: Node's HTTP server behind the connection front, with deadlines on every
 * connection, a header limit that fits LEGACY_MAX_BYTES of raw bytes once repaired, parser
 * refusals answered in the path's protocol, and a graceful close that lets requests in flight
 * (payments waiting on UnivaPay) finish before connections are cut.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Server as TcpServer } from "node:net";
import type { Logger } from "../logging/logger";
import { installClientErrorHandler, type ClientErrorRendering } from "./client-error";
import { createConnectionFront, listenFront } from "./connection-front";

export interface MerchantServerOptions {
  readonly port: number;
  readonly host: string;
  readonly legacyMaxBytes: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly rendering: ClientErrorRendering;
  readonly log: Logger;
}

export interface MerchantServer {
  readonly http: Server;
  readonly front: TcpServer;
  /** Binds the port; resolves with the bound port. */
  listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number>;
  /** Stops accepting, waits up to graceMs for requests in flight, then cuts what is left. */
  close(graceMs: number): Promise<void>;
}

/** Room for the request line and ordinary headers next to the query string itself. */
const HEADER_ROOM_BYTES = 16 * 1024;
/** How often Node checks connections against the header/request deadlines (its default is 30 s). */
const DEADLINE_CHECK_MS = 1000;

export function createMerchantServer(opts: MerchantServerOptions): MerchantServer {
  // A raw byte becomes "%XX" when the request line is repaired: up to three times as long.
  const maxHeaderSize = opts.legacyMaxBytes * 3 + HEADER_ROOM_BYTES;
  const http = createServer({
    maxHeaderSize,
    headersTimeout: opts.headersTimeoutMs,
    requestTimeout: opts.requestTimeoutMs,
    connectionsCheckingInterval: DEADLINE_CHECK_MS,
    keepAliveTimeout: 65_000,
  });
  installClientErrorHandler(http, opts.rendering, opts.log);
  const front = createConnectionFront(http, {
    maxConnections: opts.maxConnections,
    maxConnectionsPerClient: opts.maxConnectionsPerClient,
    maxLineBytes: opts.legacyMaxBytes + HEADER_ROOM_BYTES,
    maxHeaderBytes: maxHeaderSize,
    log: opts.log,
  });

  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  http.on("request", (_req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    if (draining) res.shouldKeepAlive = false;
    res.once("close", () => {
      inFlight--;
      if (draining && inFlight === 0) drained?.();
    });
  });

  return {
    http,
    front,
    async listen(handler) {
      http.on("request", handler);
      await listenFront(front, http, opts.port, opts.host, opts.log);
      return (front.address() as AddressInfo).port;
    },
    async close(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => front.close(() => resolve()));
      http.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      http.closeAllConnections();
      await closed;
    },
  };
}
