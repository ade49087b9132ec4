/**
 * Stand-alone sandbox (`npm run sandbox`): listens on 127.0.0.1:SANDBOX_PORT (default 8081), prints
 * its demo credentials as ONE JSON line on stdout for people and programs, logs to stderr, and
 * shuts down cleanly on SIGINT/SIGTERM. The only sandbox file that reads process.env.
 */
import pino from "pino";
import { z } from "zod";
import { createLogger } from "../logging/logger";
import { createSandbox } from "./sandbox";

const EnvSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  SANDBOX_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

async function main(): Promise<void> {
  const env = EnvSchema.parse(process.env);
  const logger = createLogger({ level: env.SANDBOX_LOG_LEVEL, service: "univapay-sandbox", destination: pino.destination(2) });
  const sandbox = createSandbox({ logger });
  const { url } = await sandbox.listen(env.SANDBOX_PORT, "127.0.0.1");
  process.stdout.write(`${JSON.stringify({ endpoint: url, appToken: sandbox.demo.appToken, secret: sandbox.demo.secret, storeId: sandbox.demo.storeId })}\n`);
  logger.info({ endpoint: url }, "sandbox listening");
  const stop = (signal: string): void => {
    logger.info({ signal }, "sandbox stopping");
    void sandbox.close().then(() => process.exit(0));
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
