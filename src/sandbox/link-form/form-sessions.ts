/**
 * One-time form sessions, keyed by the nonce each rendered card form carries: what that page has
 * led to so far (nothing, a 3-D Secure challenge, a charge). A second submit of the same nonce
 * finds the first one's charge instead of making another: a submit moves the phase on before its
 * first await (token and charge creation are synchronous), so two at once cannot both pay. Sessions hold ids only,
 * never card data; they live in memory for 15 minutes of sandbox time and a bounded number are kept.
 */
import { randomBytes } from "node:crypto";
import { THREE_DS_WINDOW_MS } from "../processing/payment-processor";

/** As long as a 3-D Secure challenge may wait: a session outliving its charge's challenge is useless. */
export const FORM_SESSION_TTL_MS = THREE_DS_WINDOW_MS;
const MAX_SESSIONS = 10_000;

export type SessionPhase =
  { readonly kind: "open" } | { readonly kind: "three_ds"; readonly chargeId: string } | { readonly kind: "charged"; readonly chargeId: string };

export interface FormSession {
  readonly nonce: string;
  readonly formId: string;
  /** The query (canonical form) the page was rendered for: a post with another query is refused. */
  readonly query: string;
  readonly expiresAt: number;
  phase: SessionPhase;
}

export type SessionLookup = { readonly ok: true; readonly session: FormSession } | { readonly ok: false; readonly why: "unknown" | "other_form" };

export class FormSessions {
  private readonly sessions = new Map<string, FormSession>();

  constructor(private readonly now: () => number) {}

  open(formId: string, search: URLSearchParams): FormSession {
    this.sweep();
    const session: FormSession = {
      nonce: randomBytes(18).toString("base64url"),
      formId,
      query: canonicalQuery(search),
      expiresAt: this.now() + FORM_SESSION_TTL_MS,
      phase: { kind: "open" },
    };
    this.sessions.set(session.nonce, session);
    return session;
  }

  find(nonce: string, formId: string, search: URLSearchParams): SessionLookup {
    const session = this.sessions.get(nonce);
    if (!session || session.expiresAt <= this.now()) return { ok: false, why: "unknown" };
    if (session.formId !== formId || session.query !== canonicalQuery(search)) return { ok: false, why: "other_form" };
    return { ok: true, session };
  }

  /**
   * Drops the oldest sessions while they are expired or over the cap. Map order is creation order
   * and the sandbox clock never goes back, so expiry times only grow along the map.
   */
  private sweep(): void {
    const now = this.now();
    for (const [nonce, s] of this.sessions) {
      if (s.expiresAt > now && this.sessions.size < MAX_SESSIONS) break;
      this.sessions.delete(nonce);
    }
  }
}

/** Order-insensitive, encoding-insensitive form of a query, so a browser's re-encoding still matches. */
function canonicalQuery(search: URLSearchParams): string {
  return JSON.stringify([...search].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1)));
}
