{{ header -}}
"""Helpers for the JSON wire rule.

Arguments cross as JSON: object keys become keywords, strings starting
with ``:`` are keywords (``keyword("person/name")``), ``"\\:"`` escapes a
literal string starting with a colon (``literal_string(":x")``, and
``string_text`` reads one back), and what
plain JSON cannot say travels as a tagged object built by these helpers:
``inst(datetime)``, ``uuid(UUID)``, ``edn("[?x]")``, ``edn_set([..])``,
``edn_list([..])``. Results come back under the same rule: keywords as
``":kw"`` strings, instants as RFC 3339 strings (``parse_inst``), sets as
lists, map keys as plain strings.
"""

from __future__ import annotations

import datetime as _dt
import uuid as _uuid
from typing import Any, Iterable, TypeAlias

#: A tagged object such as ``{"#inst": "2024-01-01T00:00:00.000Z"}``.
TaggedValue: TypeAlias = dict[str, Any]


def keyword(name: str) -> str:
    """The wire form of the keyword ``name``: ``"person/name"`` → ``":person/name"``.

    A leading ``:`` is accepted (``keyword(":a") == ":a"``).

    Raises:
        ValueError: ``name`` is empty.
    """
    bare = name[1:] if name.startswith(":") else name
    if not bare:
        raise ValueError("a keyword needs a name")
    return ":" + bare


def literal_string(s: str) -> str:
    """A string value sent as itself even when it starts with ``:`` (which
    would otherwise make it a keyword): ``":x"`` → ``"\\:x"``."""
    return "\\" + s if s.startswith(":") else s


def string_text(s: str) -> str:
    """The text of a string in a result: ``"\\:x"`` (a string that starts
    with ``:``) is ``":x"``; keywords (``":x"``) and other strings are
    unchanged."""
    return s[1:] if s.startswith("\\:") else s


def is_keyword(v: Any) -> bool:
    """Whether a result value is a keyword (a string starting with ``:``)."""
    return isinstance(v, str) and len(v) > 1 and v.startswith(":")


def _utc(dt: _dt.datetime) -> _dt.datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=_dt.timezone.utc)
    return dt.astimezone(_dt.timezone.utc)


def format_inst(dt: _dt.datetime) -> str:
    """RFC 3339 text of an instant, UTC, millisecond precision (naive
    datetimes are taken as UTC)."""
    return _utc(dt).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def inst(value: _dt.datetime | str) -> TaggedValue:
    """An instant: ``{"#inst": "2024-01-01T00:00:00.000Z"}``.

    Args:
        value: A ``datetime`` (naive ones are UTC) or RFC 3339 text.

    Raises:
        ValueError: ``value`` is text that is not an RFC 3339 instant.
    """
    if isinstance(value, _dt.datetime):
        return {"#inst": format_inst(value)}
    return {"#inst": format_inst(parse_inst(value))}


def parse_inst(text: str) -> _dt.datetime:
    """The ``datetime`` (timezone-aware) of an instant in a result.

    Raises:
        ValueError: ``text`` is not an RFC 3339 instant.
    """
    dt = _dt.datetime.fromisoformat(text.replace("z", "Z"))
    return _utc(dt)


def uuid(value: _uuid.UUID | str) -> TaggedValue:
    """A UUID: ``{"#uuid": "..."}``.

    Raises:
        ValueError: ``value`` is text that is not a UUID.
    """
    return {"#uuid": str(value if isinstance(value, _uuid.UUID) else _uuid.UUID(value))}


def edn(text: str) -> TaggedValue:
    """Any EDN value given as text (symbols, doubles like ``1.0``, maps with
    non-keyword keys, a query): ``{"#edn": text}``."""
    return {"#edn": text}


def edn_set(items: Iterable[Any]) -> TaggedValue:
    """An EDN set: ``{"#set": [..]}`` (a Python ``set`` is sent the same way)."""
    return {"#set": list(items)}


def edn_list(items: Iterable[Any]) -> TaggedValue:
    """An EDN list: ``{"#list": [..]}``."""
    return {"#list": list(items)}
