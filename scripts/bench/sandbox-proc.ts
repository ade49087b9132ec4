/**
 * Bench child: the UnivaPay sandbox in its own process, answering at once (settleDelayMs 0, rate
 * limits and the daily test-charge limit off), so its CPU is not charged to the gateway's event
 * loop. It creates the merchants' stores; everything else goes over HTTP like a real client.
 */
import pino from "pino";
import { createSandbox } from "../../src/sandbox/sandbox";
import { serveRpc } from "./rpc";
import { processUsage } from "./usage";

export interface StoreCreds {
  readonly storeId: string;
  readonly appToken: string;
  readonly secret: string;
}

const sandbox = createSandbox({ logger: pino({ level: "silent" }), settleDelayMs: 0, rateLimits: false, testChargeDailyLimit: null });

export const sandboxHandlers = {
  usage: processUsage,
  async listen(): Promise<{ url: string }> {
    return sandbox.listen(0, "127.0.0.1");
  },
  async createStores(arg: { count: number }): Promise<StoreCreds[]> {
    return Array.from({ length: arg.count }, (_, i) => {
      const c = sandbox.createStore({ name: `bench shop ${i}`, mode: "test", pci: true, recurringPrivilege: "infinite" });
      return { storeId: c.storeId, appToken: c.appToken, secret: c.secret };
    });
  },
  async close(): Promise<null> {
    await sandbox.close();
    return null;
  },
};
export type SandboxHandlers = typeof sandboxHandlers;

serveRpc(sandboxHandlers);
