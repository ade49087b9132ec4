/**
 * Runs a compiled script (dist/scripts/*.js) as a child process with only PATH and the given env,
 * as an operator would, and returns its exit code and output whatever the code.
 */
import { execFile, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runScript(script: string, args: string[], env: Record<string, string>): Promise<ScriptRun> {
  try {
    const r = await run(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? "", ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * SIGKILLs `child` once its result file holds `rows` data rows (a row is written once its ledger
 * row is committed), and resolves when it has exited; rejects if it ends on its own first.
 */
export async function killAfterRows(child: ChildProcess, resultsPath: string, rows: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      const written = existsSync(resultsPath)
        ? readFileSync(resultsPath, "utf8")
            .split("\r\n")
            .filter((l) => l !== "").length - 1
        : 0;
      if (written >= rows) {
        clearInterval(timer);
        child.kill("SIGKILL");
        resolve();
      }
    }, 20);
    child.on("exit", () => {
      clearInterval(timer);
      reject(new Error("the run ended before it was killed"));
    });
  });
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once("exit", r));
}
