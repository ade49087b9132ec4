/**
 * The card fields of a token request, checked as the old script checked them before sending
 * (token-js.md §2), now on the server too: a self-hosted copy of the old script, or a page that
 * skips the script, must not get further than the script would. The first failing check's code
 * is the answer. Pure; the card number is never part of an error.
 */
import type { TokenResultCode } from "./token-result-codes";

export type TokenMethod = "token" | "member" | "memberTag";

export interface TokenCard {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvv: string | null;
  readonly firstName: string;
  readonly lastName: string;
}

export interface TokenMember {
  readonly memberId: string | null;
  readonly memberCode: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly tagName: string | null;
}

export type CheckedFields = { ok: true; card: TokenCard; member: TokenMember } | { ok: false; code: TokenResultCode };

const NAME = /^[A-Za-z]{1,50}$/;
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const orNull = (s: string | undefined) => (s === undefined || s === "" ? null : s);

/** The fields in wire order: cardno|expire|securitycode|holderfirstname|holderlastname, then for
 *  members memberid|membercode|email|phonenumber, then for tags tagname. */
export function splitPayload(method: TokenMethod, payload: string): string[] | null {
  const parts = payload.split("|");
  const want = method === "token" ? 5 : method === "member" ? 9 : 10;
  return parts.length === want ? parts : null;
}

function checkExpiry(raw: string, now: Date): { month: number; year: number } | TokenResultCode {
  if (raw === "") return "110";
  if (!/^\d+$/.test(raw)) return "111";
  if (raw.length !== 4 && raw.length !== 6) return "112";
  let month = Number(raw.slice(0, 2));
  if (month === 99) month = 12;
  if (month < 1 || month > 12) return "113";
  const year = raw.length === 4 ? 2000 + Number(raw.slice(2)) : Number(raw.slice(2));
  // Valid through the end of its month, in Japan (where the cards were issued to be used).
  const jst = new Date(now.getTime() + 9 * 3_600_000);
  const current = jst.getUTCFullYear() * 12 + jst.getUTCMonth();
  if (year * 12 + (month - 1) < current) return "114";
  return { month, year };
}

export function checkTokenFields(method: TokenMethod, f: readonly string[], now: Date): CheckedFields {
  const fail = (code: TokenResultCode): CheckedFields => ({ ok: false, code });
  const number = (f[0] ?? "").replace(/\s/g, "");
  if (number === "") return fail("100");
  if (!/^\d+$/.test(number)) return fail("101");
  if (number.length < 13 || number.length > 16) return fail("102");
  const exp = checkExpiry(f[1] ?? "", now);
  if (typeof exp === "string") return fail(exp);
  const cvv = f[2] ?? "";
  if (cvv !== "" && !/^\d+$/.test(cvv)) return fail("121");
  if (cvv !== "" && (cvv.length < 3 || cvv.length > 4)) return fail("122");
  const first = (f[3] ?? "").replace(/\s/g, "");
  const last = (f[4] ?? "").replace(/\s/g, "");
  // UnivaPay needs a cardholder with a surname (LAST_NAME_REQUIRED), so both names are required
  // for every method, not only getToken as in the old script.
  if (first === "") return fail("132");
  if (!NAME.test(first)) return fail("131");
  if (last === "") return fail("134");
  if (!NAME.test(last)) return fail("133");
  const card: TokenCard = { number, expMonth: exp.month, expYear: exp.year, cvv: cvv === "" ? null : cvv, firstName: first, lastName: last };
  const member: TokenMember = { memberId: orNull(f[5]), memberCode: orNull(f[6]), email: orNull(f[7]), phone: orNull(f[8]), tagName: orNull(f[9]) };
  if (method === "token") return { ok: true, card, member: { memberId: null, memberCode: null, email: null, phone: null, tagName: null } };
  if ((member.memberId?.length ?? 0) > 32) return fail("304");
  if ((member.memberCode?.length ?? 0) > 32) return fail("309");
  if (member.email !== null && member.email.length > 100) return fail("306");
  if (member.email !== null && !EMAIL.test(member.email)) return fail("305");
  if (member.phone !== null && !/^\d+$/.test(member.phone)) return fail("307");
  if (member.phone !== null && (member.phone.length < 8 || member.phone.length > 20)) return fail("308");
  if (method === "memberTag") {
    if (member.tagName === null) return fail("310");
    if (!/^[A-Za-z0-9]+$/.test(member.tagName)) return fail("311");
    if (member.tagName.length > 32) return fail("312");
  }
  return { ok: true, card, member };
}
