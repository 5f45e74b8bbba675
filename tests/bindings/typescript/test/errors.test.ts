// Errors carry the spec's kinds and HTTP statuses; token authentication.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  Cairn,
  CairnError,
  CairnLookupError,
  CairnNotFoundError,
  CairnSchemaError,
  CairnSyntaxError,
  CairnUniqueError,
  createClient,
  ERROR_CLASSES,
  ERROR_STATUS,
  TRANSPORT_ERROR_STATUS,
} from "@cairn/client";
import type { Config, Connection, ErrorKind, SpecErrorKind } from "@cairn/client";

import { startServer } from "./server.js";
import type { RunningServer } from "./server.js";

/** Asserts that `p` rejects with a CairnError of `kind` and `status`. */
async function rejectsWith(p: Promise<unknown>, kind: ErrorKind, status: number, cls: Function = CairnError): Promise<CairnError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof CairnError, `expected a CairnError, got ${String(caught)}`);
  assert.ok(caught instanceof cls, `expected a ${cls.name}, got ${caught.name}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.equal(caught.status, status, caught.message);
  assert.ok(caught.message.length > 0);
  return caught;
}

describe("errors", () => {
  let server: RunningServer;
  let client: Cairn;
  const cfg: Config = { store: { backend: ":memory", id: "ts-errors" } };
  let conn: Connection;
  before(async () => {
    server = await startServer();
    client = createClient({ url: `${server.url}/` });
    await client.createDatabase(cfg);
    conn = await client.connect(cfg);
    await client.transact(conn, [
      { "db/ident": ":email", "db/valueType": ":db.type/string", "db/cardinality": ":db.cardinality/one", "db/unique": ":db.unique/value" },
    ]);
    await client.transact(conn, [{ email: "a@example.com" }]);
  });
  after(async () => {
    await server.stop();
  });

  test("the status table and the classes come from the spec", () => {
    const kinds = Object.keys(ERROR_STATUS) as SpecErrorKind[];
    assert.deepEqual(kinds, ["schema", "unique", "lookup", "syntax", "type", "conflict", "storage", "not-found", "other"]);
    assert.equal(ERROR_STATUS.schema, 422);
    assert.equal(ERROR_STATUS["not-found"], 404);
    for (const k of kinds) {
      const e = CairnError.fromAnswer(ERROR_STATUS[k], { kind: k, message: "m" });
      assert.ok(e instanceof ERROR_CLASSES[k]);
      assert.equal(e.kind, k);
    }
    // The transport's own kinds come from the spec's :transport-errors table.
    assert.deepEqual(TRANSPORT_ERROR_STATUS, {
      unauthorized: 401,
      forbidden: 403,
      "method-not-allowed": 405,
      "request-timeout": 408,
      "payload-too-large": 413,
    });
    for (const [k, status] of Object.entries(TRANSPORT_ERROR_STATUS)) {
      const e = CairnError.fromAnswer(status, { kind: k, message: "m" });
      assert.equal(e.kind, k);
      assert.equal(e.status, status);
    }
    const unknown = CairnError.fromAnswer(500, { kind: "martian", message: "m" });
    assert.equal(unknown.kind, "protocol");
    assert.equal(CairnError.fromAnswer(502, "Bad gateway").kind, "protocol");
  });

  test("schema: an undeclared attribute (422)", async () => {
    const e = await rejectsWith(client.transact(conn, [{ undeclared: 1 }]), "schema", 422, CairnSchemaError);
    assert.match(e.message, /undeclared/);
    assert.equal(e.name, "CairnSchemaError");
  });

  test("unique: a second entity with the same unique value (409)", async () => {
    await rejectsWith(client.transact(conn, [{ email: "a@example.com" }]), "unique", 409, CairnUniqueError);
  });

  test("syntax: a malformed query, with its position (400)", async () => {
    const e = await rejectsWith(client.q("[:find ?x :where [?x"), "syntax", 400, CairnSyntaxError);
    assert.ok(e.pos !== undefined, "a syntax error carries its position");
    assert.equal(Number(e.pos.line), 1);
  });

  test("lookup: a lookup ref that names no entity (404)", async () => {
    await rejectsWith(
      client.transact(conn, [[":db/add", [":email", "nobody@example.com"], ":email", "x@example.com"]]),
      "lookup",
      404,
      CairnLookupError,
    );
  });

  test("not-found: connecting to a database that does not exist (404)", async () => {
    await rejectsWith(client.connect({ store: { backend: ":memory", id: "ts-errors-missing" } }), "not-found", 404, CairnNotFoundError);
  });

  test("a failed transaction changes nothing", async () => {
    const before = await client.db(conn);
    await assert.rejects(client.transact(conn, [{ email: "b@example.com" }, { undeclared: 2 }]), CairnSchemaError);
    const now = await client.db(conn);
    assert.equal(now["cairn/db"]["basis-tx"], before["cairn/db"]["basis-tx"]);
    assert.equal(await client.q("[:find ?e . :where [?e :email \"b@example.com\"]]", [now]), null);
  });

  test("client-side: values JSON cannot carry are refused before sending", async () => {
    await rejectsWith(client.q("[:find ?x . :in ?x]", [NaN]), "type", 0);
  });

  test("network: no server listening", async () => {
    const dead = await startServer();
    const url = dead.url;
    await dead.stop();
    const e = await rejectsWith(new Cairn(url).databaseExists(cfg), "network", 0);
    assert.ok(e.cause !== undefined);
  });

  test("a server built from another spec is refused, naming both hashes", async () => {
    const paths: string[] = [];
    // The real server, except that /health reports another spec hash.
    const otherSpec: typeof fetch = async (url, init) => {
      const res = await fetch(url, init);
      paths.push(new URL(String(url)).pathname);
      if (String(url).endsWith("/health")) {
        const h = (await res.json()) as Record<string, string>;
        return new Response(JSON.stringify({ ...h, "spec-hash": "0123456789abcdef0123456789abcdef" }), { status: 200 });
      }
      return res;
    };
    const stale = new Cairn({ url: server.url, fetch: otherSpec });
    const e = await rejectsWith(stale.databaseExists(cfg), "version", 0);
    assert.match(e.message, /0123456789abcdef0123456789abcdef/);
    assert.ok(e.message.includes(stale.specHash), e.message);
    // Every call fails the same way, without asking the server again.
    await rejectsWith(stale.q("[:find ?x . :in ?x]", [1]), "version", 0);
    assert.deepEqual(paths, ["/health"]);
    // checkServer: false skips the check (at the user's risk).
    const unchecked = new Cairn({ url: server.url, fetch: otherSpec, checkServer: false });
    assert.equal(await unchecked.q("[:find ?x . :in ?x]", [1]), 1);
    // The matching server passes the check once per client.
    paths.length = 0;
    const real: typeof fetch = async (url, init) => {
      paths.push(new URL(String(url)).pathname);
      return fetch(url, init);
    };
    const checked = new Cairn({ url: server.url, fetch: real });
    await checked.checkServer();
    assert.equal(await checked.q("[:find ?x . :in ?x]", [2]), 2);
    assert.equal(await checked.q("[:find ?x . :in ?x]", [3]), 3);
    assert.deepEqual(paths, ["/health", "/health", "/v1/q", "/v1/q"]);
  });

  test("a custom fetch is used, and a non-JSON answer is a protocol error", async () => {
    const seen: string[] = [];
    const fake = new Cairn({
      url: "http://cairn.invalid",
      token: "t0k",
      checkServer: false,
      fetch: async (url, init) => {
        seen.push(`${init.method} ${url} ${init.headers["Authorization"] ?? ""} ${init.body ?? ""}`);
        return { status: 502, ok: false, text: async () => "<html>bad gateway</html>" };
      },
    });
    await rejectsWith(fake.q("[:find ?x . :in ?x]", [1], undefined, 5), "protocol", 502);
    assert.deepEqual(seen, ['POST http://cairn.invalid/v1/q Bearer t0k ["[:find ?x . :in ?x]",[1],null,5]']);
  });
});

describe("token authentication", () => {
  let server: RunningServer;
  const cfg: Config = { store: { backend: ":memory", id: "ts-auth" } };
  before(async () => {
    server = await startServer(["--token", "s3cret"]);
  });
  after(async () => {
    await server.stop();
  });

  test("without a token: 401 unauthorized", async () => {
    await rejectsWith(new Cairn(server.url).databaseExists(cfg), "unauthorized", 401);
  });

  test("with a wrong token: 403 forbidden", async () => {
    await rejectsWith(new Cairn({ url: server.url, token: "wrong" }).databaseExists(cfg), "forbidden", 403);
  });

  test("with the token: calls go through; /health needs none", async () => {
    const client = new Cairn({ url: server.url, token: "s3cret" });
    assert.equal(await client.databaseExists(cfg), false);
    await client.createDatabase(cfg);
    assert.equal(await client.databaseExists(cfg), true);
    await client.deleteDatabase(cfg);
    const health = await new Cairn(server.url).health();
    assert.equal(health.status, "ok");
    assert.equal(health["spec-hash"], client.specHash);
  });
});
