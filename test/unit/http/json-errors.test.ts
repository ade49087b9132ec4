/**
 * The JSON channel renders every error one way; a client that went away is not an error.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import axios from "axios";
import Koa from "koa";
import { AppError } from "../../../src/errors/app-error";
import { jsonErrors } from "../../../src/http/middleware/json-errors";
import { requestId } from "../../../src/http/middleware/request-id";
import { createLogger } from "../../../src/logging/logger";

type Line = { level: string; msg: string };

async function serve(handler: (ctx: Koa.Context) => void) {
  const lines: Line[] = [];
  const app = new Koa();
  app.silent = true;
  app.use(requestId(createLogger({ level: "debug", destination: { write: (s: string) => void lines.push(JSON.parse(s) as Line) } })));
  app.use(jsonErrors());
  app.use(async (ctx) => handler(ctx));
  const server = createServer(app.callback()).listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = (path = "/") => axios.get(`${url}${path}`, { validateStatus: () => true });
  return { lines, get, close: () => new Promise((r) => server.close(r)) };
}

describe("jsonErrors", () => {
  it("renders an AppError with its status, code, details and the request id", async () => {
    const s = await serve(() => {
      throw new AppError("config_invalid", "bad input", { httpStatus: 400, details: [{ path: "x", message: "y" }] });
    });
    const r = await s.get();
    expect(r.status).toBe(400);
    expect(r.data).toEqual({ error: { code: "config_invalid", message: "bad input", requestId: expect.any(String), details: [{ path: "x", message: "y" }] } });
    await s.close();
  });

  it("hides the message of a server-side error and logs it once at ERROR", async () => {
    const s = await serve(() => {
      throw new Error("password=hunter2 at db.internal:5432");
    });
    const r = await s.get();
    expect(r.status).toBe(500);
    expect(r.data).toEqual({ error: { code: "internal", message: "internal error", requestId: expect.any(String) } });
    expect(s.lines.filter((l) => l.level === "error")).toHaveLength(1);
    await s.close();
  });

  it("takes ECONNRESET and EPIPE for a client that went away: no answer, no ERROR line", async () => {
    for (const code of ["ECONNRESET", "EPIPE"]) {
      const s = await serve(() => {
        throw Object.assign(new Error(`write ${code}`), { code });
      });
      const answered = await s.get().then(
        () => true,
        () => false,
      );
      expect(answered).toBe(false); // the socket is dropped: nobody was there to read it
      expect(s.lines.filter((l) => l.level === "warn" || l.level === "error")).toEqual([]);
      expect(s.lines.some((l) => l.msg === "client went away")).toBe(true);
      await s.close();
    }
  });

  it("answers an unknown route as not_found", async () => {
    const s = await serve(() => undefined);
    const r = await s.get("/nope");
    expect(r.status).toBe(404);
    expect(r.data.error.code).toBe("not_found");
    await s.close();
  });
});
