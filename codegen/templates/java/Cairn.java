{{ header }}
package io.cairn;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
{%- for line in doc %}
 *{% if !line.is_empty() %} {{ line }}{% endif %}
{%- endfor %}
 *
 * <pre>{@code
 * try (Connection conn = Cairn.connect(Map.of("store", Map.of("backend", ":memory", "id", "demo")))) {
 *     Cairn.transact(conn, List.of(Map.of("name", "Ivan")));
 *     Object names = Cairn.q("[:find ?n :where [_ :name ?n]]", List.of(Cairn.db(conn)));
 * }
 * }</pre>
 *
 * <p>Values follow the wire rule: maps are {@code Map<String, Object>} (keys
 * become keywords), lists are {@code List<Object>}, a string starting with
 * {@code :} is a keyword (or use {@link Keyword}; {@link Wire#literal} escapes a
 * literal colon string), numbers are {@code Long}/{@code BigInteger}/{@code
 * Double}, and {@link Wire} builds instants, UUIDs, sets, lists and EDN text.
 * Results come back the same way (keywords as {@code ":kw"} strings, instants
 * as RFC 3339 strings, sets as lists).
 */
public final class Cairn {
    private Cairn() {}

    /** The ABI version of the cairn-ffi library this binding was generated for. */
    public static final int ABI_VERSION = {{ abi_version }};

    /** The hash of the API spec this binding was generated from. */
    public static final String SPEC_HASH = "{{ spec_hash }}";

    /**
     * The Java method of each operation, by spec name ({@code "database-exists?"}
     * to {@code "databaseExists"}): for tools that call ops by name (the
     * method has one overload per number of arguments).
     */
    public static final Map<String, String> METHODS = Map.ofEntries(
{%- for op in ops %}
            Map.entry("{{ op.name }}", "{{ op.camel }}"){% if !loop.last %},{% endif %}
{%- endfor %});

    /**
     * Loads the native library now (it is otherwise loaded by the first call)
     * and checks that it matches this binding.
     *
     * @throws IllegalStateException when it cannot be loaded or does not match
     */
    public static void load() {
        Library.ensure();
    }

    /**
     * Checks a library's ABI version and spec hash against this binding's.
     *
     * @param abiVersion the library's {@code cairn_abi_version()}
     * @param specHash the library's {@code cairn_spec_hash()}
     * @throws IllegalStateException naming both versions and hashes, and how to
     *     fix the mismatch
     */
    public static void checkLibrary(int abiVersion, String specHash) {
        Library.check(abiVersion, specHash);
    }
{% for op in ops %}{% for o in op.overloads %}
    /**
{%- for line in o.doc %}
     *{% if !line.is_empty() %} {{ line }}{% endif %}
{%- endfor %}
     */
    public static {{ o.ret }} {{ op.camel }}({{ o.params }}) {
        Library.ensure();
        {% if o.void %}Library.answer(Native.{{ op.camel }}(Json.encodeWire(Arrays.<Object>asList({{ o.args }}))));{% else %}Object r = Library.answer(Native.{{ op.camel }}(Json.encodeWire(Arrays.<Object>asList({{ o.args }}))));
        return {{ o.conv }};{% endif %}
    }
{% endfor %}{% endfor %}
}
