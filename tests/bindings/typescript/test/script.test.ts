// The shared binding script (tests/bindings/README.md): every case meant
// for TypeScript runs through the typed methods of the generated client
// against a real server and the transcript goes to CAIRN_BINDING_TRANSCRIPT
// (compare.py checks it against the Rust runtime's expected.json).
//
// CAIRN_BINDING_SCRIPT names script.json; without it the script is made
// here with `cargo run -p cairn-tests --bin binding-script`.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { Cairn, CairnError, OPERATIONS, parseJson, SPEC_HASH, stringifyJson } from "@cairn/client";
import type { OperationName, WireValue } from "@cairn/client";

import { REPO, startServer } from "./server.js";
import type { RunningServer } from "./server.js";

type Step = {
  op: string;
  args: WireValue[];
  save?: string;
  bind?: { [name: string]: (string | number)[] };
};
type Case = { id: string; targets: string[]; steps: Step[] };
type Entry = { ok: WireValue } | { error: string };

function scriptPath(): string {
  const given = process.env["CAIRN_BINDING_SCRIPT"];
  if (given !== undefined && given !== "") {
    return given;
  }
  const out = mkdtempSync(join(tmpdir(), "cairn-ts-script-"));
  const manifest = join(REPO, "Cargo.toml");
  const r = spawnSync("cargo", ["run", "-q", "--manifest-path", manifest, "-p", "cairn-tests", "--bin", "binding-script", "--", out], {
    cwd: out,
    stdio: ["ignore", "inherit", "inherit"],
  });
  assert.equal(r.status, 0, "binding-script failed");
  return join(out, "script.json");
}

class Unbound extends Error {}

/** `args` with every `{"$var": name}` replaced by its value. */
function resolveVars(v: WireValue, vars: Map<string, WireValue>): WireValue {
  if (Array.isArray(v)) {
    return v.map((x) => resolveVars(x, vars));
  }
  if (v !== null && typeof v === "object" && !(v instanceof Date)) {
    const keys = Object.keys(v);
    const name = v["$var"];
    if (keys.length === 1 && typeof name === "string") {
      const found = vars.get(name);
      if (found === undefined) {
        throw new Unbound(name);
      }
      return found;
    }
    const out: { [key: string]: WireValue } = {};
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined) {
        out[k] = resolveVars(x, vars);
      }
    }
    return out;
  }
  return v;
}

/** The value at `path` of `v` (object keys as strings, array indexes as numbers). */
function at(v: WireValue, path: (string | number)[]): WireValue | undefined {
  let cur: WireValue | undefined = v;
  for (const k of path) {
    if (Array.isArray(cur) && typeof k === "number") {
      cur = cur[k];
    } else if (cur !== null && typeof cur === "object" && !Array.isArray(cur) && !(cur instanceof Date)) {
      cur = cur[String(k)];
    } else {
      return undefined;
    }
  }
  return cur;
}

type Method = (...args: WireValue[]) => Promise<WireValue>;

/** The client's typed method for a spec op name (dynamic dispatch by generated name). */
function methodFor(client: Cairn, op: string): Method {
  if (!Object.hasOwn(OPERATIONS, op)) {
    throw new Error(`op ${op} is not exposed to TypeScript`);
  }
  const name = OPERATIONS[op as OperationName].method;
  const f = (client as unknown as { [m: string]: unknown })[name];
  if (typeof f !== "function") {
    throw new Error(`Cairn has no method ${name}`);
  }
  return (f as Method).bind(client);
}

async function runCase(client: Cairn, c: Case): Promise<Entry[]> {
  const vars = new Map<string, WireValue>();
  const entries: Entry[] = [];
  for (const step of c.steps) {
    let args: WireValue[];
    try {
      args = step.args.map((a) => resolveVars(a, vars));
    } catch (e) {
      if (e instanceof Unbound) {
        entries.push({ error: "unbound" });
        continue;
      }
      throw e;
    }
    try {
      const result = await methodFor(client, step.op)(...args);
      if (step.save !== undefined) {
        vars.set(step.save, result);
      }
      for (const [name, path] of Object.entries(step.bind ?? {})) {
        const v = at(result, path);
        if (v !== undefined) {
          vars.set(name, v);
        }
      }
      entries.push({ ok: result });
    } catch (e) {
      if (e instanceof CairnError) {
        entries.push({ error: e.kind });
      } else {
        throw e;
      }
    }
  }
  return entries;
}

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

test("the binding script's TypeScript cases give the Rust runtime's transcript", async () => {
  const path = scriptPath();
  const script = parseJson(readFileSync(path, "utf8")) as unknown as { "spec-hash": string; cases: Case[] };
  assert.equal(script["spec-hash"], SPEC_HASH, "script.json was made from another spec");
  const cases = script.cases.filter((c) => c.targets.includes("typescript"));
  assert.ok(cases.length > 0, "no case targets typescript");
  const client = new Cairn({ url: server.url });
  const transcript: { binding: string; cases: { [id: string]: Entry[] } } = { binding: "typescript", cases: {} };
  for (const c of cases) {
    transcript.cases[c.id] = await runCase(client, c);
  }
  const out = process.env["CAIRN_BINDING_TRANSCRIPT"] || join(mkdtempSync(join(tmpdir(), "cairn-ts-transcript-")), "transcript.json");
  writeFileSync(out, stringifyJson(transcript) + "\n");
  // Every case ran every step (compare.py, run by tests/bindings/run.sh or
  // ./run.sh, checks the values against the Rust runtime's).
  const written = parseJson(readFileSync(out, "utf8")) as unknown as typeof transcript;
  for (const c of cases) {
    assert.equal(written.cases[c.id]?.length, c.steps.length, `${c.id}: one entry per step`);
  }
});
