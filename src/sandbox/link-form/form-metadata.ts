/**
 * The `metadata` parameter of the link form, in the widget's data-metadata syntax (§17.1.2):
 * comma-separated `key:"value"` pairs, e.g. `legacy-pid:"12345678",legacy-sid:"100001"`. Values may
 * also go unquoted (the link form's note: a GET value need not be quoted); inside a value `\,`, `\"`
 * and `\\` stand for `,`, `"` and `\`. Anything else — a key without a value, a repeated key, an
 * unknown escape, text after a closing quote — is refused rather than guessed at. The doc's
 * "several keys, one value" form (`a,b:"v"`) is not supported. Every value is a string.
 */
import type { Metadata } from "../state/models";

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ESCAPED: Readonly<Record<string, string>> = { ",": ",", '"': '"', "\\": "\\" };

export type MetadataParse = { readonly ok: true; readonly metadata: Metadata } | { readonly ok: false; readonly reason: string };

export function parseFormMetadata(text: string): MetadataParse {
  const metadata: Record<string, string> = {};
  let i = 0;
  for (;;) {
    const colon = text.indexOf(":", i);
    if (colon < 0) return fail(`「${text.slice(i).trim()}」に値（キー:"値"）がありません`);
    const key = text.slice(i, colon).trim();
    if (!KEY.test(key)) return fail(`キー「${key}」は使えません（英数字・ハイフン・下線・ドット、64文字まで）`);
    if (Object.prototype.hasOwnProperty.call(metadata, key)) return fail(`キー「${key}」が重複しています`);
    const value = readValue(text, skipSpaces(text, colon + 1));
    if (!value.ok) return fail(`キー「${key}」の値が不正です（${value.reason}）`);
    metadata[key] = value.value;
    i = skipSpaces(text, value.end);
    if (i >= text.length) return { ok: true, metadata };
    if (text[i] !== ",") return fail(`キー「${key}」の値の後に余分な文字があります`);
    i += 1;
  }
}

type ValueRead = { readonly ok: true; readonly value: string; readonly end: number } | { readonly ok: false; readonly reason: string };

/** One value from `start`: quoted up to its closing quote, or bare up to the next unescaped comma. */
function readValue(text: string, start: number): ValueRead {
  const quoted = text[start] === '"';
  let out = "";
  for (let i = quoted ? start + 1 : start; i < text.length; i++) {
    const ch = text[i] ?? "";
    if (ch === "\\") {
      const escaped = ESCAPED[text[i + 1] ?? ""];
      if (escaped === undefined) return { ok: false, reason: '「\\」の後は , " \\ のいずれかです' };
      out += escaped;
      i += 1;
    } else if (quoted && ch === '"') {
      return { ok: true, value: out, end: i + 1 };
    } else if (!quoted && ch === '"') {
      return { ok: false, reason: "引用符の位置が不正です" };
    } else if (!quoted && ch === ",") {
      return bare(out, i);
    } else {
      out += ch;
    }
  }
  if (quoted) return { ok: false, reason: "閉じる引用符がありません" };
  return bare(out, text.length);
}

/** An unquoted value may not be empty: `key:` is more likely a mistake than a wish for "". */
function bare(value: string, end: number): ValueRead {
  const v = value.trimEnd();
  return v === "" ? { ok: false, reason: "値がありません" } : { ok: true, value: v, end };
}

function skipSpaces(text: string, i: number): number {
  while (text[i] === " ") i++;
  return i;
}

function fail(reason: string): MetadataParse {
  return { ok: false, reason };
}
