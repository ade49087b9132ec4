// `npm start`'s pre-step: compile TypeScript only when a source is newer than the last build, so
// a start costs no compile (it took 38 s on a fresh clone when every start rebuilt). Plain
// JavaScript on purpose: it runs before anything is compiled.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const output = join(root, "dist/src/main.js");
const inputs = ["src", "scripts", "tsconfig.json", "tsconfig.build.json", "package-lock.json"];

function newest(path) {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs);
}

const built = statSync(output, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const changed = Math.max(...inputs.map((p) => newest(join(root, p))));
if (built === 0 || changed > built) {
  process.stderr.write(built === 0 ? "building (first start)…\n" : "sources changed since the last build: building…\n");
  const r = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
