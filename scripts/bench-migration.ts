/**
 * `npm run bench:migration`: `npm run migrate -- members` as a merchant runs it (the compiled
 * command as a child process, on a fresh SQLite database) against an in-process sandbox with
 * UnivaPay's rate limits on, with a counting proxy in front of the sandbox. It measures rows/s
 * and checks/s against the route bucket's ceiling (each member row is one GET of its token), the
 * 429s UnivaPay answered, rows failed, and the migrator's RSS sampled from /proc. A dry run of a
 * large file measures reading alone (no API, no writes): rows/s and RSS at a million rows.
 *
 * `migrate autobillings --create` the same way, as a merchant runs it: the customers' cards mapped
 * as members first, then the auto-billings by upcmemberid, each row one POST /subscriptions
 * against the charge bucket (a mapped member's card is not fetched again), counted against its
 * ceiling.
 *
 * Options: --members N (default 100000), --creates N (default 10000, 0 skips), --scale F (the
 * sandbox's limits × F, default 1: the real 20 GETs/s and 50 creates/s), --parse-rows N (default
 * 1000000, 0 skips), --out DIR (default bench/results).
 * Writes DIR/migration-<timestamp>.json and DIR/migration-latest.json; Markdown on stdout.
 */
import { execFile, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { readEnvFile } from "../src/cli/env-file";
import { createSandbox } from "../src/sandbox/sandbox";
import { RATE_LIMITS } from "../src/sandbox/rate-limit";

const DIST = __dirname;

interface Options {
  members: number;
  creates: number;
  scale: number;
  parseRows: number;
  outDir: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { members: 100_000, creates: 10_000, scale: 1, parseRows: 1_000_000, outDir: "bench/results" };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ""];
    const n = Number(value);
    if (flag === "--out") o.outDir = value;
    else if (flag === "--members" && Number.isInteger(n) && n > 0) o.members = n;
    else if (flag === "--creates" && Number.isInteger(n) && n >= 0) o.creates = n;
    else if (flag === "--scale" && n > 0) o.scale = n;
    else if (flag === "--parse-rows" && Number.isInteger(n) && n >= 0) o.parseRows = n;
    else throw new Error(`bad option ${flag} ${value}: --members N --creates N --scale F --parse-rows N --out DIR`);
  }
  return o;
}

/** Counts what the sandbox answered, by method and status, per second of the run. */
function countingProxy(target: string) {
  const byStatus = new Map<string, number>();
  const okGetsPerSecond = new Map<number, number>();
  const createsPerSecond = new Map<number, number>();
  const t = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      const key = `${req.method ?? "?"} ${r.statusCode ?? 0}`;
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
      if (req.method === "GET" && r.statusCode === 200) {
        const s = Math.floor(Date.now() / 1000);
        okGetsPerSecond.set(s, (okGetsPerSecond.get(s) ?? 0) + 1);
      }
      if (req.method === "POST" && req.url === "/subscriptions" && r.statusCode === 201) {
        const s = Math.floor(Date.now() / 1000);
        createsPerSecond.set(s, (createsPerSecond.get(s) ?? 0) + 1);
      }
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  return { server, byStatus, okGetsPerSecond, createsPerSecond };
}

/** VmRSS of a live process in MB, or undefined once it is gone. */
function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Ran {
  code: number;
  stdout: string;
  seconds: number;
  rssMb: number[];
}

function runMigrate(args: string[], env: Record<string, string>): Promise<Ran> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(DIST, "migrate.js"), ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "ignore"],
  });
  let stdout = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  const samples: number[] = [];
  const timer = setInterval(() => {
    const mb = child.pid === undefined ? undefined : rssMb(child.pid);
    if (mb !== undefined) samples.push(Math.round(mb));
  }, 200);
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      clearInterval(timer);
      resolve({ code: code ?? 2, stdout, seconds: (performance.now() - started) / 1000, rssMb: samples });
    });
  });
}

const rssSummary = (s: number[]) => ({ first: s[0] ?? null, max: s.length ? Math.max(...s) : null, last: s[s.length - 1] ?? null, samples: s.length });

async function writeCsv(path: string, rows: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < rows; i++) if (!out.write(`${line(i)}\r\n`)) await new Promise((r) => out.once("drain", r));
  await new Promise<void>((r) => out.end(r));
}

/** Sustained rate: whole seconds after the burst is spent, the first and last seconds left out. */
function sustainedOf(counts: Map<number, number>): number | null {
  const perSecond = [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  const steady = perSecond.slice(3, -1);
  return steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : null;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const log = (msg: string) => process.stderr.write(`[bench:migration] ${msg}\n`);
  const dir = mkdtempSync(join(tmpdir(), "bench-migration-"));
  const sandbox = createSandbox({ settleDelayMs: 10, testChargeDailyLimit: null, rateLimitScale: opts.scale });
  const sandboxUrl = (await sandbox.listen(0, "127.0.0.1")).url;
  const proxy = countingProxy(sandboxUrl);
  await new Promise<void>((r) => proxy.server.listen(0, "127.0.0.1", r));
  const proxyUrl = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  try {
    const files = { merchants: join(dir, "merchants.yaml"), env: join(dir, "merchants.env") };
    await promisify(execFile)(process.execPath, [
      join(DIST, "ops.js"),
      "sandbox-merchant",
      "--sid",
      "500001",
      "--sandbox",
      sandboxUrl,
      "--merchants-file",
      files.merchants,
      "--env-out",
      files.env,
    ]);
    // The migrator talks to UnivaPay through the counting proxy.
    const env = {
      ...readEnvFile(files.env),
      UNIVAPAY_BASE_URL: proxyUrl,
      DATABASE_URL: `sqlite:${join(dir, "gateway.sqlite")}`,
      MAPPINGS_DIR: join(__dirname, "../../mappings"),
    };
    const storeId = /storeId:\s*"?([0-9a-f-]{36})/.exec(readFileSync(files.merchants, "utf8"))?.[1];
    if (!storeId) throw new Error("sandbox-merchant wrote no store id");

    log(`seeding ${opts.members} recurring tokens as UnivaPay's data migration made them`);
    const tokens = sandbox.migrateCards(storeId, opts.members);
    const membersCsv = join(dir, "members.csv");
    await writeCsv(membersCsv, opts.members, (i) => `member${i},${tokens[i]!}`);
    const ceilingPerSecond = (RATE_LIMITS.route.perMinute * opts.scale) / 60;
    log(`migrating ${opts.members} members; the route bucket allows ${ceilingPerSecond} GETs/s after a burst of ${RATE_LIMITS.route.burst * opts.scale}`);
    proxy.byStatus.clear();
    const ran = await runMigrate(["members", "--sid", "500001", "--file", membersCsv], env);
    const summary = JSON.parse(readFileSync(`${membersCsv}.results.summary.json`, "utf8")) as {
      rows: number;
      statuses: Record<string, number>;
      durationMs: number;
    };
    const sustained = sustainedOf(proxy.okGetsPerSecond);
    const members = {
      rows: summary.rows,
      statuses: summary.statuses,
      exitCode: ran.code,
      seconds: Number(ran.seconds.toFixed(1)),
      rowsPerSecond: Number((summary.rows / ran.seconds).toFixed(1)),
      ceilingGetsPerSecond: ceilingPerSecond,
      sustainedGetsPerSecond: sustained === null ? null : Number(sustained.toFixed(1)),
      ofCeiling: sustained === null ? null : Number((sustained / ceilingPerSecond).toFixed(3)),
      sandboxAnswers: Object.fromEntries(proxy.byStatus),
      rssMb: rssSummary(ran.rssMb),
    };
    log(JSON.stringify(members));

    let creates: Record<string, unknown> | null = null;
    if (opts.creates > 0) {
      // As a merchant does it: the customers' saved cards first (migrate members, GETs), then their
      // auto-billings by upcmemberid (creates only: a mapped member's card is not fetched again).
      log(`seeding ${opts.creates} CVV-authorized recurring tokens, mapped as members, for autobillings --create`);
      const cards = sandbox.migrateCards(storeId, opts.creates, undefined, { cvvAuthorized: true });
      const cardMembers = join(dir, "card-members.csv");
      await writeCsv(cardMembers, opts.creates, (i) => `cm${i},${cards[i]!}`);
      const mapped = await runMigrate(["members", "--sid", "500001", "--file", cardMembers], env);
      if (mapped.code !== 0) throw new Error(`migrate members of the auto-billings' cards exited ${mapped.code}`);
      const csv = join(dir, "autobillings.csv");
      const next = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
      await writeCsv(csv, opts.creates + 1, (i) => (i === 0 ? "acid,upcmemberid,actp,acam,next_date" : `AB${i},cm${i - 1},4,980,${next}`));
      proxy.byStatus.clear();
      proxy.okGetsPerSecond.clear();
      proxy.createsPerSecond.clear();
      const ranCreate = await runMigrate(["autobillings", "--create", "--sid", "500001", "--file", csv], env);
      const s = JSON.parse(readFileSync(`${csv}.results.summary.json`, "utf8")) as { rows: number; statuses: Record<string, number> };
      const getCeiling = (RATE_LIMITS.route.perMinute * opts.scale) / 60;
      const createCeiling = (RATE_LIMITS.charge.perMinute * opts.scale) / 60;
      const gets = sustainedOf(proxy.okGetsPerSecond);
      const posts = sustainedOf(proxy.createsPerSecond);
      creates = {
        rows: s.rows,
        statuses: s.statuses,
        exitCode: ranCreate.code,
        seconds: Number(ranCreate.seconds.toFixed(1)),
        rowsPerSecond: Number((s.rows / ranCreate.seconds).toFixed(1)),
        // A row of a mapped member is one POST: the charge bucket is the one that binds.
        ceilingRowsPerSecond: createCeiling,
        ceilingGetsPerSecond: getCeiling,
        sustainedGetsPerSecond: gets === null ? null : Number(gets.toFixed(1)),
        getsOfCeiling: gets === null ? null : Number((gets / getCeiling).toFixed(3)),
        ceilingCreatesPerSecond: createCeiling,
        sustainedCreatesPerSecond: posts === null ? null : Number(posts.toFixed(1)),
        createsOfCeiling: posts === null ? null : Number((posts / createCeiling).toFixed(3)),
        subscriptionsCreated: [...proxy.createsPerSecond.values()].reduce((a, b) => a + b, 0),
        sandboxAnswers: Object.fromEntries(proxy.byStatus),
        rssMb: rssSummary(ranCreate.rssMb),
      };
      log(JSON.stringify(creates));
    }

    let parse: Record<string, unknown> | null = null;
    if (opts.parseRows > 0) {
      // Reading alone: a dry run of a file whose every row fails validation (no API call, no write).
      const big = join(dir, "parse.csv");
      await writeCsv(big, opts.parseRows, (i) => `m${i},not-a-token-${i}`);
      log(`dry run over ${opts.parseRows} rows (reading, validation and the result file only)`);
      const dry = await runMigrate(["members", "--sid", "500001", "--file", big, "--dry-run"], env);
      parse = {
        rows: opts.parseRows,
        exitCode: dry.code,
        seconds: Number(dry.seconds.toFixed(1)),
        rowsPerSecond: Math.round(opts.parseRows / dry.seconds),
        rssMb: rssSummary(dry.rssMb),
      };
      log(JSON.stringify(parse));
    }

    const report = { startedAt: new Date().toISOString(), node: process.version, options: opts, members, creates, parse };
    mkdirSync(opts.outDir, { recursive: true });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    writeFileSync(join(opts.outDir, `migration-${report.startedAt.replace(/[:.]/g, "-")}.json`), json);
    writeFileSync(join(opts.outDir, "migration-latest.json"), json);
    process.stdout.write(
      [
        "| run | rows | rows/s | calls/s sustained | ceiling | of ceiling | 429s | failed | RSS max |",
        "|---|---|---|---|---|---|---|---|---|",
        `| migrate members at ${opts.scale}× UnivaPay's limits | ${members.rows} | ${members.rowsPerSecond} | ${members.sustainedGetsPerSecond ?? "–"} GETs | ${ceilingPerSecond} | ${members.ofCeiling === null ? "–" : `${(members.ofCeiling * 100).toFixed(1)} %`} | ${proxy.byStatus.get("GET 429") ?? 0} | ${summary.statuses["failed"] ?? 0} | ${members.rssMb.max ?? "–"} MB |`,
        creates
          ? `| autobillings --create at ${opts.scale}× | ${String(creates["rows"])} | ${String(creates["rowsPerSecond"])} | ${String(creates["sustainedCreatesPerSecond"] ?? "–")} creates | ${String(creates["ceilingCreatesPerSecond"])} | ${creates["createsOfCeiling"] === null ? "–" : `${((creates["createsOfCeiling"] as number) * 100).toFixed(1)} %`} | ${proxy.byStatus.get("GET 429") ?? 0}+${proxy.byStatus.get("POST 429") ?? 0} | ${(creates["statuses"] as Record<string, number>)["failed"] ?? 0} | ${String((creates["rssMb"] as { max: number | null }).max ?? "–")} MB |`
          : "",
        parse
          ? `| dry run, reading only | ${String(parse["rows"])} | ${String(parse["rowsPerSecond"])} | – | – | – | – | – | ${String((parse["rssMb"] as { max: number | null }).max ?? "–")} MB |`
          : "",
        "",
      ].join("\n"),
    );
  } finally {
    await new Promise<void>((r) => proxy.server.close(() => r()));
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
