/**
 * Test support: the live state behind a Sandbox, so a test can compare what a restart restored
 * with what the running sandbox holds, record for record (in state-file line form). createSandbox
 * registers each sandbox here; nothing else reads it and nothing here changes a sandbox.
 */
import type { IdempotencyStore } from "../idempotency";
import { snapshotLines } from "../persistence/state-lines";
import type { SandboxState } from "../state/sandbox-state";

interface Internals {
  readonly state: SandboxState;
  readonly idempotency: IdempotencyStore;
}

const registry = new WeakMap<object, Internals>();

export function registerSandboxInternals(sandbox: object, internals: Internals): void {
  registry.set(sandbox, internals);
}

/** Every record of the sandbox as state-file lines (card numbers masked as on disk). */
export function stateLinesOf(sandbox: object): string[] {
  const i = registry.get(sandbox);
  if (!i) throw new Error("not a sandbox made by createSandbox");
  return [...snapshotLines(i.state, i.idempotency)];
}
