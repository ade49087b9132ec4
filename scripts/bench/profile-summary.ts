/**
 * Summarises a V8 .cpuprofile (from --cpu-prof) into self time per package / source file and the
 * hottest functions, so the bench report can say where the gateway's CPU goes without a UI.
 */
import { readFileSync } from "node:fs";

interface CpuNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly CpuNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Share of non-idle time per package (node_modules/<pkg>), gateway source dir, or V8 bucket. */
  readonly byArea: ReadonlyArray<{ area: string; ms: number; pct: number }>;
  /** Inclusive: time with at least one frame of the area on the stack (async callers excluded). */
  readonly inclusiveByArea: ReadonlyArray<{ area: string; ms: number; pct: number }>;
  readonly topFunctions: ReadonlyArray<{ fn: string; ms: number; pct: number }>;
}

function areaOf(url: string, fn: string): string {
  if (url === "") return fn.startsWith("(") ? fn : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const src = /dist\/(src\/[^/]+|scripts)/.exec(url);
  if (src?.[1]) return src[1];
  return url.startsWith("node:") ? "node:" + (url.slice(5).split("/")[1] ?? url.slice(5)) : "(other)";
}

function top(m: Map<string, number>, busyMs: number, n: number): Array<{ key: string; ms: number; pct: number }> {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, us]) => ({ key, ms: Math.round(us / 1000), pct: Math.round((us / 1000 / busyMs) * 1000) / 10 }));
}

export function summarizeProfile(file: string, n = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const area = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const fns = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  let busyUs = 0;
  p.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = p.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === "(idle)") return;
    busyUs += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const a = areaOf(url, functionName);
    area.set(a, (area.get(a) ?? 0) + dt);
    const where = url === "" ? "" : ` ${url.replace(/^.*\/(node_modules|dist)\//, "$1/")}:${lineNumber + 1}`;
    const key = `${functionName || "(anonymous)"}${where}`;
    fns.set(key, (fns.get(key) ?? 0) + dt);
    const onStack = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const f = byId.get(n)?.callFrame;
      if (f) onStack.add(areaOf(f.url, f.functionName));
    }
    for (const s of onStack) inclusive.set(s, (inclusive.get(s) ?? 0) + dt);
  });
  const busyMs = busyUs / 1000;
  return {
    file,
    totalMs: Math.round(busyMs),
    byArea: top(area, busyMs, n).map(({ key, ms, pct }) => ({ area: key, ms, pct })),
    inclusiveByArea: top(inclusive, busyMs, 25).map(({ key, ms, pct }) => ({ area: key, ms, pct })),
    topFunctions: top(fns, busyMs, n).map(({ key, ms, pct }) => ({ fn: key, ms, pct })),
  };
}
