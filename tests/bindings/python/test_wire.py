"""The wire-rule helpers, alone and through the runtime."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

import cairn

ECHO = "[:find ?x . :in ?x]"


def echo(value: cairn.Value) -> cairn.Value:
    """The value as the runtime reads it and sends it back."""
    return cairn.q(ECHO, [value])


def test_keyword() -> None:
    assert cairn.keyword("person/name") == ":person/name"
    assert cairn.keyword(":person/name") == ":person/name"
    with pytest.raises(ValueError):
        cairn.keyword("")
    with pytest.raises(ValueError):
        cairn.keyword(":")
    assert echo(cairn.keyword("a/b")) == ":a/b"


def test_literal_string() -> None:
    assert cairn.literal_string(":x") == "\\:x"
    assert cairn.literal_string("x:") == "x:"
    # A literal colon string stays a string (results escape it the same way).
    assert echo(cairn.literal_string(":x")) == "\\:x"
    assert cairn.q("[:find ?k . :in ?x :where [(keyword? ?x) ?k]]", [cairn.literal_string(":x")]) is False
    assert cairn.q("[:find ?k . :in ?x :where [(keyword? ?x) ?k]]", [":x"]) is True


def test_string_text_and_is_keyword() -> None:
    assert cairn.string_text(echo(cairn.literal_string(":x"))) == ":x"
    assert cairn.string_text("plain") == "plain"
    assert cairn.string_text(":kw") == ":kw"
    assert cairn.is_keyword(echo(cairn.keyword("a/b")))
    assert not cairn.is_keyword(echo(cairn.literal_string(":x")))
    assert not cairn.is_keyword(":")
    assert not cairn.is_keyword(3)


def test_inst_and_parse_inst() -> None:
    aware = dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert cairn.inst(aware) == {"#inst": "2024-01-02T01:04:05.678Z"}
    assert cairn.inst(dt.datetime(2024, 1, 1)) == {"#inst": "2024-01-01T00:00:00.000Z"}
    assert cairn.inst("2024-01-01T00:00:00Z") == {"#inst": "2024-01-01T00:00:00.000Z"}
    with pytest.raises(ValueError):
        cairn.inst("yesterday")
    back = echo(cairn.inst(aware))
    assert back == "2024-01-02T01:04:05.678Z"
    assert cairn.parse_inst(back) == aware
    assert cairn.parse_inst(back).tzinfo is not None
    # A datetime argument is sent as an instant without the helper.
    assert echo(aware) == back
    with pytest.raises(ValueError):
        cairn.parse_inst("not a time")


def test_uuid() -> None:
    u = uuid.UUID("6f1c1a52-8c5e-4b59-9b8a-1d6d2f0b7a11")
    assert cairn.uuid(u) == {"#uuid": str(u)}
    assert cairn.uuid(str(u).upper()) == {"#uuid": str(u)}
    with pytest.raises(ValueError):
        cairn.uuid("nope")
    assert echo(cairn.uuid(u)) == str(u)
    assert echo(u) == str(u)
    assert cairn.q("[:find ?k . :in ?x :where [(uuid? ?x) ?k]]", [u]) is True


def test_edn_and_collections() -> None:
    assert cairn.edn("[?x]") == {"#edn": "[?x]"}
    assert echo(cairn.edn("1.0")) == 1.0
    assert echo(cairn.edn("{1 2}")) == {"1": 2}
    assert cairn.edn_set([1, 2]) == {"#set": [1, 2]}
    assert sorted(echo(cairn.edn_set([2, 1]))) == [1, 2]
    assert sorted(echo({3, 4})) == [3, 4]
    assert cairn.q("[:find ?k . :in ?x :where [(set? ?x) ?k]]", [cairn.edn_set([1])]) is True
    assert cairn.edn_list([1]) == {"#list": [1]}
    assert echo(cairn.edn_list([1, 2])) == [1, 2]
    assert cairn.q("[:find ?k . :in ?x :where [(list? ?x) ?k]]", [cairn.edn_list([1])]) is True


def test_integers_are_exact() -> None:
    for n in (2**53 + 1, 2**63 - 1, -(2**63), 2**64 - 1):
        assert echo(n) == n
