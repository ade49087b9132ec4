/**
 * The transition kinds the gateway knows, by name, by the operations.yaml action that selects
 * them, and by the webhook events they listen to. Checks at start that every row of the mapping
 * table is served by a kind, and gives each kind its say on its rows.
 */
import { AppError } from "../errors/app-error";
import type { MappingTable } from "../mapping";
import type { TransitionKind } from "./transition-kind";

export interface KindRegistry {
  get(name: string): TransitionKind | undefined;
  forAction(action: string): TransitionKind | undefined;
  forEvent(event: string): readonly TransitionKind[];
  all(): readonly TransitionKind[];
  /** Throws config_invalid listing every operations.yaml row no kind serves or its kind refuses. */
  assertCovers(table: MappingTable): void;
}

// Kinds are generic over their own plan and resource types; the registry holds them as one type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createKindRegistry(kinds: ReadonlyArray<TransitionKind<any, any>>): KindRegistry {
  const byName = new Map<string, TransitionKind>();
  const byAction = new Map<string, TransitionKind>();
  for (const k of kinds as readonly TransitionKind[]) {
    if (byName.has(k.name)) throw new AppError("config_invalid", `two transition kinds are called ${k.name}`);
    byName.set(k.name, k);
    for (const a of k.actions) {
      if (byAction.has(a)) throw new AppError("config_invalid", `action ${a} is served by two kinds`);
      byAction.set(a, k);
    }
  }
  const all = [...byName.values()];
  return {
    get: (name) => byName.get(name),
    forAction: (action) => byAction.get(action),
    forEvent: (event) => all.filter((k) => k.events.includes(event)),
    all: () => all,
    assertCovers(table) {
      const details = table.operations.rows.flatMap((row) => {
        const kind = byAction.get(row.action);
        if (!kind)
          return [
            { path: `operations.yaml ${row.id}`, message: `no transition kind serves action "${row.action}" (known: ${[...byAction.keys()].join(", ")})` },
          ];
        return kind.checkRow(row).map((message) => ({ path: `operations.yaml ${row.id}`, message }));
      });
      if (details.length > 0) throw new AppError("mapping_invalid", "operations.yaml names actions the gateway cannot run", { details });
    },
  };
}
