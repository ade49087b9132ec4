/**
 * One gateway child for one database: SQLite in a temporary file, or PostgreSQL in a fresh schema
 * (startGateway's pgSchema) that dropDatabase() removes. Optionally CPU-profiled (--cpu-prof).
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { gatewayNodeFlags } from "./gateway-node-flags";
import type { BenchDb, BenchOptions } from "./options";
import type { GatewayHandlers } from "./gateway-proc";
import type { SqlStat } from "./sql-timing";
import { BENCH_MEMBER_ID, type BenchWorld } from "./setup";
import { spawnChild, type BenchChild } from "./spawn-child";
import type { UsageProbe } from "./usage";

/** Outside bench/results: .gitignore keeps only JSON out of git there, and profiles are large. */
export const PROFILE_DIR = join(tmpdir(), "gw-bench-profiles");

export interface BenchDatabase {
  readonly db: BenchDb;
  readonly databaseUrl: string;
  readonly pgSchema?: string;
  /** Removes the SQLite files or drops the PostgreSQL schema. */
  drop(): Promise<void>;
}

export function createBenchDatabase(db: BenchDb, pgUrl: string): BenchDatabase {
  const suffix = randomBytes(5).toString("hex");
  if (db === "sqlite") {
    const file = join(tmpdir(), `gw-bench-${suffix}.sqlite`);
    return {
      db,
      databaseUrl: `sqlite:${file}`,
      async drop() {
        for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      },
    };
  }
  const schema = `bench_${suffix}`;
  return {
    db,
    databaseUrl: pgUrl,
    pgSchema: schema,
    async drop() {
      const c = new Client({ connectionString: pgUrl });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** node flags that write <PROFILE_DIR>/<label>.cpuprofile when the process exits. */
export function profileArgs(label: string): string[] {
  return ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${label}.cpuprofile`];
}

export interface RunningGateway {
  readonly child: BenchChild<GatewayHandlers>;
  readonly url: string;
  /** The world's CPU probes plus this gateway's. */
  readonly probes: readonly UsageProbe[];
}

/** With --sql-timing: the gateway's costliest statements so far (else empty). */
export async function sqlTop(gw: RunningGateway, opts: Pick<BenchOptions, "sqlTiming">): Promise<SqlStat[]> {
  return opts.sqlTiming ? gw.child.rpc.call("sqlStats", null) : [];
}

export async function startBenchGateway(
  world: BenchWorld,
  database: BenchDatabase,
  opts: Pick<BenchOptions, "profile" | "sqlTiming">,
  background: boolean,
  label: string,
): Promise<RunningGateway> {
  const execArgv = [...gatewayNodeFlags(), ...(opts.profile ? profileArgs(label) : [])];
  const child = spawnChild<GatewayHandlers>("gateway-proc", execArgv);
  try {
    const { url } = await child.rpc.call("start", {
      databaseUrl: database.databaseUrl,
      ...(database.pgSchema ? { pgSchema: database.pgSchema } : {}),
      sandboxUrl: world.sandboxUrl,
      kickbackUrl: world.receiverUrl,
      merchants: world.merchants,
      memberId: BENCH_MEMBER_ID,
      background,
      sqlTiming: opts.sqlTiming,
    });
    return { child, url, probes: [...world.probes, { name: "gateway", sample: () => child.rpc.call("usage", null) }] };
  } catch (e) {
    await child.stop();
    throw e;
  }
}
