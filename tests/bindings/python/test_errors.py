"""Errors: every spec kind has its own class, raised from ``{"error": ..}``
answers with kind, message, position and data."""

from __future__ import annotations

import builtins

import pytest

import cairn

KINDS = ["schema", "unique", "lookup", "syntax", "type", "conflict", "storage", "not-found", "other"]


def test_one_class_per_kind_none_shadowing_builtins() -> None:
    assert sorted(cairn.ERROR_CLASSES) == sorted(KINDS)
    for kind, cls in cairn.ERROR_CLASSES.items():
        assert issubclass(cls, cairn.CairnError)
        assert cls.KIND == kind
        assert cls.__name__.startswith("Cairn") and cls.__name__.endswith("Error")
        assert not hasattr(builtins, cls.__name__)
        assert cls.__doc__ and kind in cls.__doc__
        assert getattr(cairn, cls.__name__) is cls
    assert cairn.ERROR_CLASSES["not-found"] is cairn.CairnNotFoundError


def test_error_from_wire() -> None:
    e = cairn.error_from_wire({"kind": "syntax", "message": "bad", "pos": {"line": 2, "col": 5}, "data": {"x": 1}})
    assert isinstance(e, cairn.CairnSyntaxError)
    assert (e.kind, e.message, e.pos, e.data) == ("syntax", "bad", {"line": 2, "col": 5}, {"x": 1})
    assert str(e) == "syntax: bad (line 2, column 5)"
    unknown = cairn.error_from_wire({"kind": "brand-new", "message": "m"})
    assert type(unknown) is cairn.CairnError and unknown.kind == "brand-new"
    assert cairn.error_from_wire("garbage").kind == "other"


@pytest.fixture
def conn(memory_config: cairn.Config) -> cairn.Connection:
    cairn.create_database(memory_config)
    c = cairn.connect(memory_config)
    c.transact(
        [
            {
                "db/ident": ":email",
                "db/valueType": ":db.type/string",
                "db/cardinality": ":db.cardinality/one",
                "db/unique": ":db.unique/value",
            }
        ]
    )
    return c


def test_schema_error(conn: cairn.Connection) -> None:
    with pytest.raises(cairn.CairnSchemaError) as e:
        cairn.transact(conn, [{"db/id": -1, "nope": 1}])
    assert e.value.kind == "schema" and "nope" in e.value.message


def test_unique_error(conn: cairn.Connection) -> None:
    conn.transact([{"email": "a@example.com"}])
    with pytest.raises(cairn.CairnUniqueError) as e:
        conn.transact([{"email": "a@example.com"}])
    assert e.value.kind == "unique"


def test_syntax_error_carries_the_position(conn: cairn.Connection) -> None:
    with pytest.raises(cairn.CairnSyntaxError) as e:
        cairn.q("[:find ?e :where [?e :email", [conn.db()])
    assert e.value.pos is not None and e.value.pos["line"] == 1


def test_lookup_error_carries_data(conn: cairn.Connection) -> None:
    with pytest.raises(cairn.CairnLookupError) as e:
        cairn.pull(conn.db(), ["*"], [":email", "nobody@example.com"])
    assert e.value.data is not None


def test_type_error_for_unsendable_arguments(conn: cairn.Connection) -> None:
    with pytest.raises(cairn.CairnTypeError):
        cairn.q("[:find ?x :in [?x ...]]", [[object()]])  # type: ignore[list-item]
    with pytest.raises(cairn.CairnTypeError):
        cairn.q("[:find ?x :in ?x]", [float("nan")])


def test_not_found(memory_config: cairn.Config) -> None:
    with pytest.raises(cairn.CairnError) as e:
        cairn.connect(memory_config)
    assert e.value.kind == "not-found"
    assert isinstance(e.value, cairn.CairnNotFoundError)
    with pytest.raises(cairn.CairnNotFoundError):
        cairn.call("no-such-op", [])
