/**
 * `npm run ops -- sandbox-merchant --sid SID [...]`: for trying a merchants file locally. Creates a
 * store in a running `npm run sandbox` (its /_sandbox admin API), then adds the merchant to a
 * merchants file and its secrets to an env file, ready for `set -a; . ./merchants.env; set +a;
 * npm start`. Test tooling only: it talks to a sandbox, never to UnivaPay.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseDocument, YAMLSeq } from "yaml";
import { z } from "zod";
import { AppError } from "../errors/app-error";
import { UsageError } from "./cli-error";

export interface SandboxMerchantArgs {
  sid?: string;
  name?: string;
  mode?: string;
  sandbox?: string;
  kickbackUrl?: string;
  merchantsFile?: string;
  envFile?: string;
}

const SANDBOX_TIMEOUT_MS = 5_000;

const CredsSchema = z.object({ storeId: z.string(), appToken: z.string(), secret: z.string(), linkFormId: z.string() });

async function createSandboxStore(sandbox: string, name: string, mode: "test" | "live"): Promise<z.infer<typeof CredsSchema>> {
  let res: Response;
  try {
    res = await fetch(`${sandbox}/_sandbox/stores`, {
      signal: AbortSignal.timeout(SANDBOX_TIMEOUT_MS),
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, mode, pci: true, recurring_privilege: "infinite" }),
    });
  } catch (err) {
    throw new AppError(
      "config_invalid",
      `no sandbox answers at ${sandbox} (${(err as Error).message}): start it with \`npm run sandbox\`, or pass --sandbox URL`,
    );
  }
  const parsed = CredsSchema.safeParse(await res.json().catch(() => undefined));
  if (!res.ok || !parsed.success) throw new AppError("config_invalid", `the sandbox at ${sandbox} refused to create a store (HTTP ${res.status})`);
  return parsed.data;
}

/** The merchants file as a YAML document, checked to take `sid` (before anything is created). */
function openMerchantsFile(file: string, sid: string) {
  const doc = parseDocument(existsSync(file) ? readFileSync(file, "utf8") : "merchants: []\n");
  if (doc.errors.length > 0) throw new AppError("config_invalid", `${file} is not valid YAML: ${doc.errors[0]?.message.split("\n")[0] ?? ""}`);
  let list = doc.get("merchants");
  if (!(list instanceof YAMLSeq)) {
    list = new YAMLSeq();
    doc.set("merchants", list);
  }
  const seq = list as YAMLSeq;
  if (seq.items.some((m) => String((m as { get?: (k: string) => unknown }).get?.("sid")) === sid)) {
    throw new AppError("config_invalid", `${file} already has merchant ${sid}`);
  }
  return {
    add(entry: Record<string, unknown>) {
      seq.flow = false;
      seq.add(doc.createNode(entry));
      writeFileSync(file, doc.toString());
    },
  };
}

/** Adds the lines whose variable the env file does not set yet. */
function addToEnvFile(file: string, lines: ReadonlyArray<[string, string, string?]>): void {
  const existing = existsSync(file) ? readFileSync(file, "utf8") : "";
  const has = (name: string) => new RegExp(`^${name}=`, "m").test(existing);
  const text = lines
    .filter(([name]) => !has(name))
    .map(([name, value, note]) => `${note ? `# ${note}\n` : ""}${name}=${value}\n`)
    .join("");
  if (existing === "")
    writeFileSync(file, `# Written by \`npm run ops -- sandbox-merchant\`: local testing against the sandbox only.\n${text}`, { mode: 0o600 });
  else appendFileSync(file, text);
}

export async function sandboxMerchantCommand(args: SandboxMerchantArgs, env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<void> {
  const sid = args.sid;
  if (!sid || !/^\d{1,10}$/.test(sid))
    throw new UsageError(
      "sandbox-merchant --sid DIGITS [--name NAME] [--mode test|live] [--kickback-url URL] [--sandbox URL] [--merchants-file F] [--env-out F]",
    );
  const mode = args.mode ?? "test";
  if (mode !== "test" && mode !== "live") throw new UsageError("--mode is test or live");
  const sandbox = (args.sandbox ?? env.SANDBOX_URL ?? `http://127.0.0.1:${env.SANDBOX_PORT ?? "8081"}`).replace(/\/$/, "");
  const merchantsFile = resolve(args.merchantsFile ?? "merchants.yaml");
  const envFile = resolve(args.envFile ?? "merchants.env");
  const merchants = openMerchantsFile(merchantsFile, sid);
  const creds = await createSandboxStore(sandbox, args.name ?? `Shop ${sid}`, mode);
  const v = (what: string) => `SHOP_${sid}_${what}`;
  merchants.add({
    sid,
    name: args.name ?? `Shop ${sid}`,
    mode,
    univapay: { storeId: creds.storeId, appToken: { env: v("APP_TOKEN") }, secret: { env: v("SECRET") } },
    webhookToken: { env: v("WEBHOOK_TOKEN") },
    kickback: args.kickbackUrl ? { url: args.kickbackUrl } : {},
    charset: "auto",
  });
  addToEnvFile(envFile, [
    ["UNIVAPAY_BASE_URL", sandbox, "the sandbox stands in for UnivaPay"],
    ["MERCHANTS_FILE", merchantsFile],
    ["GATEWAY_SECRET", randomBytes(32).toString("hex"), "keys the request-key HMAC; keep it across restarts"],
    ["KICKBACK_ALLOW_PRIVATE_NETWORKS", "true", "kickbacks to a shop on this machine"],
    [v("APP_TOKEN"), creds.appToken, `merchant ${sid}`],
    [v("SECRET"), creds.secret],
    [v("WEBHOOK_TOKEN"), randomBytes(24).toString("base64url")],
  ]);
  out(
    `merchant ${sid} (${mode}) added to ${merchantsFile}; its secrets to ${envFile} (sandbox store ${creds.storeId} at ${sandbox}, link form ${sandbox}/forms/${creds.linkFormId})`,
  );
}
