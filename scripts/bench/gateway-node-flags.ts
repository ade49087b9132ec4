/**
 * The node flags production runs the gateway with are those of package.json's "start" script (the
 * Dockerfile's CMD is held to the same flags by test/unit/docs/start-flags.test.ts). The bench
 * starts its gateway child with them too, so it measures the process that production runs.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

function packageJsonPath(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const p = join(dir, "package.json");
    if (existsSync(p)) return p;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** "node --a --b=1 dist/src/main.js" → ["--a", "--b=1"]; a leading `exec` (so that npm's
 *  signals reach node itself) is part of the shell command, not of node's. */
export function nodeFlagsOf(command: string): string[] {
  const words = command
    .trim()
    .replace(/^exec\s+/, "")
    .split(/\s+/);
  if (words[0] !== "node") throw new Error(`start script does not run node: ${command}`);
  return words.slice(1).filter((w) => w.startsWith("--"));
}

export function gatewayNodeFlags(from: string = __dirname): string[] {
  const pkg = JSON.parse(readFileSync(packageJsonPath(from), "utf8")) as { scripts?: { start?: string } };
  const start = pkg.scripts?.start;
  if (!start) throw new Error("package.json has no start script");
  return nodeFlagsOf(start);
}
