{{ header }}
package io.cairn;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
{%- for line in doc %}
 *{% if !line.is_empty() %} {{ line }}{% endif %}
{%- endfor %}
 *
 * <p>A typed view of the wire value (a map with the keys below, see
 * {@link #toWire()}); accessors convert on each call.
{%- if let Some(op) = release %}
 * Closing it calls {@link Cairn#{{ op }}({{ name }})} once; use it in
 * try-with-resources.
{%- endif %}
 */
public final class {{ name }} implements WireValue{% if release.is_some() %}, AutoCloseable{% endif %} {
    private final Object raw;
{%- if release.is_some() %}
    private volatile boolean closed;
{%- endif %}

    private {{ name }}(Object raw) {
        this.raw = raw;
    }

    /**
     * @param value the wire value (as decoded from JSON), a {@code {{ name }}} or null
     * @return the typed view, or null for null
     */
    public static {{ name }} fromWire(Object value) {
        if (value == null || value instanceof {{ name }}) {
            return ({{ name }}) value;
        }
        return new {{ name }}(value);
    }
{% for f in fields %}
    /**
{%- for line in f.doc %}
     * {{ line }}
{%- endfor %}
     *
     * @return the value of {@code :{{ f.key }}}
     */
    public {{ f.ty }} {{ f.accessor }}() {
        return {{ f.conv }};
    }
{% endfor %}
    /** @return the wire value (a map of the keys above), as received */
    @Override
    public Object toWire() {
        return raw;
    }
{%- if let Some(op) = release %}

    /** @return whether {@link #close()} has been called */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Releases it through {@link Cairn#{{ op }}({{ name }})}; later calls do nothing.
     *
     * @throws CairnException when releasing fails
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Cairn.{{ op }}(this);
    }
{%- endif %}

    @Override
    public boolean equals(Object o) {
        return o instanceof {{ name }} && Objects.equals(raw, (({{ name }}) o).raw);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(raw);
    }

    @Override
    public String toString() {
        return "{{ name }}" + Json.encode(raw);
    }
}
