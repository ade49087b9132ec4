/**
 * The merchants' listener: Node's HTTP server behind the connection front, with deadlines on every
 * connection, a header limit that fits LEGACY_MAX_BYTES of raw bytes once repaired, parser
 * refusals answered in the path's protocol, and a graceful close that lets requests in flight
 * (payments waiting on UnivaPay) finish before connections are cut.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Server as TcpServer } from "node:net";
import type { Logger } from "../logging/logger";
import { installClientErrorHandler, refusalResponse, targetOf, type ClientErrorRendering } from "./client-error";
import { createConnectionFront, listenFront } from "./connection-front";
import { trackResponsesInFlight } from "./responses-in-flight";

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
  listen(handler: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<number>;
  /** Stops accepting, waits up to graceMs for requests in flight, cuts the connections left, and
   *  resolves once every handler has finished (their own UnivaPay deadlines bound them). */
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
  trackResponsesInFlight(http);
  installClientErrorHandler(http, opts.rendering, opts.log);
  const front = createConnectionFront(http, {
    maxConnections: opts.maxConnections,
    maxConnectionsPerClient: opts.maxConnectionsPerClient,
    maxLineBytes: opts.legacyMaxBytes + HEADER_ROOM_BYTES,
    maxHeaderBytes: maxHeaderSize,
    headersTimeoutMs: opts.headersTimeoutMs,
    heldLineTimeout: (head) => refusalResponse(opts.rendering, 408, targetOf(head)),
    log: opts.log,
  });

  // Requests in flight are counted by their handler, not their socket: a handler whose client went
  // away may still be charging, and the store must not close under it.
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;
  const settled = () => {
    inFlight--;
    if (inFlight === 0) idle?.();
  };
  const whenIdle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (inFlight === 0) return resolve();
      const timer = ms === Infinity ? undefined : setTimeout(resolve, ms);
      idle = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });

  return {
    http,
    front,
    async listen(handler) {
      http.on("request", (req: IncomingMessage, res: ServerResponse) => {
        inFlight++;
        if (draining) res.shouldKeepAlive = false;
        Promise.resolve(handler(req, res)).then(settled, settled);
      });
      await listenFront(front, http, opts.port, opts.host, opts.log);
      return (front.address() as AddressInfo).port;
    },
    async close(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => front.close(() => resolve()));
      http.closeIdleConnections();
      await whenIdle(graceMs);
      http.closeAllConnections();
      await whenIdle(Infinity);
      // Stops Node's deadline timer, which its connection tracking started (it never listened itself).
      http.close(() => undefined);
      await closed;
    },
  };
}
