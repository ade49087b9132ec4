/**
 * Configuration problems stop start-up before any side effect (no database file, no sandbox, no
 * listening socket), with a message that says what to change.
 */
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/config";
import { isAppError } from "../../src/errors/app-error";
import { startGateway } from "../../src/gateway";
import { createLogger } from "../../src/logging/logger";

const silent = createLogger({ level: "silent" });
const dbFile = () => join(tmpdir(), `gw-startup-${randomBytes(6).toString("hex")}`, "g.sqlite");

async function refusal(env: Record<string, string>) {
  const file = dbFile();
  const err = await startGateway(loadConfig({ PORT: "0", HOST: "127.0.0.1", DATABASE_URL: `sqlite:${file}`, ...env }), { logger: silent }).then(
    (g) => g.close().then(() => undefined),
    (e: unknown) => e,
  );
  return { err, dbCreated: existsSync(file) };
}

describe("start-up checks", () => {
  it("refuses a loopback demo kickback URL unless private networks are allowed, saying how", async () => {
    const { err, dbCreated } = await refusal({ DEMO_KICKBACK_URL: "http://localhost:3000/kickback" });
    expect(isAppError(err) && err.code).toBe("config_invalid");
    expect(isAppError(err) && err.details.map((d) => d.message).join()).toContain("KICKBACK_ALLOW_PRIVATE_NETWORKS=true");
    expect(dbCreated).toBe(false);
  });

  it("refuses to run against a real API without merchants", async () => {
    const { err, dbCreated } = await refusal({ UNIVAPAY_BASE_URL: "https://api.example.invalid" });
    expect(isAppError(err) && err.details[0]?.path).toBe("MERCHANTS_FILE");
    expect(dbCreated).toBe(false);
  });
});
