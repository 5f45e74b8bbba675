// The wire rule in the client: the exact-integer JSON parser and
// serializer, the tagged-value helpers, and 64-bit integers through a real
// server.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  Cairn,
  CairnError,
  edn,
  ednList,
  ednSet,
  inst,
  isKeyword,
  keyword,
  literalString,
  parseJson,
  stringText,
  stringifyJson,
  uuid,
} from "@cairn/client";
import type { Config, Connection, Db, Keyword, WireValue } from "@cairn/client";

import { startServer } from "./server.js";
import type { RunningServer } from "./server.js";

describe("parseJson", () => {
  test("keeps safe integers as numbers and others as exact bigints", () => {
    assert.deepEqual(parseJson("[9007199254740991, -9007199254740991, 0, -0, 12]"), [
      9007199254740991, -9007199254740991, 0, -0, 12,
    ]);
    assert.deepEqual(parseJson("[9007199254740992, 9007199254740993, -9223372036854775808, 9223372036854775807, 18446744073709551615]"), [
      9007199254740992n,
      9007199254740993n,
      -9223372036854775808n,
      9223372036854775807n,
      18446744073709551615n,
    ]);
  });
  test("reads floats as numbers, also when they are large", () => {
    assert.deepEqual(parseJson("[1.5, -2.5e3, 1e400, 9007199254740993.0, 1E2]"), [1.5, -2500, Infinity, 9007199254740992, 100]);
  });
  test("reads strings, escapes, nesting and the __proto__ key as data", () => {
    const v = parseJson('{"a": ["x\\"y", "\\u00e9\\n", "\\ud83d\\ude00", true, false, null], "__proto__": {"b": 1}, "": {}}');
    assert.deepEqual(Object.keys(v as object), ["a", "__proto__", ""]);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual((v as { a: WireValue }).a, ['x"y', "é\n", "😀", true, false, null]);
    assert.deepEqual(stringifyJson(v), '{"a":["x\\"y","é\\n","😀",true,false,null],"__proto__":{"b":1},"":{}}');
  });
  test("refuses malformed JSON with a protocol error", () => {
    for (const bad of ["", "[1,]", "{\"a\" 1}", "01", "1.", "-", "[1 2]", "\"abc", "tru", "{} x", "\"a\u0001\"", "[\"\\x\"]"]) {
      assert.throws(() => parseJson(bad), (e: unknown) => e instanceof CairnError && e.kind === "protocol", bad);
    }
  });
  test("refuses nesting deeper than 512 instead of overflowing the stack", () => {
    assert.throws(() => parseJson("[".repeat(100_000)), CairnError);
  });
});

describe("stringifyJson", () => {
  test("writes bigints as bare integer literals and round-trips them exactly", () => {
    const v = [9007199254740993n, -9223372036854775808n, 1n, { n: 18446744073709551615n }];
    const text = stringifyJson(v);
    assert.equal(text, '[9007199254740993,-9223372036854775808,1,{"n":18446744073709551615}]');
    assert.deepEqual(parseJson(text), [9007199254740993n, -9223372036854775808n, 1, { n: 18446744073709551615n }]);
  });
  test("writes a Date as an instant and leaves out undefined entries", () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
    assert.equal(stringifyJson({ at: d, gone: undefined, list: [undefined, 1] }), '{"at":{"#inst":"2024-01-02T03:04:05.006Z"},"list":[null,1]}');
  });
  test("refuses what JSON cannot carry", () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    for (const bad of [NaN, Infinity, () => 1, Symbol("s"), new Map(), cyclic, new Date(NaN)]) {
      assert.throws(() => stringifyJson(bad), (e: unknown) => e instanceof CairnError && e.kind === "type");
    }
  });
  test("allows the same object twice when it is not a cycle", () => {
    const shared = { a: 1 };
    assert.equal(stringifyJson([shared, shared]), '[{"a":1},{"a":1}]');
  });
});

describe("helpers", () => {
  test("build the wire rule's tagged values", () => {
    const k: Keyword = keyword("person/name");
    assert.equal(k, ":person/name");
    assert.equal(keyword(":a"), ":a");
    assert.throws(() => keyword(""), CairnError);
    assert.deepEqual(inst(new Date(Date.UTC(2024, 0, 1))), { "#inst": "2024-01-01T00:00:00.000Z" });
    assert.deepEqual(inst(0), { "#inst": "1970-01-01T00:00:00.000Z" });
    assert.deepEqual(inst("2024-01-01T00:00:00Z"), { "#inst": "2024-01-01T00:00:00.000Z" });
    assert.throws(() => inst("not a time"), CairnError);
    assert.deepEqual(uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), { "#uuid": "6ba7b810-9dad-11d1-80b4-00c04fd430c8" });
    assert.deepEqual(edn("#{1 2}"), { "#edn": "#{1 2}" });
    assert.deepEqual(ednSet(new Set([1, 2])), { "#set": [1, 2] });
    assert.deepEqual(ednList([1, ":a"]), { "#list": [1, ":a"] });
    assert.equal(literalString(":not-a-keyword"), "\\:not-a-keyword");
    assert.equal(literalString("plain"), "plain");
    assert.equal(stringText("\\:x"), ":x");
    assert.equal(stringText(":x"), ":x");
    assert.ok(isKeyword(":x"));
    assert.ok(!isKeyword("x") && !isKeyword(":") && !isKeyword(1));
  });
});

describe("through a server", () => {
  let server: RunningServer;
  let client: Cairn;
  const cfg: Config = { store: { backend: ":memory", id: "ts-wire" } };
  let conn: Connection;
  before(async () => {
    server = await startServer();
    client = new Cairn({ url: server.url });
    await client.createDatabase(cfg);
    conn = await client.connect(cfg);
    await client.transact(conn, [
      { "db/ident": ":big", "db/valueType": ":db.type/long", "db/cardinality": ":db.cardinality/one" },
      { "db/ident": ":label", "db/valueType": ":db.type/string", "db/cardinality": ":db.cardinality/one" },
      { "db/ident": ":at", "db/valueType": ":db.type/instant", "db/cardinality": ":db.cardinality/one" },
      { "db/ident": ":id", "db/valueType": ":db.type/uuid", "db/cardinality": ":db.cardinality/one" },
      { "db/ident": ":ratio", "db/valueType": ":db.type/double", "db/cardinality": ":db.cardinality/one" },
    ]);
  });
  after(async () => {
    try {
      await client.deleteDatabase(cfg);
    } finally {
      await server.stop();
    }
  });

  test("integers beyond 2^53 round-trip exactly as args, data and results", async () => {
    const big = [9007199254740993n, -9223372036854775808n, 9223372036854775807n];
    const report = await client.transact(conn, big.map((b, i) => ({ "db/id": -(i + 1), big: b })));
    const db: Db = report["db-after"];
    // As query inputs and results.
    const found = await client.q("[:find ?e . :in $ ?v :where [?e :big ?v]]", [db, -9223372036854775808n]);
    assert.equal(found, report.tempids["-2"]);
    const all = await client.q("[:find [?v ...] :where [_ :big ?v]]", [db]);
    assert.deepEqual(new Set(all as WireValue[]), new Set(big));
    // In pulled entities.
    const e = report.tempids["-1"];
    assert.ok(e !== undefined);
    assert.deepEqual(await client.pull(db, [":big"], e), { big: 9007199254740993n });
    // A safe integer stays a number.
    assert.equal(typeof (await client.q("[:find ?x . :in ?x]", [9007199254740991])), "number");
    assert.equal(await client.q("[:find ?x . :in ?x]", [9007199254740992n]), 9007199254740992n);
  });

  test("instants, UUIDs, sets, lists, EDN and literal strings cross as tagged values", async () => {
    const at = new Date(Date.UTC(2024, 5, 1, 12, 0, 0, 250));
    const id = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    const report = await client.transact(conn, [
      { "db/id": -1, label: literalString(":colon"), at, id: uuid(id), ratio: edn("1.0") },
    ]);
    const e = report.tempids["-1"];
    assert.ok(e !== undefined);
    const got = await client.pull(report["db-after"], ["*"], e);
    assert.ok(got !== null);
    assert.equal(got["label"], "\\:colon");
    assert.equal(stringText(got["label"] as string), ":colon");
    assert.equal(got["at"], "2024-06-01T12:00:00.250Z");
    assert.equal(got["id"], id);
    assert.equal(got["ratio"], 1);
    // An instant as an inst() tag finds the same entity.
    assert.equal(await client.q("[:find ?e . :in $ ?t :where [?e :at ?t]]", [report["db-after"], inst(at)]), e);
    assert.deepEqual(await client.q("[:find ?x . :in ?x]", [ednSet([3, 1])]), [1, 3]);
    assert.deepEqual(await client.q("[:find ?x . :in ?x]", [ednList([1, 2])]), [1, 2]);
    assert.equal(await client.q("[:find ?x . :in ?x]", [edn("sym")]), "sym");
  });
});
