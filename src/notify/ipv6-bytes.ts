/**
 * Parses an IPv6 literal (any textual form: compressed, with a trailing dotted quad, with a zone)
 * into its 16 bytes, so the URL guard can look inside addresses that carry an IPv4 address
 * (NAT64, 6to4, IPv4-compatible). Pure; returns undefined for anything that is not IPv6.
 */
import { isIP } from "node:net";

function dottedQuad(text: string): number[] | undefined {
  if (isIP(text) !== 4) return undefined;
  return text.split(".").map(Number);
}

function groupsOf(part: string): number[] | undefined {
  if (part === "") return [];
  const out: number[] = [];
  const pieces = part.split(":");
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i] as string;
    if (i === pieces.length - 1 && p.includes(".")) {
      const q = dottedQuad(p);
      if (!q) return undefined;
      out.push(((q[0] as number) << 8) | (q[1] as number), ((q[2] as number) << 8) | (q[3] as number));
    } else {
      if (!/^[0-9a-f]{1,4}$/i.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
  }
  return out;
}

export function ipv6Bytes(address: string): Uint8Array | undefined {
  const plain = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIP(plain) !== 6) return undefined;
  const halves = plain.split("::");
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0] ?? "");
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}
