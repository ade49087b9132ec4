/**
 * A raw HTTP/1.1 client over a TCP socket, so tests can send exactly the bytes legacy merchants
 * send (unescaped spaces, raw Shift_JIS) and read the reply's bytes untouched.
 */
import { connect } from "node:net";

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export function sendRaw(
  url: string,
  method: "GET" | "POST" | "HEAD",
  target: Buffer,
  opts: { body?: Buffer; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const u = new URL(url);
  const head = [`Host: ${u.host}`, "Connection: close", ...Object.entries(opts.headers ?? {}).map(([k, v]) => `${k}: ${v}`)];
  if (opts.body) head.push(`Content-Length: ${opts.body.length}`, "Content-Type: application/x-www-form-urlencoded");
  const request = Buffer.concat([Buffer.from(`${method} `), target, Buffer.from(` HTTP/1.1\r\n${head.join("\r\n")}\r\n\r\n`), opts.body ?? Buffer.alloc(0)]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(Number(u.port), u.hostname, () => s.write(request));
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("error", reject);
    s.on("end", () => {
      const all = Buffer.concat(chunks);
      const sep = all.indexOf("\r\n\r\n");
      const lines = all.subarray(0, sep).toString("latin1").split("\r\n");
      const status = Number(lines[0]?.split(" ")[1]);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(":");
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      let body: Buffer = all.subarray(sep + 4);
      if (headers["transfer-encoding"] === "chunked") body = unchunk(body);
      resolve({ status, headers, body });
    });
  });
}

function unchunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = b.indexOf("\r\n", i);
    const size = parseInt(b.subarray(i, eol).toString("latin1"), 16);
    if (!size) return Buffer.concat(out);
    out.push(b.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

/** Splits an urlencoded legacy body into name → value bytes (percent-decoded, charset untouched). */
export function replyFields(body: Buffer | string): Map<string, Buffer> {
  const text = typeof body === "string" ? body : body.toString("latin1");
  const m = new Map<string, Buffer>();
  for (const part of text.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    const bytes = Buffer.from(
      value.replace(/\+/g, "%20").replace(/%([0-9A-Fa-f]{2})|([^%])/g, (_m, hex, ch) => (hex ? String.fromCharCode(parseInt(hex, 16)) : ch)),
      "latin1",
    );
    if (!m.has(name)) m.set(name, bytes);
  }
  return m;
}

export function field(m: Map<string, Buffer>, name: string): string | undefined {
  return m.get(name)?.toString("utf8");
}
