/**
 * No Docker engine runs on our machines, so the image's promises are held by reading its files:
 * the build context leaves out local data and modules, /data is a volume, the image never starts
 * the demo by itself, and its health check asks for readiness.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "../../..");
const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");

describe("the Docker image", () => {
  it("leaves node_modules, data, dist and .git out of the build context", () => {
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim());
    for (const entry of ["node_modules", "data", "dist", ".git"]) expect(ignored).toContain(entry);
  });

  it("keeps /data on a volume and refuses to run the demo unconfigured", () => {
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(dockerfile).toMatch(/^ENV .*\bDEMO=false\b/m);
  });

  it("checks health with /readyz", () => {
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/readyz/);
    expect(dockerfile).not.toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
  });
});
