{{ header -}}
//
// One type per named type of the spec that the TypeScript ops use, under
// the JSON wire rule: map keys are plain strings ("db/id"), keywords are
// strings starting with ":", longs are numbers when they fit in 2^53 and
// bigints otherwise, instants come back as RFC 3339 strings and sets as
// arrays.

{% if !imports.is_empty() %}import type { {{ imports }} } from "./wire.js";
{% endif %}
{% for d in decls %}
/**
{%- for line in d.doc %}
 *{% if !line.is_empty() %} {{ line }}{% endif %}
{%- endfor %}
 */
{% for line in d.body -%}
{{ line }}
{% endfor -%}
{% endfor -%}
