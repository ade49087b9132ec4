/**
 * A bad state file gives ONE clear error: it names the file and what is wrong, says that deleting
 * the file starts a fresh sandbox, and shows no zod internals. A bad file is never silently
 * replaced by a fresh sandbox, and the failed open leaves no lock behind.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createManualClock, createSandbox, StateFileError } from "../../../src/sandbox/sandbox";

describe("bad state files", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sandbox-bad-"));
    file = join(dir, "state.json");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A valid file of a closed sandbox, as lines. */
  async function validLines(): Promise<string[]> {
    const s = createSandbox({ stateFile: file, clock: createManualClock() });
    await s.close();
    return readFileSync(file, "utf8").trimEnd().split("\n");
  }

  function openError(): StateFileError {
    let caught: unknown;
    try {
      createSandbox({ stateFile: file });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StateFileError);
    const e = caught as StateFileError;
    expect(e.message).toContain(file);
    expect(e.message).toContain("Delete the file to start a fresh sandbox");
    expect(e.message).not.toMatch(/\n|Zod|"code"|"path"|\[\s*\{/);
    // Not left locked: the same error again, not "in use".
    expect(() => createSandbox({ stateFile: file })).toThrow(StateFileError);
    // And never quietly replaced.
    return e;
  }

  it.each([
    ["not JSON", "hello world\n", /is not valid JSON \(line 1\)/],
    ["some other JSON", '{"name":"not ours"}\n', /is not a sandbox state file/],
    ["empty", "", /is empty/],
  ])("%s", (_name, content, message) => {
    writeFileSync(file, content);
    expect(openError().message).toMatch(message);
    expect(readFileSync(file, "utf8")).toBe(content);
  });

  it("an unknown version", async () => {
    const [header, ...rest] = await validLines();
    writeFileSync(file, [JSON.stringify({ ...JSON.parse(header ?? "{}"), version: 2 }), ...rest, ""].join("\n"));
    expect(openError().message).toMatch(/has format version 2, but this sandbox reads version 1 only/);
  });

  it("a record that fails the schema", async () => {
    const lines = await validLines();
    const i = lines.findIndex((l) => l.includes('"t":"store"'));
    const store = JSON.parse(lines[i] ?? "{}") as { v: Record<string, unknown> };
    lines[i] = JSON.stringify({ ...store, v: { ...store.v, mode: "sideways" } });
    writeFileSync(file, `${lines.join("\n")}\n`);
    expect(openError().message).toMatch(new RegExp(`is damaged: line ${i + 1} \\(store\\) is invalid: v\\.mode: `));
  });

  it("a full card number that is not a test card", async () => {
    const lines = await validLines();
    const token = {
      t: "token",
      v: {
        id: "t1",
        seq: 99,
        storeId: "s",
        merchantId: "m",
        mode: "test",
        type: "one_time",
        usageLimit: null,
        email: "a@b.c",
        metadata: {},
        ipAddress: null,
        card: { number: "5555555555554444", cardholder: "A B", expMonth: 1, expYear: 2099, brand: "mastercard" },
        billing: { line1: null, line2: null, state: null, city: null, country: null, zip: null, phoneNumber: null },
        cvvAuthorize: { enabled: false, status: null, chargeId: null, currency: null },
        active: true,
        createdAt: 0,
        updatedAt: 0,
        lastUsedAt: null,
        cvvSuppliedAt: 0,
      },
    };
    lines.splice(lines.length - 1, 0, JSON.stringify(token));
    writeFileSync(file, `${lines.join("\n")}\n`);
    expect(openError().message).toMatch(/\(token\) is invalid: v\.card\.number: is neither a documented test card nor a masked card number/);
  });

  it("a damaged line followed by a complete batch", async () => {
    const lines = await validLines();
    lines.splice(1, 0, "{not json");
    writeFileSync(file, `${lines.join("\n")}\n`);
    expect(openError().message).toMatch(/is damaged: line 2 is not valid JSON/);
  });

  it("an unknown record type", async () => {
    const lines = await validLines();
    lines.splice(1, 0, JSON.stringify({ t: "wallet", v: {} }));
    writeFileSync(file, `${lines.join("\n")}\n`);
    expect(openError().message).toMatch(/line 2 has an unknown record type "wallet"/);
  });

  it("a header without any complete batch", async () => {
    const [header] = await validLines();
    writeFileSync(file, `${header ?? ""}\n`);
    expect(openError().message).toMatch(/holds no complete snapshot/);
  });

  it("a file that cannot be read", () => {
    mkdirSync(file);
    expect(openError().message).toMatch(/cannot be read \(EISDIR/);
  });
});
