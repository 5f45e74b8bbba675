{{ header -}}
{{ self.docstring() }}

from ._native import (
    ABI_VERSION,
    SPEC_HASH,
    Handle,
    call,
    check_library,
    find_library,
    library_path,
    load_library,
)
from .api import *  # noqa: F403
from .errors import (
    CairnError,
    CairnLibraryError,
    ERROR_CLASSES,
    error_from_wire,
{%- for e in errors %}
    {{ e }},
{%- endfor %}
)
from .types import *  # noqa: F403
from .wire import (
    TaggedValue,
    edn,
    edn_list,
    edn_set,
    format_inst,
    inst,
    is_keyword,
    keyword,
    literal_string,
    parse_inst,
    string_text,
    uuid,
)

#: Each operation's spec name with the name of its function here.
OP_NAMES: dict[str, str] = {
{%- for (spec, py) in op_names %}
    {{ spec }}: {{ py }},
{%- endfor %}
}

__all__ = [
    "ABI_VERSION",
    "SPEC_HASH",
    "Handle",
    "OP_NAMES",
    "call",
    "check_library",
    "find_library",
    "library_path",
    "load_library",
    "CairnError",
    "CairnLibraryError",
    "ERROR_CLASSES",
    "error_from_wire",
{%- for e in errors %}
    "{{ e }}",
{%- endfor %}
    "TaggedValue",
    "edn",
    "edn_list",
    "edn_set",
    "format_inst",
    "inst",
    "is_keyword",
    "keyword",
    "literal_string",
    "parse_inst",
    "string_text",
    "uuid",
{%- for f in functions %}
    "{{ f }}",
{%- endfor %}
{%- for t in types %}
    "{{ t }}",
{%- endfor %}
]
