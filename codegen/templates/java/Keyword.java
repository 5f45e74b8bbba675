{{ header }}
package io.cairn;

/**
 * An EDN keyword. On the wire it is a string starting with a colon:
 * {@code Keyword.of("person/name")} is sent as {@code ":person/name"}. A
 * plain Java string starting with {@code :} is a keyword too; this class
 * makes the intent explicit and is what keyword-typed accessors return.
 */
public final class Keyword implements WireValue, Comparable<Keyword> {
    private final String name;

    private Keyword(String name) {
        this.name = name;
    }

    /**
     * @param name the keyword, with or without its leading colon ({@code "person/name"})
     * @return the keyword
     * @throws CairnException of kind {@code type} for an empty name
     */
    public static Keyword of(String name) {
        String n = name != null && name.startsWith(":") ? name.substring(1) : name;
        if (n == null || n.isEmpty()) {
            throw new CairnException(CairnException.Kind.TYPE, "a keyword needs a name, got " + name);
        }
        return new Keyword(n);
    }

    /**
     * @param value a wire value: a keyword string ({@code ":a/b"}), a {@code Keyword}, or null
     * @return the keyword, or null for null
     * @throws CairnException of kind {@code type} for anything else
     */
    public static Keyword fromWire(Object value) {
        if (value == null || value instanceof Keyword) {
            return (Keyword) value;
        }
        if (value instanceof String && isKeyword((String) value)) {
            return new Keyword(((String) value).substring(1));
        }
        throw new CairnException(CairnException.Kind.TYPE, "not a keyword: " + value);
    }

    /**
     * @param s a wire string
     * @return whether it denotes a keyword ({@code ":x"}; not the escaped literal {@code "\\:x"})
     */
    public static boolean isKeyword(String s) {
        return s.length() > 1 && s.charAt(0) == ':';
    }

    /** @return the full name without the colon ({@code "person/name"}) */
    public String name() {
        return name;
    }

    /** @return the namespace ({@code "person"}), or null when it has none */
    public String namespace() {
        int i = name.indexOf('/');
        return i > 0 && i < name.length() - 1 ? name.substring(0, i) : null;
    }

    /** @return the name after the namespace ({@code "name"}) */
    public String localName() {
        String ns = namespace();
        return ns == null ? name : name.substring(ns.length() + 1);
    }

    /** @return {@code ":" + name()} */
    @Override
    public Object toWire() {
        return ":" + name;
    }

    @Override
    public int compareTo(Keyword o) {
        return name.compareTo(o.name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Keyword && ((Keyword) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    /** @return {@code ":" + name()} */
    @Override
    public String toString() {
        return ":" + name;
    }
}
