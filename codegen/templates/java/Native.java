{{ header }}
package io.cairn;

/**
 * The JNI entry points of the cairn-ffi library, one per operation: each
 * takes the arguments as a JSON array and answers {@code {"ok": result}} or
 * {@code {"error": {...}}} as JSON text. Use {@link Cairn} instead; these
 * are called after {@link Library#ensure()} has loaded the library.
 */
final class Native {
    private Native() {}

    /** {@code cairn_abi_version()}. */
    static native int abiVersion();

    /** {@code cairn_spec_hash()}. */
    static native String specHash();
{% for op in ops %}
    /** Op {@code {{ op.name }}}. */
    static native String {{ op.camel }}(String argsJson);
{% endfor -%}
}
