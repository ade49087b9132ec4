/**
 * Bench child: the UnivaPay sandbox in its own process, answering at once (settleDelayMs 0, the
 * daily test-charge limit off, and rate limits off unless `listen` asks for UnivaPay's real ones,
 * as the one-merchant peak run does), so its CPU is not charged to the gateway's event loop. It
 * creates the merchants' stores; everything else goes over HTTP like a real client.
 */
import pino from "pino";
import { createSandbox, type Sandbox } from "../../src/sandbox/sandbox";
import { serveRpc } from "./rpc";
import { processUsage } from "./usage";

export interface StoreCreds {
  readonly storeId: string;
  readonly appToken: string;
  readonly secret: string;
}

let made: Sandbox | undefined;
const sandbox = (): Sandbox => {
  if (!made) throw new Error("sandbox not listening yet");
  return made;
};

export const sandboxHandlers = {
  usage: processUsage,
  async listen(arg: { rateLimits: boolean } | null): Promise<{ url: string }> {
    made = createSandbox({ logger: pino({ level: "silent" }), settleDelayMs: 0, rateLimits: arg?.rateLimits ?? false, testChargeDailyLimit: null });
    return made.listen(0, "127.0.0.1");
  },
  async createStores(arg: { count: number }): Promise<StoreCreds[]> {
    return Array.from({ length: arg.count }, (_, i) => {
      const c = sandbox().createStore({ name: `bench shop ${i}`, mode: "test", pci: true, recurringPrivilege: "infinite" });
      return { storeId: c.storeId, appToken: c.appToken, secret: c.secret };
    });
  },
  async close(): Promise<null> {
    await made?.close();
    return null;
  },
};
export type SandboxHandlers = typeof sandboxHandlers;

serveRpc(sandboxHandlers);
