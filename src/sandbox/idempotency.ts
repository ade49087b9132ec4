/**
 * Idempotency-Key handling of §1.6: the first POST/PATCH with a key stores its response for 24 h of
 * sandbox time; a repeat on the same method+path replays it without reprocessing (even with another
 * body, as documented best-effort); the same key on another method or path is a conflict. A repeat
 * that arrives while the first is still running waits for it. Keys are scoped per store. Stored
 * responses can be exported and restored (the state file keeps them across restarts); requests
 * still running are never exported.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type IdempotencyStatus = "disabled" | "successfully_stored" | "retrieved_idempotent_response" | "error" | "conflicting_key";

export interface StoredResponse {
  readonly status: number;
  /** The JSON body as sent, or null for an empty body. */
  readonly body: unknown;
}

/** A stored response as the state file keeps it. */
export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly createdAt: number;
  readonly response: StoredResponse;
}

interface Entry {
  readonly scope: string;
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly createdAt: number;
  response: StoredResponse | null;
  readonly done: Promise<void>;
  readonly release: () => void;
}

export type IdempotencyBegin =
  | { readonly kind: "new"; readonly complete: (r: StoredResponse | null) => void }
  | { readonly kind: "replay"; readonly response: StoredResponse }
  | { readonly kind: "conflict" };

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  /** Told the entry id of each response stored (the state file's change tracking); null = nobody listens. */
  onStored: ((id: string) => void) | null = null;
  constructor(
    private readonly now: () => number,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  /**
   * Starts a keyed request. "new": process it, then call complete(response) — or complete(null)
   * when the outcome must not be cached (5xx), which frees the key for a retry.
   */
  async begin(scope: string, key: string, method: string, path: string): Promise<IdempotencyBegin> {
    const id = `${scope}\u0000${key}`;
    for (;;) {
      const existing = this.live(id);
      if (!existing) break;
      if (existing.method !== method || existing.path !== path) return { kind: "conflict" };
      if (existing.response) return { kind: "replay", response: existing.response };
      await existing.done;
    }
    let release: () => void = () => undefined;
    const done = new Promise<void>((r) => (release = r));
    const entry: Entry = { scope, key, method, path, createdAt: this.now(), response: null, done, release };
    this.entries.set(id, entry);
    return {
      kind: "new",
      complete: (r) => {
        if (r) {
          entry.response = r;
          this.onStored?.(id);
        } else this.entries.delete(id);
        entry.release();
      },
    };
  }

  /** The stored, unexpired response of entry `id` (as onStored names it), or undefined. */
  record(id: string): IdempotencyRecord | undefined {
    const e = this.entries.get(id);
    return e && e.response && this.now() - e.createdAt < this.ttlMs ? toRecord(e, e.response) : undefined;
  }

  /** Every stored, unexpired response, oldest first, with its entry id. */
  *records(): IterableIterator<[string, IdempotencyRecord]> {
    for (const [id, e] of this.entries) {
      if (e.response && this.now() - e.createdAt < this.ttlMs) yield [id, toRecord(e, e.response)];
    }
  }

  /** Loads responses stored by an earlier process; expired ones are dropped. */
  restore(records: Iterable<IdempotencyRecord>): void {
    for (const r of records) {
      if (this.now() - r.createdAt >= this.ttlMs) continue;
      this.entries.set(`${r.scope}\u0000${r.key}`, { ...r, done: Promise.resolve(), release: () => undefined });
    }
  }

  private live(id: string): Entry | undefined {
    const e = this.entries.get(id);
    if (e && e.response && this.now() - e.createdAt >= this.ttlMs) {
      this.entries.delete(id);
      return undefined;
    }
    return e;
  }
}

function toRecord(e: Entry, response: StoredResponse): IdempotencyRecord {
  return { scope: e.scope, key: e.key, method: e.method, path: e.path, createdAt: e.createdAt, response };
}
