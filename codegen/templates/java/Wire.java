{{ header }}
package io.cairn;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builders for what plain JSON cannot say, under the wire rule: each returns
 * a tagged object (a map with one {@code #} key) that {@link Json#encode}
 * sends as is, e.g. {@code Wire.inst(Instant.now())} is
 * {@code {"#inst": "2024-..Z"}}. Plus literal-string escaping and small
 * null-tolerant map/list builders.
 */
public final class Wire {
    private Wire() {}

    private static Map<String, Object> tag(String tag, Object value) {
        return Collections.singletonMap(tag, value);
    }

    /**
     * @param instant a point in time
     * @return {@code {"#inst": "<RFC 3339>"}}
     */
    public static Map<String, Object> inst(Instant instant) {
        return tag("#inst", instant.toString());
    }

    /**
     * @param rfc3339 an RFC 3339 instant ({@code "2024-01-01T00:00:00Z"})
     * @return {@code {"#inst": rfc3339}}
     */
    public static Map<String, Object> inst(String rfc3339) {
        return tag("#inst", rfc3339);
    }

    /**
     * @param uuid a UUID
     * @return {@code {"#uuid": "..."}}
     */
    public static Map<String, Object> uuid(UUID uuid) {
        return tag("#uuid", uuid.toString());
    }

    /**
     * @param text any EDN value as text ({@code "[:find ?e :where [?e :name]]"}, {@code "1.0"}, {@code "#{1 2}"})
     * @return {@code {"#edn": text}}
     */
    public static Map<String, Object> edn(String text) {
        return tag("#edn", text);
    }

    /**
     * @param items the elements
     * @return {@code {"#set": [...]}}, an EDN set
     */
    public static Map<String, Object> set(Object... items) {
        return tag("#set", new ArrayList<>(Arrays.asList(items)));
    }

    /**
     * @param items the elements
     * @return {@code {"#set": [...]}}, an EDN set
     */
    public static Map<String, Object> set(Collection<?> items) {
        return tag("#set", new ArrayList<Object>(items));
    }

    /**
     * @param items the elements
     * @return {@code {"#list": [...]}}, an EDN list (not a vector)
     */
    public static Map<String, Object> list(Object... items) {
        return tag("#list", new ArrayList<>(Arrays.asList(items)));
    }

    /**
     * A string sent literally even when it starts with a colon.
     *
     * @param s any string
     * @return {@code "\\" + s} when {@code s} starts with {@code :}, else {@code s}
     */
    public static String literal(String s) {
        return s.startsWith(":") ? "\\" + s : s;
    }

    /**
     * Reads a string of a result: an escaped literal ({@code "\\:x"}) becomes
     * {@code ":x"}; a keyword ({@code ":x"}) and anything else stay as they are.
     *
     * @param s a string from a result
     * @return the string it stands for
     */
    public static String unescape(String s) {
        return s.startsWith("\\:") ? s.substring(1) : s;
    }

    /**
     * @param name a keyword name
     * @return {@link Keyword#of(String)}
     */
    public static Keyword kw(String name) {
        return Keyword.of(name);
    }

    /**
     * An ordered map that, unlike {@code Map.of}, takes null values.
     *
     * @param keysAndValues key, value, key, value, ... (keys: strings or keywords)
     * @return the map
     * @throws IllegalArgumentException for an odd number of arguments
     */
    public static Map<String, Object> map(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Wire.map takes key/value pairs, got " + keysAndValues.length + " arguments");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Object k = keysAndValues[i];
            m.put(k instanceof Keyword ? ((Keyword) k).name() : String.valueOf(k), keysAndValues[i + 1]);
        }
        return m;
    }

    /**
     * A list (an EDN vector) that, unlike {@code List.of}, takes nulls.
     *
     * @param items the elements
     * @return the list
     */
    public static List<Object> vec(Object... items) {
        return new ArrayList<>(Arrays.asList(items));
    }

    /**
     * The plain JSON form of a value: wrappers, keywords, enums, instants,
     * UUIDs and sets become maps, lists, strings, numbers, booleans and null.
     *
     * @param value any value {@link Json#encode} takes
     * @return its plain form
     */
    public static Object toPlain(Object value) {
        return Json.decode(Json.encode(value));
    }
}
