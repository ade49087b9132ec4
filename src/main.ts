/**
 * `npm start`: parse the environment, start the gateway, stop cleanly on SIGINT/SIGTERM.
 * A configuration problem prints every problem and exits 1, without a stack trace.
 */
import { loadConfig } from "./config/config";
import { isAppError } from "./errors/app-error";
import { startGateway } from "./gateway";

async function main(): Promise<void> {
  const config = loadConfig();
  const gateway = await startGateway(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.deps.logger.info({ signal }, "stopping");
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
  if (isAppError(err)) {
    process.stderr.write(`${err.message}\n${err.details.map((d) => `  - ${d.path}: ${d.message}`).join("\n")}\n`);
  } else {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
});
