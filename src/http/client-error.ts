/**
 * Answers requests Node's HTTP parser refused or gave up on (malformed, header block too large,
 * not complete within HEADERS_TIMEOUT_MS / REQUEST_TIMEOUT_MS) in the protocol of the path they
 * were for: a legacy reply on the legacy paths, JSON elsewhere. A client that went away gets
 * nothing and is not an error.
 */
import { STATUS_CODES, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../logging/logger";
import { isClientGone } from "./client-gone";
import { requestHeadOf } from "./connection-front";
import { closeAfterResponse, responseInFlight } from "./responses-in-flight";

export interface ClientErrorRendering {
  /** Whether a request target (path and query) is one of the legacy paths. */
  isLegacyPath(target: string): boolean;
  /** Body and content type of a legacy refusal (request_malformed, request_too_large). */
  legacyRefusal(key: "request_malformed" | "request_too_large"): { body: string; type: string };
}

/** Status for Node's parser error codes; everything unknown is a plain 400. */
function statusOf(code: string | undefined): number {
  if (code === "HPE_HEADER_OVERFLOW") return 431;
  if (code === "ERR_HTTP_REQUEST_TIMEOUT" || code === "ERR_HTTP_HEADERS_TIMEOUT") return 408;
  return 400;
}

/** The request target in a raw packet ("GET /memberpay.aspx?… HTTP/1.1"), as far as it came. */
export function targetOf(packet: Buffer | undefined): string | undefined {
  if (!packet || packet.length === 0) return undefined;
  const line = packet.subarray(0, Math.min(packet.length, 512)).toString("latin1");
  // The path is enough: a head cut off inside the target still names it.
  const m = /^[A-Z]+ ([^\s?]+)/.exec(line);
  return m?.[1];
}

export function installClientErrorHandler(http: Server, rendering: ClientErrorRendering, log: Logger): void {
  http.on("clientError", (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    if (isClientGone(err) || !socket.writable) {
      socket.destroy();
      return;
    }
    // A response still being produced (a payment waiting on UnivaPay, a pipelined bad request
    // behind it): whatever we wrote now would be read as its answer. Let it finish, then close.
    // (A request whose own body never completed is different: its handler is still waiting for
    // that body, has started nothing, and this refusal is its answer.)
    const inProgress = responseInFlight(socket);
    if (inProgress?.res.headersSent) {
      socket.destroy();
      return;
    }
    if (inProgress?.req.complete) {
      closeAfterResponse(inProgress.res);
      return;
    }
    const status = statusOf(err.code);
    // The longer of what the repairer saw and what the parser kept: either may be cut short.
    const heads = [targetOf(requestHeadOf(socket)), targetOf(err.rawPacket)].filter((t): t is string => t !== undefined);
    const target = heads.sort((a, b) => b.length - a.length)[0];
    log.warn({ code: err.code, status, legacy: target !== undefined && rendering.isLegacyPath(target) }, "HTTP request refused by the parser");
    socket.end(refusalResponse(rendering, status, target));
  });
}

/** A whole HTTP response refusing a request for `target`, in that path's protocol. */
export function refusalResponse(rendering: ClientErrorRendering, status: number, target: string | undefined): string {
  const legacy = target !== undefined && rendering.isLegacyPath(target);
  const answer = legacy
    ? rendering.legacyRefusal(status === 431 ? "request_too_large" : "request_malformed")
    : {
        body: JSON.stringify({ error: { code: status === 408 ? "request_timeout" : "bad_request", message: STATUS_CODES[status] ?? "Bad Request" } }),
        type: "application/json",
      };
  const bytes = Buffer.from(answer.body, "latin1");
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nConnection: close\r\nContent-Type: ${answer.type}\r\nContent-Length: ${bytes.length}\r\n\r\n${answer.body}`;
}
