import { readFileSync } from "node:fs";
import { join } from "node:path";
import { errorCodeTable } from "../../../scripts/error-code-table";

const root = join(__dirname, "../../..");

describe("README error-code table", () => {
  it("is exactly the table generated from mappings/errors.yaml", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const m = /<!-- error-codes:start -->\n([\s\S]*?)\n<!-- error-codes:end -->/.exec(readme);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(errorCodeTable(join(root, "mappings")));
  });
});
