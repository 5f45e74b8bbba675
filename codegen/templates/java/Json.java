{{ header }}
package io.cairn;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A small JSON encoder/decoder for the wire, with no dependencies. Integers
 * stay exact: they decode as {@code Long}, or {@code BigInteger} beyond 64
 * bits; other numbers as {@code Double}. Objects decode as ordered
 * {@code Map<String, Object>}, arrays as {@code List<Object>}.
 */
public final class Json {
    private Json() {}

    private static final int MAX_DEPTH = 2000;

    /**
     * Encodes a value: null, {@code Boolean}, integral numbers (exact, incl.
     * {@code BigInteger}), {@code Double}/{@code Float} (finite),
     * {@code BigDecimal}, {@code String}, {@code Character}, {@link WireValue}
     * (keywords, enums, handles, results), {@code Instant} and {@code UUID}
     * (as tagged objects), {@code Map} (keys: strings or keywords), {@code Set}
     * (as {@code {"#set": [...]}}), any other {@code Iterable} and arrays.
     *
     * @param value the value
     * @return compact JSON text
     * @throws CairnException of kind {@code type} for a value it cannot encode
     */
    public static String encode(Object value) {
        StringBuilder out = new StringBuilder();
        new Writer(out, false).write(value, 0);
        return out.toString();
    }

    /**
     * Encodes a value for the runtime: like {@link #encode}, except that what
     * a JSON number would not carry exactly to the runtime travels as EDN text
     * ({@code {"#edn": "123...890N"}}): integers beyond the signed and unsigned
     * 64-bit range and {@code BigDecimal}s ({@code {"#edn": "1.50M"}}).
     *
     * @param value the value
     * @return compact JSON text
     * @throws CairnException of kind {@code type} for a value it cannot encode
     */
    public static String encodeWire(Object value) {
        StringBuilder out = new StringBuilder();
        new Writer(out, true).write(value, 0);
        return out.toString();
    }

    private static final class Writer {
        final StringBuilder out;
        final boolean wire;

        Writer(StringBuilder out, boolean wire) {
            this.out = out;
            this.wire = wire;
        }

        void write(Object v, int depth) {
            if (depth > MAX_DEPTH) {
                throw new CairnException(CairnException.Kind.TYPE, "value nested too deeply to encode");
            }
            if (v == null) {
                out.append("null");
            } else if (v instanceof String) {
                string(out, (String) v);
            } else if (v instanceof Boolean) {
                out.append(((Boolean) v) ? "true" : "false");
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                out.append(v.toString());
            } else if (v instanceof BigInteger) {
                BigInteger b = (BigInteger) v;
                // The runtime reads JSON integers exactly within i64 and u64.
                boolean exact = b.signum() < 0 ? b.bitLength() < 64 : b.bitLength() <= 64;
                if (wire && !exact) {
                    write(Wire.edn(b + "N"), depth + 1);
                } else {
                    out.append(b.toString());
                }
            } else if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new CairnException(CairnException.Kind.TYPE, "JSON cannot carry " + v + "; use Wire.edn(\"##NaN\") or ##Inf");
                }
                out.append(v instanceof Float ? Float.toString((Float) v) : Double.toString(d));
            } else if (v instanceof BigDecimal) {
                if (wire) {
                    write(Wire.edn(((BigDecimal) v).toPlainString() + "M"), depth + 1);
                } else {
                    out.append(((BigDecimal) v).toString());
                }
            } else if (v instanceof Character) {
                string(out, v.toString());
            } else if (v instanceof WireValue) {
                Object w = ((WireValue) v).toWire();
                if (w == v) {
                    throw new CairnException(CairnException.Kind.TYPE, "toWire() of " + v.getClass().getName() + " returns itself");
                }
                write(w, depth + 1);
            } else if (v instanceof Instant) {
                write(Wire.inst((Instant) v), depth + 1);
            } else if (v instanceof UUID) {
                write(Wire.uuid((UUID) v), depth + 1);
            } else if (v instanceof Map) {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    Object k = e.getKey();
                    string(out, k instanceof Keyword ? ((Keyword) k).name() : String.valueOf(k));
                    out.append(':');
                    write(e.getValue(), depth + 1);
                }
                out.append('}');
            } else if (v instanceof Set) {
                out.append("{\"#set\":");
                array((Iterable<?>) v, depth);
                out.append('}');
            } else if (v instanceof Iterable) {
                array((Iterable<?>) v, depth);
            } else if (v.getClass().isArray()) {
                int n = Array.getLength(v);
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(Array.get(v, i));
                }
                array(items, depth);
            } else {
                throw new CairnException(CairnException.Kind.TYPE, "cannot send a " + v.getClass().getName()
                        + " over the wire; use maps, lists, strings, numbers, booleans, null, Keyword or the Wire helpers");
            }
        }

        void array(Iterable<?> items, int depth) {
            out.append('[');
            boolean first = true;
            for (Object x : items) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(x, depth + 1);
            }
            out.append(']');
        }
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20 || (Character.isSurrogate(c) && !pairedSurrogate(s, i))) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    /** Whether the surrogate at {@code i} is half of a well-formed pair. */
    private static boolean pairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /**
     * Decodes JSON text.
     *
     * @param text the JSON text
     * @return the value (see the class docs for the Java types)
     * @throws CairnException of kind {@code syntax}, with the position, for malformed text
     */
    public static Object decode(String text) {
        Parser p = new Parser(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.i < text.length()) {
            throw p.error("unexpected text after the value");
        }
        return v;
    }

    private static final class Parser {
        final String s;
        int i;

        Parser(String s) {
            this.s = s;
        }

        CairnException error(String what) {
            long line = 1;
            long col = 1;
            for (int k = 0; k < i && k < s.length(); k++) {
                if (s.charAt(k) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return CairnException.of(CairnException.Kind.SYNTAX, "syntax", "Invalid JSON: " + what, line, col, null);
        }

        void ws() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    i++;
                } else {
                    break;
                }
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested too deeply");
            }
            if (i >= s.length()) {
                throw error("unexpected end of input");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{':
                    return object(depth);
                case '[':
                    return array(depth);
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected character '" + c + "'");
            }
        }

        Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) {
                throw error("expected " + word);
            }
            i += word.length();
            return v;
        }

        Map<String, Object> object(int depth) {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            ws();
            if (i < s.length() && s.charAt(i) == '}') {
                i++;
                return m;
            }
            while (true) {
                ws();
                if (i >= s.length() || s.charAt(i) != '"') {
                    throw error("expected a string key");
                }
                String k = string();
                ws();
                if (i >= s.length() || s.charAt(i) != ':') {
                    throw error("expected ':'");
                }
                i++;
                ws();
                m.put(k, value(depth + 1));
                ws();
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                } else if (i < s.length() && s.charAt(i) == '}') {
                    i++;
                    return m;
                } else {
                    throw error("expected ',' or '}'");
                }
            }
        }

        List<Object> array(int depth) {
            List<Object> xs = new ArrayList<>();
            i++;
            ws();
            if (i < s.length() && s.charAt(i) == ']') {
                i++;
                return xs;
            }
            while (true) {
                ws();
                xs.add(value(depth + 1));
                ws();
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                } else if (i < s.length() && s.charAt(i) == ']') {
                    i++;
                    return xs;
                } else {
                    throw error("expected ',' or ']'");
                }
            }
        }

        String string() {
            StringBuilder b = new StringBuilder();
            i++;
            while (true) {
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("control character in string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"':
                        b.append('"');
                        break;
                    case '\\':
                        b.append('\\');
                        break;
                    case '/':
                        b.append('/');
                        break;
                    case 'b':
                        b.append('\b');
                        break;
                    case 'f':
                        b.append('\f');
                        break;
                    case 'n':
                        b.append('\n');
                        break;
                    case 'r':
                        b.append('\r');
                        break;
                    case 't':
                        b.append('\t');
                        break;
                    case 'u':
                        if (i + 4 > s.length()) {
                            throw error("short unicode escape");
                        }
                        int code = 0;
                        for (int k = 0; k < 4; k++) {
                            int d = Character.digit(s.charAt(i + k), 16);
                            if (d < 0) {
                                throw error("bad unicode escape");
                            }
                            code = code * 16 + d;
                        }
                        i += 4;
                        b.append((char) code);
                        break;
                    default:
                        i--;
                        throw error("bad escape '\\" + e + "'");
                }
            }
        }

        Object number() {
            int start = i;
            boolean integral = true;
            if (s.charAt(i) == '-') {
                i++;
            }
            int digits = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == digits || (s.charAt(digits) == '0' && i - digits > 1)) {
                throw error("malformed number");
            }
            if (i < s.length() && s.charAt(i) == '.') {
                integral = false;
                i++;
                int frac = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == frac) {
                    throw error("malformed number");
                }
            }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                integral = false;
                i++;
                if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                int exp = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == exp) {
                    throw error("malformed number");
                }
            }
            String t = s.substring(start, i);
            if (!integral) {
                return Double.parseDouble(t);
            }
            BigInteger b = new BigInteger(t);
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
    }
}
