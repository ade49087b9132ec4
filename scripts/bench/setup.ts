/**
 * Starts the long-lived bench children (sandbox, kickback receiver) and prepares the merchants:
 * one sandbox store each, with a recurring card token created over the API like a merchant's
 * member registration (test card 4000020000000000 always succeeds).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createHttpClient } from "./http-client";
import type { OpMerchant } from "./ops";
import type { ReceiverHandlers } from "./receiver-proc";
import type { SandboxHandlers, StoreCreds } from "./sandbox-proc";
import { spawnChild, type BenchChild } from "./spawn-child";
import { processUsage, type UsageProbe } from "./usage";

export interface BenchWorld {
  readonly sandbox: BenchChild<SandboxHandlers>;
  readonly sandboxUrl: string;
  readonly receiver: BenchChild<ReceiverHandlers>;
  readonly receiverUrl: string;
  readonly merchants: readonly OpMerchant[];
  /** CPU probes of the load generator (this process), the sandbox and the receiver. */
  readonly probes: readonly UsageProbe[];
  stop(): Promise<void>;
}

export const BENCH_MEMBER_ID = "bench-ok";

/** sandboxExecArgv: e.g. --cpu-prof flags, so `--profile` shows the sandbox's side too. */
export async function startWorld(merchantCount: number, sandboxExecArgv: readonly string[] = []): Promise<BenchWorld> {
  const sandbox = spawnChild<SandboxHandlers>("sandbox-proc", sandboxExecArgv);
  const receiver = spawnChild<ReceiverHandlers>("receiver-proc");
  const stop = async (): Promise<void> => {
    await Promise.all([sandbox.stop(), receiver.stop()]);
  };
  try {
    const { url: sandboxUrl } = await sandbox.rpc.call("listen", null);
    const { url: receiverUrl } = await receiver.rpc.call("listen", null);
    const stores = await sandbox.rpc.call("createStores", { count: merchantCount });
    const merchants = await prepareMerchants(sandboxUrl, stores, 300_001);
    const probes: UsageProbe[] = [
      { name: "loadgen", sample: processUsage },
      { name: "sandbox", sample: () => sandbox.rpc.call("usage", null) },
      { name: "receiver", sample: () => receiver.rpc.call("usage", null) },
    ];
    return { sandbox, sandboxUrl, receiver, receiverUrl, merchants, probes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Each store as a merchant: a recurring card token made over the API (member bench-ok), and sids
 *  counting up from `firstSid`. */
export async function prepareMerchants(sandboxUrl: string, stores: readonly StoreCreds[], firstSid: number): Promise<OpMerchant[]> {
  const client = createHttpClient(sandboxUrl, { maxSockets: 8 });
  const merchants: OpMerchant[] = [];
  try {
    for (const [i, s] of stores.entries()) {
      const r = await client.request({
        method: "POST",
        path: "/tokens",
        headers: { authorization: `Bearer ${s.secret}.${s.appToken}`, "content-type": "application/json", "idempotency-key": randomUUID() },
        body: JSON.stringify({
          payment_type: "card",
          type: "recurring",
          email: `bench${i}@example.com`,
          data: {
            cardholder: "TARO YAMADA",
            card_number: "4000020000000000",
            exp_month: "12",
            exp_year: String(new Date().getUTCFullYear() + 3),
            cvv: "123",
          },
        }),
      });
      const id = r.status === 201 ? (JSON.parse(r.body) as { id?: unknown }).id : undefined;
      if (typeof id !== "string") throw new Error(`token for store ${i}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
      merchants.push({ sid: String(firstSid + i), ...s, webhookToken: randomBytes(16).toString("hex"), tokenId: id });
    }
  } finally {
    client.close();
  }
  return merchants;
}
