/**
 * pino JSON logs. Redaction is by key path (secrets, tokens, card data) and, as a second net,
 * by value pattern for anything that looks like a PAN, because legacy requests arrive as raw
 * query strings that may carry card numbers under merchant-chosen names.
 */
import pino, { Logger } from "pino";

export type { Logger };

export const REDACT_PATHS = [
  "req.headers.authorization",
  "headers.authorization",
  "authorization",
  "*.authorization",
  "secret",
  "*.secret",
  "appToken",
  "*.appToken",
  "webhookToken",
  "*.webhookToken",
  "token",
  "*.token",
  "card_number",
  "*.card_number",
  "*.*.card_number",
  "cardNumber",
  "*.cardNumber",
  "cvv",
  "*.cvv",
  "*.*.cvv",
  "cardno",
  "*.cardno",
  "securitycode",
  "*.securitycode",
  "transaction_token_id",
  "*.transaction_token_id",
  "tokenId",
  "*.tokenId",
  "upcmemberid",
  "*.upcmemberid",
];

const PAN_LIKE = /\b\d{13,19}\b/g;

/** Masks digit runs that look like card numbers inside free text (e.g. a raw query string). */
export function maskPans(text: string): string {
  return text.replace(PAN_LIKE, (d) => `${d.slice(0, 6)}${"*".repeat(d.length - 10)}${d.slice(-4)}`);
}

export interface LoggerOptions {
  readonly level: string;
  readonly service?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to capture lines. */
  readonly destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { service: opts.service ?? "ccps-gateway" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination,
  );
}

/** A wrapper whose JSON form is always "[redacted]", so a secret can't leak through a log object. */
export class Secret {
  constructor(private readonly value: string) {}
  reveal(): string {
    return this.value;
  }
  toJSON(): string {
    return "[redacted]";
  }
  toString(): string {
    return "[redacted]";
  }
}
