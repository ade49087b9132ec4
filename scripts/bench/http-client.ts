/**
 * The load generator's HTTP client: node:http over one keep-alive Agent per target, so every
 * request reuses a warm connection (no TCP handshake in the figures) and the concurrency is
 * bounded by maxSockets. Never throws: a network error or timeout is a failed result.
 */
import http from "node:http";

export interface HttpResult {
  /** 0 when no HTTP answer arrived (error or timeout). */
  readonly status: number;
  readonly body: string;
  readonly error?: string;
}

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface HttpClient {
  request(r: HttpRequest): Promise<HttpResult>;
  close(): void;
}

export function createHttpClient(baseUrl: string, opts: { maxSockets: number; timeoutMs?: number }): HttpClient {
  const u = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets });
  const timeoutMs = opts.timeoutMs ?? 20_000;
  return {
    request(r) {
      return new Promise((resolve) => {
        const headers: Record<string, string> = { ...r.headers };
        if (r.body !== undefined) headers["content-length"] = String(Buffer.byteLength(r.body));
        const req = http.request({ host: u.hostname, port: u.port, method: r.method, path: r.path, headers, agent, timeout: timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("latin1") }));
          res.on("error", (e) => resolve({ status: 0, body: "", error: e.message }));
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", (e) => resolve({ status: 0, body: "", error: e.message }));
        req.end(r.body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
