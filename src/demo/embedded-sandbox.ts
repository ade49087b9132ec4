/**
 * Demo mode's UnivaPay: the sandbox, embedded and listening on loopback, with its state in
 * SANDBOX_STATE_FILE so charges survive a restart (a CANCEL after a restart finds its charge),
 * and the demo's request-key secret next to it when GATEWAY_SECRET is unset. Demo only: a
 * merchants file is never served against it.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { MIN_GATEWAY_SECRET_LENGTH, type Config } from "../config/config";
import { AppError } from "../errors/app-error";
import { Secret, type Logger } from "../logging/logger";
import { createSandbox, type Sandbox, type SandboxOptions } from "../sandbox/sandbox";

export interface EmbeddedSandbox {
  readonly sandbox: Sandbox;
  readonly baseUrl: string;
  readonly stateFile: string | undefined;
}

export async function startEmbeddedSandbox(config: Config, logger: Logger, opts: SandboxOptions = {}): Promise<EmbeddedSandbox> {
  const stateFile = config.SANDBOX_STATE_FILE === "" ? undefined : resolve(config.SANDBOX_STATE_FILE);
  const sandbox = createSandbox({ logger, ...(stateFile ? { stateFile } : {}), ...opts });
  const { url } = await sandbox.listen(0, "127.0.0.1");
  return { sandbox, baseUrl: url, stateFile };
}

/**
 * GATEWAY_SECRET when given; in demo mode without it, a random one kept next to the sandbox state
 * (so a repeated demo request after a restart still finds its first answer), or per process when
 * the sandbox keeps no state either.
 */
export function demoGatewaySecret(config: Config, stateFile: string | undefined, log: Logger): Secret {
  if (config.GATEWAY_SECRET) return new Secret(config.GATEWAY_SECRET);
  if (!stateFile) return new Secret(randomBytes(32).toString("hex"));
  const file = join(dirname(stateFile), "demo-gateway-secret");
  if (existsSync(file)) {
    const kept = readFileSync(file, "utf8").trim();
    // Never an empty or short HMAC key; a new one would not find earlier requests either, so say so.
    if (kept.length < MIN_GATEWAY_SECRET_LENGTH)
      throw new AppError("config_invalid", `${file} holds no usable secret: delete it (the demo makes a new one) or set GATEWAY_SECRET`);
    return new Secret(kept);
  }
  mkdirSync(dirname(file), { recursive: true });
  const value = randomBytes(32).toString("hex");
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  log.info({ file }, "demo request-key secret created");
  return new Secret(value);
}
