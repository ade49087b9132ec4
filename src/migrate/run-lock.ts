/**
 * One process per result file: `<results>.lock` holds the pid of the run writing it. Two runs of
 * the same file at once would do every row twice and overwrite each other's ledger rows and
 * result lines; the second is refused (exit 2) while the first is alive. A lock left by a killed
 * run (its pid is gone) is taken over, so a rerun after SIGKILL just works.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { AppError } from "../errors/app-error";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface RunLock {
  release(): void;
}

export function lockRun(resultsPath: string): RunLock {
  const path = `${resultsPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
      return { release: () => rmSync(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new AppError("bad_request", `another run (pid ${holder}) is writing ${resultsPath}; wait for it, or stop it first`);
      }
      rmSync(path, { force: true }); // left by a run that is gone
    }
  }
  throw new AppError("bad_request", `could not take the lock ${path}`);
}
