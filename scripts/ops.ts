/**
 * `npm run ops -- <command> [options]`: operator commands on top of the gateway's core, with the
 * same environment as `npm start`. Results on stdout, problems as one line each on stderr, exit
 * code 0 / 1 (failed) / 2 (wrong command line).
 *
 *   sandbox-merchant  add a merchant backed by a store of a running `npm run sandbox`
 *   register-webhook  register the gateway's webhook on a merchant's UnivaPay store
 *   add-member        map an upcmemberid to a test card (test-mode merchants only)
 *   resolve-autobilling  an auto-billing `migrate autobillings --create` left unresolved: recorded if UnivaPay has it, else removed
 *   reversals         payments answered failure while UnivaPay's outcome was unknown, and their reversal
 *   token-public-key  the card-token protocol's current public key (for self-hosted copies of the old script)
 *   token-new-key     a new private key for TOKEN_RSA_PRIVATE_KEYS
 */
import { parseArgs } from "node:util";
import { addMemberCommand } from "../src/cli/add-member-command";
import { resolveAutoBillingCommand } from "../src/cli/resolve-autobilling-command";
import { renderCliError, UsageError } from "../src/cli/cli-error";
import { registerWebhookCommand } from "../src/cli/register-webhook-command";
import { reversalsCommand } from "../src/cli/reversals-command";
import { sandboxMerchantCommand } from "../src/cli/sandbox-merchant-command";
import { tokenNewKeyCommand, tokenPublicKeyCommand } from "../src/cli/token-key-commands";
import { loadCliConfig } from "../src/cli/cli-config";
import { ConfigSchema } from "../src/config/config";
import pino from "pino";
import { createLogger } from "../src/logging/logger";

const OPTIONS = {
  sid: { type: "string" },
  url: { type: "string" },
  member: { type: "string" },
  card: { type: "string" },
  expiry: { type: "string" },
  cvv: { type: "string" },
  holder: { type: "string" },
  email: { type: "string" },
  name: { type: "string" },
  mode: { type: "string" },
  sandbox: { type: "string" },
  "kickback-url": { type: "string" },
  "merchants-file": { type: "string" },
  // Not --env-file: Node 20 takes that flag for itself even after the script name.
  "env-out": { type: "string" },
  limit: { type: "string" },
  acid: { type: "string" },
} as const;

/** Quiet by default (warn); LOG_LEVEL, when set, is checked like the gateway's. */
const LogLevel = ConfigSchema.shape.LOG_LEVEL.unwrap();

const COMMANDS = "sandbox-merchant | register-webhook | add-member | resolve-autobilling | reversals | token-public-key | token-new-key";

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(" ")}`);
  const v = parsed.values;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // Logs on stderr, results on stdout, so a result can be piped; quiet unless something is wrong.
  const logger = () => createLogger({ level: LogLevel.parse(process.env.LOG_LEVEL ?? "warn"), destination: pino.destination(2) });
  switch (command) {
    case "sandbox-merchant":
      return sandboxMerchantCommand(
        {
          sid: v.sid,
          name: v.name,
          mode: v.mode,
          sandbox: v.sandbox,
          kickbackUrl: v["kickback-url"],
          merchantsFile: v["merchants-file"],
          envFile: v["env-out"],
        },
        process.env,
        out,
      );
    case "register-webhook":
      return registerWebhookCommand(loadCliConfig(), logger(), { sid: v.sid, url: v.url }, out);
    case "add-member":
      return addMemberCommand(
        loadCliConfig(),
        logger(),
        { sid: v.sid, member: v.member, card: v.card, expiry: v.expiry, cvv: v.cvv, holder: v.holder, email: v.email },
        out,
      );
    case "resolve-autobilling":
      return resolveAutoBillingCommand(loadCliConfig(), logger(), { sid: v.sid, acid: v.acid }, out);
    case "reversals":
      return reversalsCommand(loadCliConfig(), logger(), { limit: v.limit }, out);
    case "token-public-key":
      return tokenPublicKeyCommand(loadCliConfig(), out);
    case "token-new-key":
      return tokenNewKeyCommand(out);
    default:
      throw new UsageError(`npm run ops -- <${COMMANDS}> [options]${command ? ` (unknown command ${command})` : ""}`);
  }
}

main(process.argv.slice(2)).then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    process.exitCode = renderCliError(err, (line) => process.stderr.write(`${line}\n`));
  },
);
