/**
 * `npm run ops -- add-member --sid SID --member ID --card NUMBER [...]`: makes `upcmemberid=ID`
 * usable for a TEST-mode merchant, from a test card: a CVV-authorised recurring UnivaPay token,
 * mapped in the gateway's database. Refused for live merchants: real members arrive with their
 * existing UnivaPay tokens (batch migration), never as card numbers typed into a shell.
 */
import type { Config } from "../config/config";
import type { Logger } from "../logging/logger";
import { createCore, verifiedMerchant } from "../core";
import { AppError } from "../errors/app-error";
import { registerCardMember } from "../members/register-card-member";
import { UsageError } from "./cli-error";

export interface AddMemberArgs {
  sid?: string;
  member?: string;
  card?: string;
  expiry?: string;
  cvv?: string;
  holder?: string;
  email?: string;
}

const USAGE = "add-member --sid SID --member ID --card NUMBER [--expiry MM/YYYY] [--cvv 123] [--holder 'TARO YAMADA'] [--email a@b.jp]";

function parseExpiry(text: string): { month: number; year: number } {
  const m = /^(\d{1,2})\/(\d{4})$/.exec(text);
  const month = Number(m?.[1]);
  if (!m || month < 1 || month > 12) throw new UsageError(`--expiry must be MM/YYYY, got ${text}`);
  return { month, year: Number(m[2]) };
}

export async function addMemberCommand(config: Config, logger: Logger, args: AddMemberArgs, out: (line: string) => void): Promise<void> {
  if (!args.sid || !args.member || !args.card) throw new UsageError(USAGE);
  if (!/^\d{14,19}$/.test(args.card)) throw new UsageError("--card must be 14 to 19 digits");
  const expiry = parseExpiry(args.expiry ?? `12/${new Date().getUTCFullYear() + 3}`);
  const core = await createCore(config, { logger, withStore: true });
  try {
    const merchant = await verifiedMerchant(core, args.sid);
    if (merchant.mode !== "test") {
      throw new AppError(
        "config_invalid",
        `merchant ${args.sid} is a live merchant: members from card numbers are for test mode only (live members are migrated with their UnivaPay tokens)`,
      );
    }
    const token = await registerCardMember(
      core.client,
      core.store!,
      merchant,
      {
        memberId: args.member,
        cardNumber: args.card,
        cardholder: args.holder ?? "TARO YAMADA",
        expMonth: expiry.month,
        expYear: expiry.year,
        cvv: args.cvv ?? "123",
        email: args.email ?? `${args.member}@example.com`,
      },
      new Date().toISOString(),
    );
    out(`member ${args.member} of merchant ${args.sid}: recurring token …${token.id.slice(-4)}, card …${args.card.slice(-4)}, CVV authorised`);
  } finally {
    await core.close();
  }
}
