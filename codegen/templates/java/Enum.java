{{ header }}
package io.cairn;

/**
{%- for line in doc %}
 *{% if !line.is_empty() %} {{ line }}{% endif %}
{%- endfor %}
 *
 * <p>On the wire a keyword ({@code ":{{ values[0].value }}"}).
 */
public enum {{ name }} implements WireValue {
{%- for v in values %}
    /**
{%- for line in v.doc %}
     * {{ line }}
{%- endfor %}
     */
    {{ v.constant }}("{{ v.value }}"){% if loop.last %};{% else %},{% endif %}
{%- endfor %}

    private final String keyword;

    {{ name }}(String keyword) {
        this.keyword = keyword;
    }

    /** @return the keyword's name, without the colon */
    public String keyword() {
        return keyword;
    }

    /** @return the wire form, {@code ":" + keyword()} */
    @Override
    public Object toWire() {
        return ":" + keyword;
    }

    /**
     * @param value a keyword string ({@code ":x"} or {@code "x"}), a {@link Keyword}, a constant or null
     * @return its constant, or null for null
     * @throws CairnException of kind {@code type} for any other value
     */
    public static {{ name }} fromWire(Object value) {
        if (value == null || value instanceof {{ name }}) {
            return ({{ name }}) value;
        }
        String s = value instanceof Keyword ? ((Keyword) value).name() : String.valueOf(value);
        if (s.startsWith(":")) {
            s = s.substring(1);
        }
        for ({{ name }} v : values()) {
            if (v.keyword.equals(s)) {
                return v;
            }
        }
        throw new CairnException(CairnException.Kind.TYPE, "not a {{ name }}: " + value);
    }
}
