/**
 * The gateway's node flags are decided once, in package.json's start script; the Dockerfile's CMD
 * must run the same flags, and the bench reads them from there (scripts/bench/gateway-node-flags).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gatewayNodeFlags, nodeFlagsOf } from "../../../scripts/bench/gateway-node-flags";

const root = join(__dirname, "../../..");

describe("gateway node flags", () => {
  it("package.json start sets a larger young generation (see README Decisions)", () => {
    expect(gatewayNodeFlags(root)).toContain("--max-semi-space-size=32");
  });

  it("the Dockerfile's CMD runs the same flags as npm start", () => {
    const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
    const m = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(m).not.toBeNull();
    const cmd = (JSON.parse(m![1]!) as string[]).join(" ");
    expect(nodeFlagsOf(cmd)).toEqual(gatewayNodeFlags(root));
    expect(cmd.endsWith("dist/src/main.js")).toBe(true);
  });

  it("reads only the flags of a node command", () => {
    expect(nodeFlagsOf("node --a --b=1 dist/src/main.js")).toEqual(["--a", "--b=1"]);
    expect(() => nodeFlagsOf("ts-node src/main.ts")).toThrow(/does not run node/);
  });
});
