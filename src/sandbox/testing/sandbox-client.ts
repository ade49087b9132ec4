/**
 * A tiny raw HTTP client for tests of the sandbox: sends exactly what a UnivaPay client would
 * (Bearer {secret}.{jwt}, JSON bodies, optional Idempotency-Key) and returns status, headers and the
 * parsed body without interpreting errors, so tests can assert on the wire.
 */
import type { SandboxCredentials } from "../processing/store-registry";

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON, or null for an empty body. */
  readonly body: Record<string, unknown> | null;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Authorization value; default `Bearer {secret}.{appToken}`; null sends none. */
  readonly authorization?: string | null;
}

export interface SandboxClient {
  request(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse>;
}

export function createSandboxClient(baseUrl: string, creds: Omit<SandboxCredentials, "linkFormId">): SandboxClient {
  return {
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
      const auth = opts.authorization === undefined ? `Bearer ${creds.secret}.${creds.appToken}` : opts.authorization;
      if (auth !== null) headers["Authorization"] = auth;
      if (opts.body !== undefined) headers["Content-Type"] = "application/json";
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: text === "" ? null : (JSON.parse(text) as Record<string, unknown>) };
    },
  };
}
