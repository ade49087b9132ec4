/**
 * The TCP front of the merchants' port: accepts connections, bounds how many are open (in all and
 * per client address), and hands each socket to the HTTP server AT ONCE with a request-line
 * repairer in its read path, so the HTTP server's header and request deadlines cover every
 * connection from its first moment. It must never let a socket error or an accept error escape:
 * one reset from a client must not take the process down.
 */
import type { Server as HttpServer } from "node:http";
import { createServer as createTcpServer, isIP, type Server as TcpServer, type Socket } from "node:net";
import type { Logger } from "../logging/logger";
import { ipv6Bytes } from "../notify/ipv6-bytes";
import { createRequestStreamRepairer, type RequestStreamRepairer } from "./request-line-repair";
import { closeAfterResponse, responseInFlight } from "./responses-in-flight";

export interface ConnectionFrontOptions {
  /** Open connections in all; beyond it new ones are closed at once (Node's maxConnections). */
  readonly maxConnections: number;
  /** Open connections per remote address; 0 = no per-client bound (behind a proxy every client is the proxy). */
  readonly maxConnectionsPerClient: number;
  /** Longest request line the repairer buffers while waiting for its end. */
  readonly maxLineBytes: number;
  /** Longest header block it frames (past it, bytes pass unrepaired and Node answers 431). */
  readonly maxHeaderBytes: number;
  /** How long a request line may stay incomplete: the repairer holds it back from Node's parser,
   *  whose own header deadline does not run on a kept-alive connection until it sees a byte. */
  readonly headersTimeoutMs: number;
  /** The response to a held request line at its deadline, given the line's first bytes. */
  readonly heldLineTimeout: (head: Buffer) => string;
  readonly log: Logger;
}

/** Each socket's repairer, so an error answer can ask which path the request was for. */
const repairers = new WeakMap<object, RequestStreamRepairer>();

/** The first bytes of the latest request line on this socket, as received; empty if none. */
export function requestHeadOf(socket: object): Buffer {
  return repairers.get(socket)?.requestHead() ?? Buffer.alloc(0);
}

/** At most one WARN per this interval for refused connections: a flood must not flood the log. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

function noop(): void {}

/**
 * Puts the repairer between the socket and everything that reads it. Node's HTTP server normally
 * reads a net.Socket natively (parser.consume), bypassing JS; a 'data' listener added after the
 * hand-over makes it fall back to JS reads (its documented unconsume path), which go through
 * push() — and so through the repairer — for the whole life of the connection.
 */
function repairReadPath(socket: Socket, opts: ConnectionFrontOptions, onHeldTooLong: () => void): void {
  const repairer = createRequestStreamRepairer({ maxLineBytes: opts.maxLineBytes, maxHeaderBytes: opts.maxHeaderBytes });
  repairers.set(socket, repairer);
  let held: NodeJS.Timeout | undefined;
  // One deadline from the first held byte: a line that trickles in a byte a minute must not
  // keep a socket for ever (every byte would reset Node's idle timer).
  const watch = () => {
    if (!repairer.holding()) {
      if (held) clearTimeout(held);
      held = undefined;
    } else if (!held) {
      held = setTimeout(onHeldTooLong, opts.headersTimeoutMs);
      held.unref();
    }
  };
  socket.once("close", () => held && clearTimeout(held));
  const push = socket.push.bind(socket);
  socket.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk === null) {
      const rest = repairer.flush();
      if (rest.length > 0) push(rest);
      return push(null);
    }
    if (!Buffer.isBuffer(chunk)) return push(chunk, encoding);
    const out = repairer.feed(chunk);
    watch();
    // An incomplete request line is held back; nothing to hand on yet, and reading goes on.
    return out.length === 0 ? true : push(out);
  };
}

/**
 * Who a connection counts against: the IPv4 address, or the /64 of an IPv6 one — a single
 * IPv6 client usually holds a whole /64, so counting /128s would not bound it at all.
 */
export function clientKey(address: string): string {
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(plain) !== 6) return plain;
  const bytes = ipv6Bytes(plain);
  return bytes ? `${Buffer.from(bytes.subarray(0, 8)).toString("hex")}::/64` : plain;
}

export function createConnectionFront(http: HttpServer, opts: ConnectionFrontOptions): TcpServer {
  const perClient = new Map<string, number>();
  let lastRefusalLog = 0;
  let refusedSinceLog = 0;
  const refused = (why: string, address: string) => {
    refusedSinceLog++;
    const now = Date.now();
    if (now - lastRefusalLog < REFUSAL_LOG_INTERVAL_MS) return;
    opts.log.warn({ why, address, refused: refusedSinceLog }, "connections refused");
    lastRefusalLog = now;
    refusedSinceLog = 0;
  };

  const front = createTcpServer((socket) => {
    // First of all: an RST before the first byte emits 'error' on a socket nobody reads yet.
    socket.on("error", noop);
    const address = clientKey(socket.remoteAddress ?? "");
    if (opts.maxConnectionsPerClient > 0) {
      const open = perClient.get(address) ?? 0;
      if (open >= opts.maxConnectionsPerClient) {
        refused("too many connections from one client", address);
        socket.destroy();
        return;
      }
      perClient.set(address, open + 1);
      socket.once("close", () => {
        const n = (perClient.get(address) ?? 1) - 1;
        if (n <= 0) perClient.delete(address);
        else perClient.set(address, n);
      });
    }
    repairReadPath(socket, opts, () => {
      const inFlight = responseInFlight(socket);
      if (inFlight)
        closeAfterResponse(inFlight.res); // its answer first, then the connection ends
      else if (socket.writable) socket.end(opts.heldLineTimeout(requestHeadOf(socket)));
      else socket.destroy();
    });
    http.emit("connection", socket);
    socket.on("data", noop);
  });
  front.maxConnections = opts.maxConnections;
  front.on("drop", (d?: { remoteAddress?: string }) => refused("MAX_CONNECTIONS reached", d?.remoteAddress ?? ""));
  return front;
}

/**
 * Listens, rejecting on a listen error (port taken); afterwards, accept errors (EMFILE…) are
 * logged, never thrown: the process keeps serving the connections it has.
 *
 * The HTTP server itself never listens (the front does), but Node starts its connection
 * tracking — the timer that enforces headersTimeout and requestTimeout — on the server's
 * 'listening' event. Without it those deadlines never fire and a silent client holds a socket
 * for ever; so the front announces it.
 */
export function listenFront(front: TcpServer, http: HttpServer, port: number, host: string, log: Logger): Promise<void> {
  // Before the first connection can arrive: a connection handed over earlier would go untracked.
  http.emit("listening");
  return new Promise((resolve, reject) => {
    const onListenError = (err: Error) => reject(err);
    front.once("error", onListenError);
    front.listen(port, host, () => {
      front.off("error", onListenError);
      front.on("error", (err) => log.error({ err }, "accepting a connection failed"));
      resolve();
    });
  });
}
