package io.cairn.test;

import io.cairn.Cairn;
import io.cairn.CairnException;
import io.cairn.Json;
import io.cairn.Keyword;
import io.cairn.Wire;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs the shared binding script (tests/bindings/README.md) through the typed
 * API: each step calls the {@link Cairn} method of its op (found through
 * {@link Cairn#METHODS}, the overload chosen by argument count) and the
 * transcript records {@code {"ok": plain result}} or {@code {"error": kind}}.
 *
 * <p>{@code java io.cairn.test.ScriptRunner} reads {@code CAIRN_BINDING_SCRIPT}
 * and writes {@code CAIRN_BINDING_TRANSCRIPT}.
 */
public final class ScriptRunner {
    private ScriptRunner() {}

    /** A step that cannot run (unbound variable, no such method, argument of the wrong shape). */
    static final class StepError extends Exception {
        private static final long serialVersionUID = 1L;
        final String kind;

        StepError(String kind, String message) {
            super(message);
            this.kind = kind;
        }
    }

    public static void main(String[] args) throws Exception {
        String script = System.getenv("CAIRN_BINDING_SCRIPT");
        String transcript = System.getenv("CAIRN_BINDING_TRANSCRIPT");
        if (script == null || transcript == null) {
            System.err.println("set CAIRN_BINDING_SCRIPT (script.json to read) and CAIRN_BINDING_TRANSCRIPT (file to write)");
            System.exit(2);
        }
        Object parsed = Json.decode(new String(Files.readAllBytes(Paths.get(script)), StandardCharsets.UTF_8));
        Map<String, Object> out = run(parsed);
        Path path = Paths.get(transcript);
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        Files.write(path, Json.encode(out).getBytes(StandardCharsets.UTF_8));
        @SuppressWarnings("unchecked")
        Map<String, Object> cases = (Map<String, Object>) out.get("cases");
        System.out.println("java script runner: " + cases.size() + " cases, transcript written to " + transcript);
    }

    /**
     * @param script the decoded script.json
     * @return the transcript {@code {"binding": "java", "cases": {id: [entries]}}}
     */
    public static Map<String, Object> run(Object script) {
        Map<String, Object> cases = new LinkedHashMap<>();
        for (Object c : asList(asMap(script).get("cases"))) {
            Map<String, Object> kase = asMap(c);
            if (!asList(kase.get("targets")).contains("java")) {
                continue;
            }
            cases.put(String.valueOf(kase.get("id")), runCase(asList(kase.get("steps"))));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("binding", "java");
        out.put("cases", cases);
        return out;
    }

    static List<Object> runCase(List<Object> steps) {
        Map<String, Object> vars = new HashMap<>();
        List<Object> entries = new ArrayList<>();
        for (Object s : steps) {
            Map<String, Object> step = asMap(s);
            Map<String, Object> entry = new LinkedHashMap<>();
            try {
                Object result = call(String.valueOf(step.get("op")), asList(substitute(step.get("args"), vars)));
                Object plain = Wire.toPlain(result);
                entry.put("ok", plain);
                if (step.get("save") instanceof String) {
                    vars.put((String) step.get("save"), plain);
                }
                if (step.get("bind") instanceof Map) {
                    for (Map.Entry<String, Object> b : asMap(step.get("bind")).entrySet()) {
                        Object v = at(plain, asList(b.getValue()));
                        if (v != MISSING) {
                            vars.put(b.getKey(), v);
                        }
                    }
                }
            } catch (StepError e) {
                entry.put("error", e.kind);
            } catch (CairnException e) {
                entry.put("error", e.kindName());
            } catch (RuntimeException e) {
                entry.put("error", "other");
            }
            entries.add(entry);
        }
        return entries;
    }

    private static final Object MISSING = new Object();

    static Object at(Object v, List<Object> path) {
        for (Object k : path) {
            if (v instanceof Map && ((Map<?, ?>) v).containsKey(String.valueOf(k))) {
                v = ((Map<?, ?>) v).get(String.valueOf(k));
            } else if (v instanceof List && k instanceof Number
                    && ((Number) k).intValue() >= 0 && ((Number) k).intValue() < ((List<?>) v).size()) {
                v = ((List<?>) v).get(((Number) k).intValue());
            } else {
                return MISSING;
            }
        }
        return v;
    }

    static Object substitute(Object v, Map<String, Object> vars) throws StepError {
        if (v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) v;
            if (m.size() == 1 && m.containsKey("$var")) {
                String name = String.valueOf(m.get("$var"));
                if (!vars.containsKey(name)) {
                    throw new StepError("unbound", "unbound variable " + name);
                }
                return vars.get(name);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), substitute(e.getValue(), vars));
            }
            return out;
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object x : (List<?>) v) {
                out.add(substitute(x, vars));
            }
            return out;
        }
        return v;
    }

    /**
     * Calls the typed method of {@code op} with {@code args}, each converted to
     * its parameter's type.
     *
     * @return the method's result (null for void)
     */
    static Object call(String op, List<Object> args) throws StepError {
        String name = Cairn.METHODS.get(op);
        if (name == null) {
            throw new StepError("not-found", "no Java method for op " + op);
        }
        Method method = null;
        for (Method m : Cairn.class.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.size() && Modifier.isStatic(m.getModifiers())) {
                method = m;
            }
        }
        if (method == null) {
            throw new StepError("syntax", "Cairn." + name + " takes no " + args.size() + " arguments");
        }
        Class<?>[] types = method.getParameterTypes();
        Object[] values = new Object[args.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = convert(args.get(i), types[i]);
        }
        try {
            return method.invoke(null, values);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            throw new StepError("other", String.valueOf(t));
        } catch (IllegalAccessException e) {
            throw new StepError("other", e.toString());
        }
    }

    /** A wire value as the Java type of a parameter. */
    static Object convert(Object v, Class<?> type) throws StepError {
        if (v == null || type == Object.class || type.isInstance(v)) {
            return v;
        }
        try {
            if (type == Long.class && v instanceof Number) {
                return ((Number) v).longValue();
            }
            if (type == Double.class && v instanceof Number) {
                return ((Number) v).doubleValue();
            }
            if (type == Keyword.class) {
                return Keyword.fromWire(v);
            }
            if (type == Instant.class) {
                Object s = v instanceof Map ? ((Map<?, ?>) v).get("#inst") : v;
                return OffsetDateTime.parse(String.valueOf(s)).toInstant();
            }
            if (type == UUID.class) {
                Object s = v instanceof Map ? ((Map<?, ?>) v).get("#uuid") : v;
                return UUID.fromString(String.valueOf(s));
            }
            // Generated handles, wrappers and enums: fromWire(Object).
            Method fromWire = type.getMethod("fromWire", Object.class);
            return fromWire.invoke(null, v);
        } catch (NoSuchMethodException | IllegalAccessException | RuntimeException e) {
            throw new StepError("type", "cannot pass " + v + " as " + type.getSimpleName());
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof CairnException) {
                throw new StepError(((CairnException) t).kindName(), t.getMessage());
            }
            throw new StepError("type", "cannot pass " + v + " as " + type.getSimpleName());
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object v) {
        return v instanceof Map ? (Map<String, Object>) v : new LinkedHashMap<>();
    }

    @SuppressWarnings("unchecked")
    static List<Object> asList(Object v) {
        return v instanceof List ? (List<Object>) v : new ArrayList<>();
    }
}
