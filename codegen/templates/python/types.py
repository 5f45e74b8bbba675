{{ header -}}
"""The named types of the API spec that the Python functions use.

Maps are ``TypedDict``s keyed by their wire keys (``"db-before"``), enums
``Literal`` aliases of keyword strings, variants ``Union`` aliases, handles
``dict`` subclasses holding the runtime's descriptor (with a method per
operation that takes the handle first), scalars and vectors aliases.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, ClassVar, Literal, NotRequired, Optional, TypeAlias, TypedDict, Union
from typing import Mapping, Sequence
from uuid import UUID

from ._native import Handle, register_handle
from .wire import TaggedValue
{% for t in types %}
{%- if t.kind == "handle" %}


@register_handle
class {{ t.name }}(Handle):
    {{ t.docstring(4) }}

    TAG: ClassVar[str] = {{ t.tag }}
{%- if t.releasable %}

    def __enter__(self) -> {{ t.name }}:
        return self

    def __exit__(self, *exc: object) -> None:
        _api.release(self)
{%- endif %}
{%- for i in t.methods %}
{%- let op = ops[*i] %}

    {{ op.def(true) }}
        {{ op.method_docstring() }}
        return _api.{{ op.name }}({{ op.rest_args() }})
{%- endfor %}
{%- elif t.kind == "typeddict" %}


{{ t.name }} = TypedDict(
    "{{ t.name }}",
    {
{%- for f in t.fields %}
        {{ f.key }}: {{ f.ty }},
{%- endfor %}
    },
)
{{ t.name }}.__doc__ = {{ t.docstring(0) }}
{%- else %}


{{ t.name }}: TypeAlias = {{ t.alias }}
{{ t.docstring(0) }}
{%- endif %}
{%- endfor %}


__all__ = [
{%- for t in types %}
    "{{ t.name }}",
{%- endfor %}
]

from . import api as _api  # noqa: E402  (handle methods call the functions)
