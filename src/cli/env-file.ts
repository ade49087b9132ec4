/**
 * Reads an env file as `npm run ops -- sandbox-merchant --env-out` writes it (KEY=value lines,
 * comments and blank lines skipped), for scripts that run the gateway's commands with it.
 */
import { readFileSync } from "node:fs";

export function readEnvFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => /^[A-Z_0-9]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}
