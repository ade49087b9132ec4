/**
 * Which response, if any, is still being produced on a socket. Anything written straight to a
 * socket (a parser refusal, a held request line's timeout) must wait for it: bytes written while a
 * payment is being answered would become that payment's answer.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";

export interface InFlight {
  readonly target: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

const open = new WeakMap<object, InFlight>();

export function trackResponsesInFlight(http: Server): void {
  http.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    open.set(socket, { target: req.url ?? "", req, res });
    res.once("close", () => {
      if (open.get(socket)?.res === res) open.delete(socket);
    });
  });
}

/** The unfinished response on this socket and its request target, if there is one. */
export function responseInFlight(socket: object): InFlight | undefined {
  return open.get(socket);
}

/** Ends the connection once its response is sent, instead of answering anything after it. */
export function closeAfterResponse(res: ServerResponse): void {
  res.shouldKeepAlive = false;
}
