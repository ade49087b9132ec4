/**
 * Runs a compiled script (dist/scripts/*.js) as a child process with only PATH and the given env,
 * as an operator would, and returns its exit code and output whatever the code.
 */
import { execFile } from "node:child_process";
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
