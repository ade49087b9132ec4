/**
 * Legacy clients build URLs without escaping (raw spaces, raw UTF-8 or Shift_JIS bytes), which
 * Node's HTTP parser rejects with a 400 before any of our code runs. A TCP front percent-encodes
 * the offending bytes of a connection's FIRST request line and then hands the socket to the HTTP
 * server. Lossless for us: the legacy codec decodes a raw byte and its %XX form to the same byte.
 * Later requests on a kept-alive connection pass unrepaired (legacy PHP clients close after one).
 */
import type { Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";

const HTTP_VERSION = Buffer.from(" HTTP/");

function isBad(b: number): boolean {
  return b <= 0x20 || b >= 0x7f;
}

/** Pure: returns `chunk` unchanged unless its request-target has bytes the parser would refuse. */
export function repairRequestLine(chunk: Buffer): Buffer {
  const eol = chunk.indexOf("\r\n");
  if (eol < 0) return chunk;
  const line = chunk.subarray(0, eol);
  const start = line.indexOf(0x20);
  const end = line.lastIndexOf(HTTP_VERSION);
  if (start < 0 || end <= start) return chunk;
  const target = line.subarray(start + 1, end);
  if (!target.some(isBad)) return chunk;
  let fixed = "";
  for (const b of target) fixed += isBad(b) ? `%${b.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(b);
  return Buffer.concat([line.subarray(0, start + 1), Buffer.from(fixed, "latin1"), chunk.subarray(end)]);
}

/** A TCP server that repairs each connection's first request line and passes it to `http`. */
export function createTolerantFront(http: HttpServer): TcpServer {
  return createTcpServer((socket) => {
    socket.once("data", (first: Buffer) => {
      socket.pause();
      socket.unshift(repairRequestLine(first));
      http.emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
  });
}
