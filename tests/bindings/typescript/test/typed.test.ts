// A typed round trip through every kind of op (create, connect, transact,
// q, pull, pull-many, entity, datoms, time views, schema, metrics, export
// and import, delete), with compile-time checks that the generated types
// refuse what the spec does not allow (`@ts-expect-error` lines fail the
// build when a type is too loose).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { Cairn, edn, keyword, OPERATIONS, SPEC_HASH } from "@cairn/client";
import type {
  Config,
  Connection,
  Db,
  EntityMap,
  IndexName,
  Keyword,
  Long,
  Metrics,
  OperationName,
  QueryStats,
  TxReport,
} from "@cairn/client";

import { REPO, startServer } from "./server.js";
import type { RunningServer } from "./server.js";

let server: RunningServer;
let cairn: Cairn;
before(async () => {
  server = await startServer();
  cairn = new Cairn({ url: server.url });
});
after(async () => {
  await server.stop();
});

/** Compile-time checks only: never called. */
export function typeChecks(c: Cairn, db: Db, conn: Connection): void {
  // @ts-expect-error an index is one of the enum's keywords
  void c.datoms(db, ":vaet");
  // @ts-expect-error a keyword is a string starting with ":"
  const k: Keyword = "name";
  // @ts-expect-error a database value is not a connection
  void c.transact(db, []);
  // @ts-expect-error a connection is not a database value
  void c.pull(conn, ["*"], 1);
  // @ts-expect-error a required argument cannot be left out
  void c.asOf(db);
  // @ts-expect-error ops that do not cross HTTP are not methods (with, listen)
  void c.with(db, []);
  // @ts-expect-error a store backend is one of the enum's keywords
  const cfg: Config = { store: { backend: ":postgres" } };
  // @ts-expect-error the result of q is not a string
  const s: Promise<string> = c.q("[:find ?e :where [?e :a]]");
  const i: IndexName = ":avet";
  const l: Long = 9007199254740993n;
  void [k, cfg, s, i, l];
}

test("the client exposes exactly the remote ops, by their camelCase names", () => {
  const names = Object.keys(OPERATIONS) as OperationName[];
  assert.ok(names.includes("database-exists?") && names.includes("pull-many"));
  assert.ok(!(names as string[]).includes("with") && !(names as string[]).includes("listen"));
  assert.equal(OPERATIONS["database-exists?"].method, "databaseExists");
  assert.equal(OPERATIONS["pull-many"].path, "/v1/pull-many");
  for (const n of names) {
    assert.equal(typeof (cairn as unknown as { [m: string]: unknown })[OPERATIONS[n].method], "function", n);
  }
});

test("a typed round trip: create, connect, transact, query, pull, time views, delete", async () => {
  const cfg: Config = { store: { backend: ":memory", id: "ts-typed" }, "keep-history?": true };
  assert.equal(await cairn.databaseExists(cfg), false);
  const created: Config = await cairn.createDatabase(cfg);
  assert.equal(created["schema-flexibility"], ":write");
  const conn: Connection = await cairn.connect(cfg);
  assert.equal(conn["cairn/connection"].branch, ":db");

  const schema: TxReport = await cairn.transact(conn, [
    { "db/ident": ":person/name", "db/valueType": ":db.type/string", "db/cardinality": ":db.cardinality/one", "db/unique": ":db.unique/identity" },
    { "db/ident": ":person/age", "db/valueType": ":db.type/long", "db/cardinality": ":db.cardinality/one", "db/index": true },
    { "db/ident": ":person/friend", "db/valueType": ":db.type/ref", "db/cardinality": ":db.cardinality/many" },
  ]);
  const afterSchema: Long = schema.tx;

  const report = await cairn.transact(conn, {
    "tx-data": [
      { "db/id": "ivan", "person/name": "Ivan", "person/age": 30, "person/friend": "petr" },
      { "db/id": "petr", "person/name": "Petr", "person/age": 25 },
    ],
    "tx-meta": { "db/doc": "typed-test" },
  });
  const ivan = report.tempids["ivan"];
  const petr = report.tempids["petr"];
  assert.ok(ivan !== undefined && petr !== undefined);
  assert.equal(typeof report.tx, "number");
  const meta = report["tx-meta"];
  assert.ok(meta !== null && typeof meta === "object" && !Array.isArray(meta) && !(meta instanceof Date));
  assert.equal(meta["db/doc"], "typed-test");

  const db: Db = report["db-after"];
  assert.equal(db["cairn/db"]["basis-tx"], report.tx);

  // Queries: text, data, named inputs, paging, statistics, plans.
  assert.deepEqual(await cairn.q("[:find ?n . :in $ ?e :where [?e :person/name ?n]]", [db, ivan]), "Ivan");
  // As data, symbols are EDN (a JSON string is a string).
  const n = edn("?n");
  const names = await cairn.q([":find", n, ":where", [edn("_"), ":person/name", n]], [db]);
  assert.deepEqual(new Set(names as string[][]), new Set([["Ivan"], ["Petr"]]));
  const page = await cairn.q({ find: [n], where: [[edn("_"), ":person/name", n]] }, [db], 0, 1);
  assert.equal((page as unknown[]).length, 1);
  const stats: QueryStats = await cairn.queryStats("[:find ?n :where [?e :person/name ?n] [?e :person/age 30]]", [db]);
  assert.deepEqual(stats.ret, [["Ivan"]]);
  assert.equal(stats.stats.length, 2);
  assert.equal(typeof (await cairn.explain("[:find ?n :where [?e :person/name ?n]]", [db])), "string");

  // Pull, pull-many, entity, by id, lookup ref and ident.
  const pulled: EntityMap | null = await cairn.pull(db, [":person/name", { ":person/friend": [":person/name"] }], ivan);
  assert.deepEqual(pulled, { "person/name": "Ivan", "person/friend": [{ "person/name": "Petr" }] });
  const many = await cairn.pullMany(db, [":person/age"], [ivan, [":person/name", "Petr"]]);
  assert.deepEqual(many, [{ "person/age": 30 }, { "person/age": 25 }]);
  assert.deepEqual(await cairn.entity(db, [":person/name", "Petr"], ":person/_friend"), [{ "db/id": ivan }]);
  assert.deepEqual(await cairn.entity(db, ":person/name"), await cairn.entity(db, keyword("person/name")));

  // Indexes.
  const idx: IndexName = ":avet";
  const byAge = await cairn.indexRange(db, ":person/age", 26, null);
  assert.equal(byAge.length, 1);
  assert.ok((await cairn.datoms(db, idx, [":person/age"])).length === 2);
  assert.ok((await cairn.seekDatoms(db, ":aevt", [":person/name"])).length >= 2);
  assert.ok((await cairn.rseekDatoms(db, ":aevt", [":person/name"])).length >= 1);

  // Time views: as-of a tx (a bigint time point works too), since, history.
  await cairn.transact(conn, [[":db/retract", ivan, ":person/age", 30]]);
  const now = await cairn.db(conn);
  assert.equal(await cairn.q("[:find ?a . :in $ ?e :where [?e :person/age ?a]]", [now, ivan]), null);
  const then: Db = await cairn.asOf(now, report.tx);
  assert.equal(then["cairn/db"].view, ":as-of");
  assert.equal(await cairn.q("[:find ?a . :in $ ?e :where [?e :person/age ?a]]", [then, ivan]), 30);
  const thenBig = await cairn.asOf(now, BigInt(report.tx));
  assert.equal(await cairn.q("[:find ?a . :in $ ?e :where [?e :person/age ?a]]", [thenBig, ivan]), 30);
  const since = await cairn.since(now, afterSchema);
  assert.deepEqual(new Set(await cairn.q("[:find [?n ...] :where [_ :person/name ?n]]", [since]) as string[]), new Set(["Ivan", "Petr"]));
  const history = await cairn.history(now);
  const ages = await cairn.q("[:find ?a ?added :in $ ?e :where [?e :person/age ?a _ ?added]]", [history, ivan]);
  assert.deepEqual(new Set((ages as unknown[][]).map((r) => JSON.stringify(r))), new Set(["[30,true]", "[30,false]"]));
  const asOfNow = await cairn.asOf(now, new Date());
  assert.equal(asOfNow["cairn/db"].view, ":as-of");

  // Schema and diagnostics.
  const sch = await cairn.schema(now);
  assert.ok("person/name" in sch);
  const rev = await cairn.reverseSchema(now);
  assert.ok(Object.keys(rev).length > 0);
  const metrics: Metrics = await cairn.metrics(now);
  assert.ok(Number(metrics.count) > 0);

  // Export and import (paths are the server's, relative to its working directory).
  const exported = await cairn.exportDb(now, "typed-export.edn");
  assert.ok(Number(exported.datoms) > 0);
  const cfg2: Config = { store: { backend: ":memory", id: "ts-typed-import" } };
  await cairn.createDatabase(cfg2);
  const conn2 = await cairn.connect(cfg2);
  const imported = await cairn.importDb(conn2, "typed-export.edn", ":edn");
  assert.equal(imported.datoms, exported.datoms);
  assert.equal(await cairn.q("[:find ?n . :where [?e :person/name ?n] [?e :person/age 25]]", [await cairn.db(conn2)]), "Petr");
  const gc = await cairn.gcStorage(conn2);
  assert.equal(typeof gc.kept, "number");

  // Release and delete.
  assert.equal(await cairn.release(conn2), null);
  await cairn.deleteDatabase(cfg2);
  assert.equal(await cairn.release(conn), null);
  assert.equal(await cairn.deleteDatabase(cfg), null);
  assert.equal(await cairn.databaseExists(cfg), false);
});

test("the generated package type-checks with tsc --strict --noEmit and has no `any`", () => {
  const pkg = join(REPO, "generated/typescript");
  const tsc = join(REPO, "tests/bindings/typescript/node_modules/.bin/tsc");
  const r = spawnSync(tsc, ["-p", pkg, "--strict", "--noEmit"], { encoding: "utf8" });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  for (const dir of ["src", "dist"]) {
    for (const f of readdirSync(join(pkg, dir)).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(join(pkg, dir, f), "utf8");
      assert.doesNotMatch(text, /(:|<|as|\|)\s*any\b/, `${dir}/${f} uses any`);
    }
  }
  assert.match(readFileSync(join(pkg, "package.json"), "utf8"), new RegExp(SPEC_HASH));
});
