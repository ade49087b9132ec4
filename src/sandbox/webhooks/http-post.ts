/**
 * One webhook delivery attempt: a real HTTP(S) POST with a hard 3-second real-time deadline covering
 * connect, headers and body, no redirects followed, no keep-alive (nothing lingers after close()).
 */
import http from "node:http";
import https from "node:https";
import { DELIVERY_TIMEOUT_MS, type AttemptResult } from "./retry-policy";

export type WebhookPoster = (url: string, headers: Record<string, string>, body: string) => Promise<AttemptResult>;

export const postWebhook: WebhookPoster = (url, headers, body) =>
  new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ kind: "network", message: "invalid URL" });
      return;
    }
    const lib = target.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (r: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(r);
    };
    const req = lib.request(target, {
      method: "POST",
      agent: false,
      headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
    });
    const deadline = setTimeout(() => {
      finish({ kind: "timeout" });
      req.destroy();
    }, DELIVERY_TIMEOUT_MS);
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => finish({ kind: "status", status: res.statusCode ?? 0 }));
      res.on("error", () => finish({ kind: "status", status: res.statusCode ?? 0 }));
    });
    req.on("error", (err) => finish({ kind: "network", message: err.message }));
    req.end(body);
  });
