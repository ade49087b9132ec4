/**
 * Stand-alone sandbox (`npm run sandbox`): listens on 127.0.0.1:SANDBOX_PORT (default 8081), keeps
 * its state in SANDBOX_STATE_FILE (default ./data/sandbox-state.jsonl; set it empty for memory
 * only), so the ONE JSON line of demo credentials it prints on stdout is the same at every start.
 * Logs to stderr and shuts down cleanly on SIGINT/SIGTERM, saving the state first. The only
 * sandbox file that reads process.env.
 */
import pino from "pino";
import { z } from "zod";
import { createLogger } from "../logging/logger";
import { createSandbox } from "./sandbox";

const EnvSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  SANDBOX_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** "" (set but empty) = in memory, as before state files existed. */
  SANDBOX_STATE_FILE: z.string().default("./data/sandbox-state.jsonl"),
});

async function main(): Promise<void> {
  const env = EnvSchema.parse(process.env);
  const logger = createLogger({ level: env.SANDBOX_LOG_LEVEL, service: "univapay-sandbox", destination: pino.destination(2) });
  const sandbox = createSandbox({ logger, stateFile: env.SANDBOX_STATE_FILE === "" ? undefined : env.SANDBOX_STATE_FILE });
  if (sandbox.stateFile) {
    logger.info({ stateFile: sandbox.stateFile.path }, sandbox.stateFile.loaded ? "sandbox state loaded from file" : "sandbox state file created");
  } else {
    logger.info("sandbox state kept in memory only (SANDBOX_STATE_FILE is empty)");
  }
  const { url } = await sandbox.listen(env.SANDBOX_PORT, "127.0.0.1");
  process.stdout.write(
    `${JSON.stringify({ endpoint: url, appToken: sandbox.demo.appToken, secret: sandbox.demo.secret, storeId: sandbox.demo.storeId, linkFormId: sandbox.demo.linkFormId })}\n`,
  );
  logger.info({ endpoint: url }, "sandbox listening");
  const stop = (signal: string): void => {
    logger.info({ signal }, "sandbox stopping");
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "sandbox state could not be saved on shutdown");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
