/**
 * README's SDK example runs as printed: examples/univapay-sdk.mjs with the JSON line that
 * `npm run sandbox` prints, against a sandbox.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { createSandbox } from "../../src/sandbox/sandbox";

it("runs examples/univapay-sdk.mjs against the sandbox", async () => {
  const sandbox = createSandbox({ settleDelayMs: 10 });
  try {
    const { url } = await sandbox.listen(0, "127.0.0.1");
    const line = JSON.stringify({ endpoint: url, appToken: sandbox.demo.appToken, secret: sandbox.demo.secret, storeId: sandbox.demo.storeId });
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, "../../examples/univapay-sdk.mjs"), line], {
      cwd: join(__dirname, "../.."),
    });
    expect(stdout).toMatch(/^charge \S+: successful\n$/);
  } finally {
    await sandbox.close();
  }
});
