"""A typed round trip on both backends: create, connect, transact with
tempids, query with inputs, pull, as-of, history, delete."""

from __future__ import annotations

import datetime as dt

import cairn

SCHEMA: cairn.TxData = [
    {
        "db/ident": cairn.keyword("person/name"),
        "db/valueType": ":db.type/string",
        "db/cardinality": ":db.cardinality/one",
        "db/unique": ":db.unique/identity",
    },
    {"db/ident": ":person/age", "db/valueType": ":db.type/long", "db/cardinality": ":db.cardinality/one"},
    {"db/ident": ":person/friend", "db/valueType": ":db.type/ref", "db/cardinality": ":db.cardinality/many"},
    {"db/ident": ":person/born", "db/valueType": ":db.type/instant", "db/cardinality": ":db.cardinality/one"},
]


def test_round_trip(config: cairn.Config) -> None:
    assert cairn.database_exists(config) is False
    created = cairn.create_database(config)
    assert created["store"]["backend"] == config["store"]["backend"]
    assert cairn.database_exists(config) is True

    with cairn.connect(config) as conn:
        assert isinstance(conn, cairn.Connection)
        assert conn.descriptor["branch"] == ":db"
        cairn.transact(conn, SCHEMA)
        born = dt.datetime(1990, 5, 17, 12, 30, tzinfo=dt.timezone.utc)
        report = cairn.transact(
            conn,
            [
                {"db/id": "ivan", "person/name": "Ivan", "person/age": 30, "person/born": born},
                {"db/id": -2, "person/name": "Petr", "person/age": 25, "person/friend": "ivan"},
                {"db/id": -3, "person/name": cairn.literal_string(":colon")},
            ],
        )
        ivan, petr = report["tempids"]["ivan"], report["tempids"]["-2"]
        assert isinstance(ivan, int) and isinstance(petr, int) and ivan != petr
        assert isinstance(report["db-after"], cairn.Db)
        assert isinstance(report["db-before"], cairn.Db)
        t1 = report["tx"]

        db = cairn.db(conn)
        # Query with a scalar input and a collection input.
        names = cairn.q(
            "[:find ?n . :in $ ?age :where [?e :person/age ?age] [?e :person/name ?n]]",
            [db, 30],
        )
        assert names == "Ivan"
        rows = cairn.q(
            cairn.edn("[:find ?n :in $ [?a ...] :where [?e :person/age ?a] [?e :person/name ?n]]"),
            [db, [25, 30]],
        )
        assert sorted(rows) == [["Ivan"], ["Petr"]]
        # Named optional argument only (offset omitted): sent by name.
        assert len(cairn.q("[:find ?n :where [_ :person/name ?n]]", [db], limit=1)) == 1
        # The colon string came back as itself, not as a keyword.
        assert cairn.q("[:find ?e . :in $ ?n :where [?e :person/name ?n]]", [db, "\\:colon"]) is not None

        pulled = cairn.pull(db, ["person/name", {"person/friend": ["person/name"]}], petr)
        assert pulled == {"person/name": "Petr", "person/friend": [{"person/name": "Ivan"}]}
        by_ref = db.pull(["person/age", "person/born"], [":person/name", "Ivan"])
        assert by_ref is not None and by_ref["person/age"] == 30
        assert cairn.parse_inst(by_ref["person/born"]) == born
        assert cairn.pull_many(db, ["person/name"], [ivan, petr]) == [
            {"person/name": "Ivan"},
            {"person/name": "Petr"},
        ]

        # A later change, then the database as of the first transaction.
        conn.transact([[":db/add", ivan, ":person/age", 31]])
        now = conn.db()
        assert cairn.q("[:find ?a . :in $ ?e :where [?e :person/age ?a]]", [now, ivan]) == 31
        then = cairn.as_of(now, t1)
        assert isinstance(then, cairn.Db) and then.descriptor["view"] == ":as-of"
        assert cairn.q("[:find ?a . :in $ ?e :where [?e :person/age ?a]]", [then, ivan]) == 30
        by_time = now.as_of(dt.datetime(2000, 1, 1))
        assert by_time.descriptor["view"] == ":as-of"
        assert cairn.parse_inst(by_time.descriptor["time-point"]) == dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
        ages = cairn.q("[:find ?a :in $ ?e :where [?e :person/age ?a]]", [now.history(), ivan])
        assert sorted(ages) == [[30], [31]]
        assert cairn.schema(now)["person/name"]["db/unique"] == ":db.unique/identity"
        datoms = cairn.datoms(now, ":eavt", [ivan, ":person/age"])
        assert len(datoms) == 1

    cairn.delete_database(config)
    assert cairn.database_exists(config) is False


def test_speculative_values_and_handles_as_plain_dicts(memory_config: cairn.Config) -> None:
    cfg: cairn.Config = {**memory_config, "schema-flexibility": ":read"}
    cairn.create_database(cfg)
    conn = cairn.connect(cfg)
    db = conn.db()
    report = cairn.with_tx(db, {"tx-data": [{"db/id": -1, "name": "Ghost"}], "tx-meta": {"why": "test"}})
    assert report["tx-meta"]["why"] == "test"
    spec = cairn.db_with(db, [{"db/id": -1, "name": "Ghost"}])
    assert cairn.q("[:find ?n . :where [_ :name ?n]]", [spec]) == "Ghost"
    assert cairn.q("[:find ?n . :where [_ :name ?n]]", [db]) is None
    # The functions take raw handle dicts too (e.g. read back from JSON).
    raw = dict(conn)
    assert type(raw) is dict
    cairn.transact(raw, [{"name": "Real"}])
    assert cairn.q("[:find ?n . :where [_ :name ?n]]", [cairn.db(raw)]) == "Real"
    cairn.release(conn)
    cairn.delete_database(cfg)
