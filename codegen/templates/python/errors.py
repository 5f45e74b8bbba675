{{ header -}}
"""Errors: :class:`CairnError` and one subclass per error kind of the spec.

Every failed call raises the subclass of its kind; ``kind``, ``message``,
``pos`` (``{"line": .., "col": ..}`` for syntax errors) and ``data`` carry
the runtime's error as data.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional


class CairnError(Exception):
    """An error the runtime answered with.

    Attributes:
        kind: The error kind (``schema``, ``unique``, ``not-found``, ...).
        message: What went wrong, naming the offending value.
        pos: The position in the input (``{"line": .., "col": ..}``), if any.
        data: Structured details, if any.
    """

    KIND: str = ""

    def __init__(
        self,
        kind: str,
        message: str,
        pos: Optional[Mapping[str, int]] = None,
        data: Any = None,
    ) -> None:
        super().__init__(kind, message, pos, data)
        self.kind = kind
        self.message = message
        self.pos = dict(pos) if pos is not None else None
        self.data = data

    def __str__(self) -> str:
        where = ""
        if self.pos:
            where = f" (line {self.pos.get('line')}, column {self.pos.get('col')})"
        return f"{self.kind}: {self.message}{where}"
{% for e in errors %}

class {{ e.class }}(CairnError):
    {{ e.docstring() }}

    KIND = "{{ e.kind }}"
{% endfor %}

#: The class of each error kind.
ERROR_CLASSES: dict[str, type[CairnError]] = {
{%- for e in errors %}
    "{{ e.kind }}": {{ e.class }},
{%- endfor %}
}


def error_from_wire(err: Any) -> CairnError:
    """The exception for an ``{"error": {...}}`` answer's error map."""
    if not isinstance(err, Mapping):
        return CairnError("other", f"malformed error answer: {err!r}")
    kind = str(err.get("kind", "other"))
    cls = ERROR_CLASSES.get(kind, CairnError)
    pos = err.get("pos")
    return cls(
        kind,
        str(err.get("message", "")),
        pos if isinstance(pos, Mapping) else None,
        err.get("data"),
    )


class CairnLibraryError(ImportError):
    """The cairn-ffi library is missing, cannot be loaded, or reports another
    ABI version or spec hash than this package was generated for."""
