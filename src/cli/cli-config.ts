/** The configuration of a CLI command: loadConfig's problems as one AppError, a detail line each. */
import { loadConfig, type Config } from "../config/config";
import { AppError } from "../errors/app-error";

export function loadCliConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    // loadConfig lists every problem in its message; keep them as lines.
    const [head = "invalid configuration", ...lines] = (err as Error).message.split("\n");
    throw new AppError("config_invalid", head.replace(/:$/, ""), { details: lines.map((l) => ({ path: "env", message: l.replace(/^\s*- /, "") })) });
  }
}
