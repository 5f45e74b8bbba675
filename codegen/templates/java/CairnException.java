{{ header }}
package io.cairn;

import java.util.Map;

/**
 * A failed operation: its {@link #kind()} (one of the spec's error kinds,
 * the same in every binding and transport), the message naming the
 * offending value, the position of a parse error ({@link #line()},
 * {@link #col()}) and any extra {@link #data()}. Each kind has a subclass
 * ({@code CairnException.Schema}, {@code CairnException.NotFound}, ...), so
 * callers can catch one kind.
 */
public class CairnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The error kinds of the spec. */
    public enum Kind {
{%- for k in kinds %}
        /** {{ k.doc }} HTTP status {{ k.status }}. */
        {{ k.constant }}("{{ k.name }}", {{ k.status }}){% if loop.last %};{% else %},{% endif %}
{%- endfor %}

        private final String wireName;
        private final int httpStatus;

        Kind(String wireName, int httpStatus) {
            this.wireName = wireName;
            this.httpStatus = httpStatus;
        }

        /** @return the kind as it crosses boundaries ({@code "not-found"}) */
        public String wireName() {
            return wireName;
        }

        /** @return the HTTP status the server answers this kind with */
        public int httpStatus() {
            return httpStatus;
        }

        /**
         * @param name a kind's wire name
         * @return its kind, or {@link #OTHER} for a name this binding does not know
         */
        public static Kind fromWire(String name) {
            for (Kind k : values()) {
                if (k.wireName.equals(name)) {
                    return k;
                }
            }
            return OTHER;
        }
    }

    private final Kind kind;
    private final String kindName;
    private final Long line;
    private final Long col;
    private final transient Object data;

    /**
     * @param kind the error kind
     * @param message what went wrong
     */
    public CairnException(Kind kind, String message) {
        this(kind, kind.wireName(), message, null, null, null);
    }

    /**
     * @param kind the error kind
     * @param kindName the kind as received (differs from {@code kind.wireName()}
     *     only for a kind this binding does not know)
     * @param message what went wrong
     * @param line line of a parse error, or null
     * @param col column of a parse error, or null
     * @param data extra data, or null
     */
    protected CairnException(Kind kind, String kindName, String message, Long line, Long col, Object data) {
        super("[" + kindName + "] " + message + (line != null ? " (line " + line + ", col " + col + ")" : ""));
        this.kind = kind;
        this.kindName = kindName;
        this.line = line;
        this.col = col;
        this.data = data;
    }

    /** @return the error kind */
    public Kind kind() {
        return kind;
    }

    /** @return the kind's name as received ({@code "schema"}) */
    public String kindName() {
        return kindName;
    }

    /** @return the message without the kind prefix */
    public String message() {
        String m = getMessage();
        return m.substring(kindName.length() + 3);
    }

    /** @return the line of a parse error, or null */
    public Long line() {
        return line;
    }

    /** @return the column of a parse error, or null */
    public Long col() {
        return col;
    }

    /** @return extra data the runtime attached, or null */
    public Object data() {
        return data;
    }

    /**
     * The exception of an error answer {@code {"kind": .., "message": ..,
     * "pos": {"line": .., "col": ..}, "data": ..}}.
     *
     * @param error the decoded error map
     * @return the exception of its kind's subclass
     */
    public static CairnException fromWire(Map<?, ?> error) {
        Object k = error.get("kind");
        String kindName = k instanceof String ? (String) k : "other";
        if (kindName.startsWith(":")) {
            kindName = kindName.substring(1);
        }
        Object m = error.get("message");
        String message = m instanceof String ? (String) m : String.valueOf(m);
        Long line = null;
        Long col = null;
        Object pos = error.get("pos");
        if (pos instanceof Map) {
            Object l = ((Map<?, ?>) pos).get("line");
            Object c = ((Map<?, ?>) pos).get("col");
            line = l instanceof Number ? ((Number) l).longValue() : null;
            col = c instanceof Number ? ((Number) c).longValue() : null;
        }
        return of(Kind.fromWire(kindName), kindName, message, line, col, error.get("data"));
    }

    static CairnException of(Kind kind, String kindName, String message, Long line, Long col, Object data) {
        switch (kind) {
{%- for k in kinds %}
            case {{ k.constant }}:
                return new {{ k.class }}(kindName, message, line, col, data);
{%- endfor %}
            default:
                return new CairnException(kind, kindName, message, line, col, data);
        }
    }
{% for k in kinds %}
    /** Kind {@code {{ k.name }}}: {{ k.doc }} */
    public static class {{ k.class }} extends CairnException {
        private static final long serialVersionUID = 1L;

        {{ k.class }}(String kindName, String message, Long line, Long col, Object data) {
            super(Kind.{{ k.constant }}, kindName, message, line, col, data);
        }
    }
{% endfor -%}
}
