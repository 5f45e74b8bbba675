{{ header }}
package io.cairn;

/**
 * A Java value with a wire form: {@link Json#encode} sends what
 * {@link #toWire()} returns. The generated enums, handles
 * ({@link Connection}, {@link Db}) and result wrappers implement it.
 */
public interface WireValue {
    /** @return the value under the wire rule (maps, lists, strings, numbers, ...) */
    Object toWire();
}
