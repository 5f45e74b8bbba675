{{ header }}
package io.cairn;

import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Conversions of decoded wire values to the binding's Java types, used by
 * {@link Cairn} and the wrappers. Each maps null to null and throws a
 * {@link CairnException} of kind {@code type} for a value of another shape.
 */
final class Conv {
    private Conv() {}

    private static CairnException type(String expected, Object v) {
        return new CairnException(CairnException.Kind.TYPE,
                "expected " + expected + ", got " + (v instanceof String ? "\"" + v + "\"" : String.valueOf(v)));
    }

    /**
     * The value of {@code key} in a map, or the {@code index}th element when
     * the value arrives as a vector of its fields in declaration order (as
     * datoms do, {@code [e a v tx added]}); null otherwise.
     */
    static Object field(Object raw, String key, int index) {
        if (raw instanceof Map) {
            return ((Map<?, ?>) raw).get(key);
        }
        if (raw instanceof List) {
            List<?> xs = (List<?>) raw;
            return index < xs.size() ? xs.get(index) : null;
        }
        return null;
    }

    /** The descriptor of a handle: the map under {@code key} ({@code "cairn/db"}), or the value itself. */
    static Object handle(Object raw, String key) {
        if (raw instanceof Map && ((Map<?, ?>) raw).containsKey(key)) {
            return ((Map<?, ?>) raw).get(key);
        }
        return raw;
    }

    static Boolean toBoolean(Object v) {
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        throw type("a boolean", v);
    }

    static Long toLong(Object v) {
        if (v == null || v instanceof Long) {
            return (Long) v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger && ((BigInteger) v).bitLength() < 64) {
            return ((BigInteger) v).longValue();
        }
        throw type("a 64-bit integer", v);
    }

    static Double toDouble(Object v) {
        if (v == null || v instanceof Double) {
            return (Double) v;
        }
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        throw type("a number", v);
    }

    static String toStr(Object v) {
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw type("a string", v);
    }

    static Instant toInstant(Object v) {
        if (v == null || v instanceof Instant) {
            return (Instant) v;
        }
        if (v instanceof Map && ((Map<?, ?>) v).size() == 1 && ((Map<?, ?>) v).containsKey("#inst")) {
            return toInstant(((Map<?, ?>) v).get("#inst"));
        }
        if (v instanceof String) {
            try {
                return OffsetDateTime.parse((String) v).toInstant();
            } catch (DateTimeParseException e) {
                throw type("an RFC 3339 instant", v);
            }
        }
        throw type("an instant", v);
    }

    static UUID toUuid(Object v) {
        if (v == null || v instanceof UUID) {
            return (UUID) v;
        }
        if (v instanceof Map && ((Map<?, ?>) v).size() == 1 && ((Map<?, ?>) v).containsKey("#uuid")) {
            return toUuid(((Map<?, ?>) v).get("#uuid"));
        }
        if (v instanceof String) {
            try {
                return UUID.fromString((String) v);
            } catch (IllegalArgumentException e) {
                throw type("a UUID", v);
            }
        }
        throw type("a UUID", v);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> toMap(Object v) {
        if (v == null || v instanceof Map) {
            return (Map<String, Object>) v;
        }
        throw type("a map", v);
    }

    static <T> Map<String, T> toMapOf(Object v, Function<Object, T> f) {
        Map<String, Object> m = toMap(v);
        if (m == null) {
            return null;
        }
        Map<String, T> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            out.put(e.getKey(), f.apply(e.getValue()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Object> toList(Object v) {
        if (v == null || v instanceof List) {
            return (List<Object>) v;
        }
        throw type("a list", v);
    }

    static <T> List<T> toListOf(Object v, Function<Object, T> f) {
        List<Object> xs = toList(v);
        if (xs == null) {
            return null;
        }
        List<T> out = new ArrayList<>(xs.size());
        for (Object x : xs) {
            out.add(f.apply(x));
        }
        return out;
    }
}
