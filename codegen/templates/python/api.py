{{ header -}}
"""One function per operation of the API spec, over the C ABI.

Arguments go positionally in the spec's order; optional ones are keyword
arguments defaulting to ``None`` and are not sent when ``None``. Every
function raises a :class:`cairn.CairnError` subclass when the runtime
refuses the call.
"""

from __future__ import annotations

from typing import Optional, Mapping, Sequence, cast

from . import _native
from .types import (
{%- for t in types %}
    {{ t }},
{%- endfor %}
)
{%- for op in ops %}


{{ op.def(false) }}
    {{ op.docstring() }}
{%- if op.returns_none %}
    _native.call_op(
        "{{ op.spec_name }}",
        {{ op.wire_names() }},
        {{ op.values() }},
        {{ op.required }},
    )
{%- else %}
    return cast(
        "{{ op.ret }}",
        _native.call_op(
            "{{ op.spec_name }}",
            {{ op.wire_names() }},
            {{ op.values() }},
            {{ op.required }},
        ),
    )
{%- endif %}
{%- endfor %}


__all__ = [
{%- for op in ops %}
    "{{ op.name }}",
{%- endfor %}
]
