package io.cairn.test;

import io.cairn.Cairn;
import io.cairn.CairnException;
import io.cairn.Connection;
import io.cairn.Db;
import io.cairn.ExportReport;
import io.cairn.ImportReport;
import io.cairn.IndexName;
import io.cairn.Json;
import io.cairn.Keyword;
import io.cairn.Metrics;
import io.cairn.TxReport;
import io.cairn.Wire;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The Java binding's tests: every static {@code test*} method runs; the last
 * line is {@code N passed, M failed} and the exit status is 1 on a failure.
 * Needs the cairn-ffi library ({@code -Dcairn.lib=...}); see run.sh.
 */
public final class TestMain {
    private TestMain() {}

    private static final AtomicInteger IDS = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        List<Method> tests = new ArrayList<>();
        for (Method m : TestMain.class.getDeclaredMethods()) {
            if (m.getName().startsWith("test") && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0) {
                tests.add(m);
            }
        }
        tests.sort(Comparator.comparing(Method::getName));
        int passed = 0;
        int failed = 0;
        for (Method m : tests) {
            try {
                m.invoke(null);
                passed++;
                System.out.println("ok   " + m.getName());
            } catch (InvocationTargetException e) {
                failed++;
                System.out.println("FAIL " + m.getName() + ": " + e.getCause());
                e.getCause().printStackTrace(System.out);
            }
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    // ---- assertions ----

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static void eq(Object expected, Object actual) {
        if (expected == null ? actual != null : !expected.equals(actual)) {
            throw new AssertionError("expected <" + expected + "> (" + cls(expected) + ") but got <" + actual + "> (" + cls(actual) + ")");
        }
    }

    private static String cls(Object o) {
        return o == null ? "null" : o.getClass().getSimpleName();
    }

    interface Body {
        void run() throws Exception;
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> T raises(Class<T> type, Body body) throws Exception {
        try {
            body.run();
        } catch (Throwable t) {
            if (type.isInstance(t)) {
                return (T) t;
            }
            throw new AssertionError("expected " + type.getName() + ", got " + t, t);
        }
        throw new AssertionError("expected " + type.getName() + ", nothing was thrown");
    }

    static Map<String, Object> memoryConfig(String name) {
        return Wire.map("store", Wire.map("backend", ":memory", "id", "java-" + name + "-" + IDS.incrementAndGet()));
    }

    static final List<Object> SCHEMA = List.of(
            Map.of("db/ident", ":person/name", "db/valueType", ":db.type/string",
                    "db/cardinality", ":db.cardinality/one", "db/unique", ":db.unique/identity"),
            Map.of("db/ident", ":person/age", "db/valueType", ":db.type/long",
                    "db/cardinality", ":db.cardinality/one", "db/index", true),
            Map.of("db/ident", ":person/friend", "db/valueType", ":db.type/ref",
                    "db/cardinality", ":db.cardinality/many"));

    // ---- the version check ----

    static void testBindingVersionMismatchIsRefusedNamingBothHashes() throws Exception {
        Cairn.checkLibrary(Cairn.ABI_VERSION, Cairn.SPEC_HASH);
        String other = "0123456789abcdef0123456789abcdef";
        IllegalStateException e = raises(IllegalStateException.class, () -> Cairn.checkLibrary(Cairn.ABI_VERSION, other));
        check(e.getMessage().contains(Cairn.SPEC_HASH) && e.getMessage().contains(other), e.getMessage());
        check(e.getMessage().contains("cargo build --release -p cairn-ffi"), e.getMessage());
        check(e.getMessage().contains("cargo run -p cairn-codegen -- generate"), e.getMessage());
        e = raises(IllegalStateException.class, () -> Cairn.checkLibrary(Cairn.ABI_VERSION + 1, Cairn.SPEC_HASH));
        check(e.getMessage().contains("ABI version " + (Cairn.ABI_VERSION + 1)), e.getMessage());
        raises(IllegalStateException.class, () -> Cairn.checkLibrary(Cairn.ABI_VERSION, null));
        // The library this run loaded passes the same check.
        Cairn.load();
    }

    static void testAMissingLibraryIsAClearErrorInAFreshJvm() throws Exception {
        String out = probe("/nonexistent/libcairn_ffi.so");
        check(out.startsWith("java.lang.IllegalStateException: Cannot load the Cairn native library from /nonexistent/libcairn_ffi.so"), out);
        check(out.contains("cargo build --release -p cairn-ffi"), out);
        check(out.contains("again: true"), out);
        // A library that is not cairn-ffi: loads, but has no entry points.
        String libc = Files.exists(Path.of("/lib/x86_64-linux-gnu/libz.so.1")) ? "/lib/x86_64-linux-gnu/libz.so.1" : null;
        if (libc != null) {
            out = probe(libc);
            check(out.contains("has no JNI entry points for io.cairn"), out);
        }
        eq("loaded", probe(System.getProperty("cairn.lib")).trim());
    }

    private static String probe(String lib) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        if (lib != null) {
            cmd.add("-Dcairn.lib=" + lib);
        }
        cmd.add(LoadProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("CAIRN_LIB");
        Process p = pb.start();
        String out;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            out = r.lines().collect(Collectors.joining("\n"));
        }
        p.waitFor();
        return out;
    }

    // ---- helpers and JSON ----

    static void testKeywordHelper() throws Exception {
        Keyword k = Keyword.of("person/name");
        eq(":person/name", k.toString());
        eq(k, Keyword.of(":person/name"));
        eq("person", k.namespace());
        eq("name", k.localName());
        eq(null, Keyword.of("active").namespace());
        eq("\":person/name\"", Json.encode(k));
        eq(k, Keyword.fromWire(":person/name"));
        check(!Keyword.isKeyword("\\:x") && !Keyword.isKeyword(":") && Keyword.isKeyword(":x"), "isKeyword");
        raises(CairnException.class, () -> Keyword.of(""));
        CairnException e = raises(CairnException.class, () -> Keyword.fromWire("plain"));
        eq(CairnException.Kind.TYPE, e.kind());
        // Keyword map keys become plain keys.
        eq("{\"person/name\":1}", Json.encode(Map.of(k, 1)));
        eq(":eavt", IndexName.EAVT.toWire());
        eq(IndexName.AVET, IndexName.fromWire(":avet"));
    }

    static void testWireHelpers() throws Exception {
        eq("{\"#inst\":\"2024-01-01T00:00:00Z\"}", Json.encode(Wire.inst(Instant.parse("2024-01-01T00:00:00Z"))));
        eq("{\"#inst\":\"2024-01-01T00:00:00.123Z\"}", Json.encode(Instant.parse("2024-01-01T00:00:00.123Z")));
        UUID u = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        eq("{\"#uuid\":\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"}", Json.encode(Wire.uuid(u)));
        eq("{\"#uuid\":\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"}", Json.encode(u));
        eq("{\"#edn\":\"[?x 1.0]\"}", Json.encode(Wire.edn("[?x 1.0]")));
        eq("{\"#set\":[1,2]}", Json.encode(Wire.set(1L, 2L)));
        eq("{\"#set\":[\"a\"]}", Json.encode(new LinkedHashSet<>(List.of("a"))));
        eq("{\"#list\":[1,null]}", Json.encode(Wire.list(1, null)));
        eq("\\:x", Wire.literal(":x"));
        eq("x", Wire.literal("x"));
        eq(":x", Wire.unescape("\\:x"));
        eq(":x", Wire.unescape(":x"));
        eq("{\"a\":null,\"b\":[1,null]}", Json.encode(Wire.map("a", null, Keyword.of("b"), Wire.vec(1, null))));
        raises(IllegalArgumentException.class, () -> Wire.map("odd"));
        eq(Map.of("cairn/x", List.of(":k")), Wire.toPlain(Map.of("cairn/x", List.of(Keyword.of("k")))));
    }

    static void testJsonKeepsIntegersExact() throws Exception {
        eq(Long.MAX_VALUE, Json.decode("9223372036854775807"));
        eq(Long.MIN_VALUE, Json.decode("-9223372036854775808"));
        eq(new BigInteger("9223372036854775808"), Json.decode("9223372036854775808"));
        BigInteger big = new BigInteger("-123456789012345678901234567890");
        eq(big, Json.decode(big.toString()));
        eq(big.toString(), Json.encode(big));
        eq("[1,-2,3]", Json.encode(new Object[] {1, -2L, (short) 3}));
        eq("[1,2]", Json.encode(new long[] {1, 2}));
        eq(0L, Json.decode("-0"));
        eq(1.5, Json.decode("1.5"));
        eq(1000.0, Json.decode("1e3"));
        eq(-2.5e-7, Json.decode("-2.5E-7"));
        eq("0.1", Json.encode(0.1));
        eq(Arrays.asList(1L, null, true, false, "x"), Json.decode(" [1 , null,true,false,\"x\"] "));
        eq(Map.of("a", Map.of()), Json.decode("{\"a\":{}}"));
    }

    static void testJsonUnicodeAndEscapes() throws Exception {
        eq("é😀\n\t\"\\/\b\f\r", Json.decode("\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\\b\\f\\r\""));
        String s = "a\"b\\c\n\u0001 é 😀 中";
        eq("\"a\\\"b\\\\c\\n\\u0001 é 😀 中\"", Json.encode(s));
        eq(s, Json.decode(Json.encode(s)));
        eq("\"\\ud800x\"", Json.encode("\ud800x"));
        eq("\"\\\\:kw\"", Json.encode("\\:kw"));
    }

    static void testJsonRejectsMalformedTextWithPosition() throws Exception {
        for (String bad : List.of("{\"a\": }", "[1,]", "01", "\"abc", "1 2", "{\"a\" 1}", "tru", "\"\\x\"", "", "[1.]", "-", "\"\\u12\"")) {
            CairnException e = raises(CairnException.class, () -> Json.decode(bad));
            eq(CairnException.Kind.SYNTAX, e.kind());
            check(e.line() != null && e.col() != null, bad);
        }
        CairnException e = raises(CairnException.class, () -> Json.decode("{\n  \"a\": ?}"));
        eq(2L, e.line());
        eq(8L, e.col());
        check(e instanceof CairnException.Syntax, "subclass");
    }

    static void testJsonRefusesWhatItCannotEncode() throws Exception {
        eq(CairnException.Kind.TYPE, raises(CairnException.class, () -> Json.encode(new Object())).kind());
        eq(CairnException.Kind.TYPE, raises(CairnException.class, () -> Json.encode(Double.NaN)).kind());
        eq(CairnException.Kind.TYPE, raises(CairnException.class, () -> Json.encode(List.of(Double.POSITIVE_INFINITY))).kind());
    }

    // ---- errors ----

    static void testErrorsCarryTheirKind() throws Exception {
        eq(CairnException.Kind.NOT_FOUND, CairnException.Kind.fromWire("not-found"));
        eq(CairnException.Kind.OTHER, CairnException.Kind.fromWire("no-such-kind"));
        eq(422, CairnException.Kind.SCHEMA.httpStatus());

        CairnException.Syntax syntax = raises(CairnException.Syntax.class, () -> Cairn.q("[:find ?e :where [?e :name"));
        eq(CairnException.Kind.SYNTAX, syntax.kind());
        eq("syntax", syntax.kindName());
        check(syntax.line() != null, "a parse error has a position");
        check(syntax.getMessage().startsWith("[syntax] ") && !syntax.message().startsWith("["), syntax.getMessage());

        Map<String, Object> cfg = memoryConfig("errors");
        raises(CairnException.NotFound.class, () -> Cairn.connect(cfg));
        Cairn.createDatabase(cfg);
        try (Connection conn = Cairn.connect(cfg)) {
            CairnException e = raises(CairnException.class, () -> Cairn.transact(conn, List.of(Map.of("no/such-attr", 1))));
            eq(CairnException.Kind.SCHEMA, e.kind());
            check(e instanceof CairnException.Schema, "subclass");
            Cairn.transact(conn, SCHEMA);
            Cairn.transact(conn, List.of(Map.of("person/name", "Ivan")));
            e = raises(CairnException.class, () -> Cairn.pull(Cairn.db(conn), List.of("*"), List.of(":person/name", "Nobody")));
            eq(CairnException.Kind.LOOKUP, e.kind());
            e = raises(CairnException.class, () -> Cairn.transact(conn, List.of(List.of(":db/add", -1, ":person/age", "not a number"))));
            check(e.kind() == CairnException.Kind.SCHEMA || e.kind() == CairnException.Kind.TYPE, e.toString());
            // A failed transaction changed nothing.
            eq(List.of(List.of("Ivan")), Cairn.q("[:find ?n :where [?e :person/name ?n]]", List.of(Cairn.db(conn))));
        }
        Cairn.deleteDatabase(cfg);
    }

    // ---- connections ----

    static void testConnectionIsAutoCloseable() throws Exception {
        Map<String, Object> cfg = memoryConfig("close");
        Cairn.createDatabase(cfg);
        Connection kept;
        try (Connection conn = Cairn.connect(cfg)) {
            kept = conn;
            check(!conn.isClosed(), "open");
            eq(":db", conn.branch().toString());
            Cairn.transact(conn, List.of(Map.of("db/ident", ":x")));
        }
        check(kept.isClosed(), "closed by try-with-resources");
        kept.close();
        // Released connections can be reopened; database values stay readable.
        try (Connection again = Cairn.connect(cfg)) {
            eq(kept, again);
            Db db = Cairn.db(again);
            Cairn.release(again);
            check(Cairn.schema(db).containsKey("x"), "schema after release: " + Cairn.schema(db));
        }
    }

    // ---- typed round trips ----

    static void testTypedRoundTripOnAMemoryStore() throws Exception {
        Map<String, Object> cfg = memoryConfig("typed");
        eq(false, Cairn.databaseExists(cfg));
        Map<String, Object> created = Cairn.createDatabase(cfg);
        check(created.containsKey("store"), "create-database answers the config: " + created);
        eq(true, Cairn.databaseExists(cfg));
        try (Connection conn = Cairn.connect(cfg)) {
            Cairn.transact(conn, SCHEMA);
            TxReport r = Cairn.transact(conn, List.of(
                    Wire.map("db/id", -1, "person/name", "Ivan", "person/age", 18L),
                    Wire.map("db/id", "petr", "person/name", "Petr", "person/age", 30L, "person/friend", -1)));
            long ivan = r.tempids().get("-1");
            long petr = r.tempids().get("petr");
            check(ivan > 0 && petr > 0 && ivan != petr, r.tempids().toString());
            eq(r.tx(), r.dbAfter().basisTx());
            check(r.dbBefore().basisTx() < r.dbAfter().basisTx(), "basis moves");
            Set<Keyword> attrs = new LinkedHashSet<>();
            for (List<Object> d : r.txData()) {
                // A datom is [e a v tx added].
                check(Boolean.TRUE.equals(d.get(4)), "added");
                eq(r.tx(), d.get(3));
                Object a = d.get(1);
                attrs.add(a instanceof Keyword ? (Keyword) a : Keyword.of(((String) a).substring(1)));
            }
            check(attrs.containsAll(List.of(Keyword.of("person/name"), Keyword.of("person/age"), Keyword.of("person/friend"))), attrs.toString());

            Db db = Cairn.db(conn);
            eq(r.dbAfter(), db);
            Object names = Cairn.q("[:find ?n :in $ ?min :where [?e :person/name ?n] [?e :person/age ?a] [(>= ?a ?min)]]", List.of(db, 20L));
            eq(List.of(List.of("Petr")), names);
            eq(List.of(List.of("Ivan")), Cairn.q(Wire.edn("[:find ?n :where [?e :person/age 18] [?e :person/name ?n]]"), List.of(db)));
            eq(1, ((List<?>) Cairn.q("[:find ?n :where [_ :person/name ?n]]", List.of(db), 0L, 1L)).size());
            Map<String, Object> stats = Cairn.queryStats("[:find ?n :where [?e :person/name ?n]]", List.of(db));
            List<?> clauses = (List<?>) stats.get("stats");
            check(!clauses.isEmpty() && ((Map<?, ?>) clauses.get(0)).get("clause") != null && stats.get("ret") != null, stats.toString());
            check(!Cairn.explain("[:find ?n :where [?e :person/name ?n]]", List.of(db)).isEmpty(), "explain");

            Map<String, Object> p = Cairn.pull(db, Wire.edn("[:person/name {:person/friend [:person/name]}]"), List.of(":person/name", "Petr"));
            eq("Petr", p.get("person/name"));
            eq(List.of(Map.of("person/name", "Ivan")), p.get("person/friend"));
            List<Map<String, Object>> many = Cairn.pullMany(db, List.of(":person/name"), List.of(ivan, petr));
            eq(Map.of("person/name", "Ivan"), many.get(0));
            eq(null, Cairn.pull(db, List.of(":person/name"), 999999L));
            Object e = Cairn.entity(db, ivan);
            eq("Ivan", ((Map<?, ?>) e).get("person/name"));
            eq(List.of(Map.of("db/id", petr)), Wire.toPlain(Cairn.entity(db, ivan, ":person/_friend")));

            List<List<Object>> eavt = Cairn.datoms(db, IndexName.EAVT, List.of(ivan));
            eq(2, eavt.size());
            for (List<Object> d : eavt) {
                eq(ivan, d.get(0));
            }
            List<List<Object>> range = Cairn.indexRange(db, Keyword.of("person/age"), 10L, 20L);
            eq(1, range.size());
            eq(18L, range.get(0).get(2));
            check(!Cairn.seekDatoms(db, IndexName.AEVT, List.of(":person/name")).isEmpty(), "seek");
            check(!Cairn.rseekDatoms(db, IndexName.AEVT).isEmpty(), "rseek");

            Db before = Cairn.asOf(db, r.dbBefore().basisTx());
            eq(List.of(), Cairn.q("[:find ?n :where [_ :person/name ?n]]", List.of(before)));
            Cairn.transact(conn, List.of(List.of(":db/retract", ivan, ":person/age", 18L)));
            Db hist = Cairn.history(Cairn.db(conn));
            eq(":history", viewOf(hist));
            Object ages = Cairn.q("[:find ?a ?added :where [?e :person/age ?a _ ?added]]", List.of(hist));
            eq(3, ((List<?>) ages).size());
            Object sinceNames = Cairn.q("[:find ?n :where [_ :person/name ?n]]", List.of(Cairn.since(Cairn.db(conn), r.dbBefore().basisTx())));
            eq(2, ((List<?>) sinceNames).size());
            eq(List.of(), Cairn.q("[:find ?n :where [_ :person/name ?n]]", List.of(Cairn.since(Cairn.db(conn), r.tx()))));

            // Speculative transactions: the handles carry the transactions on
            // top of their commit, so they re-open as the same value.
            TxReport spec = Cairn.withTx(db, List.of(Map.of("person/name", "Oleg")));
            check(spec.txData().stream().anyMatch(d -> "Oleg".equals(d.get(2))), spec.toString());
            eq(db.basisTx() + 1, (long) spec.dbAfter().basisTx());
            Db speculative = Cairn.dbWith(db, Map.of("tx-data", List.of(Map.of("person/name", "Anna"))));
            eq(db.basisTx() + 1, (long) speculative.basisTx());
            eq(3, ((List<?>) Cairn.q("[:find ?n :where [_ :person/name ?n]]", List.of(spec.dbAfter()))).size());
            eq(3, ((List<?>) Cairn.q("[:find ?n :where [_ :person/name ?n]]", List.of(speculative))).size());
            eq(2, ((List<?>) Cairn.q("[:find ?n :where [_ :person/name ?n]]", List.of(Cairn.db(conn)))).size());

            Map<String, Object> schema = Cairn.schema(db);
            check(schema.containsKey("person/name"), schema.toString());
            check(!Cairn.reverseSchema(db).isEmpty(), "reverse schema");
            Metrics m = Cairn.metrics(db);
            check(m.count() > 0 && m.perAttrCounts().get("person/name") == 2L, m.toString());
        }
    }

    private static String viewOf(Db db) {
        return db.view() == null ? null : db.view().toWire().toString();
    }

    static void testValuesRoundTripThroughTheRuntime() throws Exception {
        Map<String, Object> cfg = memoryConfig("values");
        cfg.put("schema-flexibility", ":read");
        Cairn.createDatabase(cfg);
        try (Connection conn = Cairn.connect(cfg)) {
            BigInteger huge = new BigInteger("123456789012345678901234567890");
            Instant when = Instant.parse("2024-05-06T07:08:09.123Z");
            UUID id = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
            TxReport r = Cairn.transact(conn, List.of(Wire.map(
                    "db/id", -1,
                    "v/long", Long.MIN_VALUE,
                    "v/double", 2.5,
                    "v/text", "héllo 😀 \"q\" \\ \n",
                    "v/colon", Wire.literal(":not-a-keyword"),
                    "v/kw", Keyword.of("status/active"),
                    "v/inst", when,
                    "v/uuid", id,
                    "v/bool", false)));
            long e = r.tempids().get("-1");
            Map<String, Object> p = Cairn.pull(Cairn.db(conn), Wire.edn("[*]"), e);
            eq(Long.MIN_VALUE, p.get("v/long"));
            eq(2.5, p.get("v/double"));
            eq("héllo 😀 \"q\" \\ \n", p.get("v/text"));
            eq("\\:not-a-keyword", p.get("v/colon"));
            eq(":not-a-keyword", Wire.unescape((String) p.get("v/colon")));
            eq(":status/active", p.get("v/kw"));
            eq(when, Instant.parse((String) p.get("v/inst")));
            eq(id.toString(), p.get("v/uuid"));
            eq(false, p.get("v/bool"));
            // Big integers, decimals and sets cross exactly (as values of a query input).
            BigInteger u64 = new BigInteger("18446744073709551615");
            eq(List.of(List.of(huge)), Cairn.q("[:find ?x :in [?x ...]]", List.of(List.of(huge))));
            eq(List.of(List.of(u64)), Cairn.q("[:find ?x :in [?x ...]]", List.of(List.of(u64))));
            eq(List.of(List.of(huge.negate())), Cairn.q("[:find ?x :in [?x ...]]", List.of(List.of(huge.negate()))));
            eq("{\"#edn\":\"123456789012345678901234567890N\"}", Json.encodeWire(huge));
            eq("123456789012345678901234567890", Json.encode(huge));
            eq("[18446744073709551615,-9223372036854775808]", Json.encodeWire(List.of(u64, BigInteger.valueOf(Long.MIN_VALUE))));
            eq("{\"#edn\":\"1.50M\"}", Json.encodeWire(new java.math.BigDecimal("1.50")));
            Object set = Cairn.q("[:find ?x . :in ?x]", List.of(Wire.set(1L, 2L)));
            eq(Set.of(1L, 2L), new LinkedHashSet<>((List<?>) set));
        }
    }

    static void testTypedRoundTripOnARedbFile() throws Exception {
        Path dir = Files.createTempDirectory("cairn-java-");
        try {
            Map<String, Object> cfg = Wire.map("store", Wire.map("backend", ":redb", "path", dir.resolve("people.redb").toString()));
            Cairn.createDatabase(cfg);
            try (Connection conn = Cairn.connect(cfg)) {
                Cairn.transact(conn, SCHEMA);
                Cairn.transact(conn, List.of(Map.of("person/name", "Ivan", "person/age", 18L)));
            }
            // Durable: a new connection sees the data.
            long tx;
            try (Connection conn = Cairn.connect(cfg)) {
                Db db = Cairn.db(conn);
                tx = db.basisTx();
                eq(List.of(List.of("Ivan", 18L)), Cairn.q("[:find ?n ?a :where [?e :person/name ?n] [?e :person/age ?a]]", List.of(db)));
                ExportReport ex = Cairn.exportDb(db, dir.resolve("export.edn").toString());
                check(ex.datoms() > 0 && ex.maxTx() == tx, ex.toString());
                check(Files.size(dir.resolve("export.edn")) > 0, "export written");
                check(Cairn.gcStorage(conn).kept() >= 0, "gc");
            }
            Map<String, Object> copy = Wire.map("store", Wire.map("backend", ":redb", "path", dir.resolve("copy.redb").toString()));
            Cairn.createDatabase(copy);
            try (Connection conn = Cairn.connect(copy)) {
                ImportReport im = Cairn.importDb(conn, dir.resolve("export.edn").toString());
                check(im.datoms() > 0, im.toString());
                eq(List.of(List.of("Ivan")), Cairn.q("[:find ?n :where [?e :person/name ?n]]", List.of(Cairn.db(conn))));
            }
            Cairn.deleteDatabase(cfg);
            eq(false, Cairn.databaseExists(cfg));
            Cairn.deleteDatabase(copy);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    // ---- the script runner ----

    static void testScriptRunnerWritesTheTranscript() throws Exception {
        String store = "java-script-" + IDS.incrementAndGet();
        String cfg = "{\"store\": {\"backend\": \":memory\", \"id\": \"" + store + "\"}}";
        String script = "{\"spec-hash\": \"" + Cairn.SPEC_HASH + "\", \"cases\": ["
                + "{\"id\": \"scenario/a\", \"targets\": [\"python\", \"java\"], \"steps\": ["
                + "{\"op\": \"create-database\", \"args\": [" + cfg + "]},"
                + "{\"op\": \"connect\", \"args\": [" + cfg + "], \"save\": \"conn\"},"
                + "{\"op\": \"transact\", \"args\": [{\"$var\": \"conn\"}, [{\"db/ident\": \":name\", \"db/valueType\": \":db.type/string\", \"db/cardinality\": \":db.cardinality/one\"}]]},"
                + "{\"op\": \"transact\", \"args\": [{\"$var\": \"conn\"}, [{\"db/id\": -1, \"name\": \"Ivan\"}]], \"bind\": {\"ivan\": [\"tempids\", \"-1\"], \"first\": [\"tx-data\", 0, 0]}},"
                + "{\"op\": \"db\", \"args\": [{\"$var\": \"conn\"}], \"save\": \"db\"},"
                + "{\"op\": \"q\", \"args\": [{\"#edn\": \"[:find ?n . :in $ ?e :where [?e :name ?n]]\"}, [{\"$var\": \"db\"}, {\"$var\": \"ivan\"}]]},"
                + "{\"op\": \"datoms\", \"args\": [{\"$var\": \"db\"}, \":eavt\", [{\"$var\": \"ivan\"}]]},"
                + "{\"op\": \"q\", \"args\": [\"[:find\"]},"
                + "{\"op\": \"pull\", \"args\": [{\"$var\": \"nope\"}, [\"*\"], 1]},"
                + "{\"op\": \"database-exists?\", \"args\": []},"
                + "{\"op\": \"release\", \"args\": [{\"$var\": \"conn\"}]}"
                + "]},"
                + "{\"id\": \"python-only\", \"targets\": [\"python\"], \"steps\": []}]}";
        Path dir = Files.createTempDirectory("cairn-java-script-");
        Map<String, Object> t = ScriptRunner.run(Json.decode(script));
        eq("java", t.get("binding"));
        Map<?, ?> cases = (Map<?, ?>) t.get("cases");
        eq(Set.of("scenario/a"), cases.keySet());
        List<?> entries = (List<?>) cases.get("scenario/a");
        eq(11, entries.size());
        check(((Map<?, ?>) entries.get(0)).containsKey("ok"), entries.get(0).toString());
        Map<?, ?> conn = (Map<?, ?>) ((Map<?, ?>) entries.get(1)).get("ok");
        check(conn.containsKey("cairn/connection"), conn.toString());
        eq(Map.of("ok", "Ivan"), entries.get(5));
        List<?> datoms = (List<?>) ((Map<?, ?>) entries.get(6)).get("ok");
        eq(1, datoms.size());
        eq(Map.of("error", "syntax"), entries.get(7));
        eq(Map.of("error", "unbound"), entries.get(8));
        check(((Map<?, ?>) entries.get(9)).containsKey("ok") || ((Map<?, ?>) entries.get(9)).containsKey("error"), "no-arg overload ran");
        eq(Map.of("ok", Map.of()).keySet(), ((Map<?, ?>) entries.get(10)).keySet());
        eq(null, ((Map<?, ?>) entries.get(10)).get("ok"));
        // The transcript is JSON that reads back the same.
        Files.write(dir.resolve("t.json"), Json.encode(t).getBytes(StandardCharsets.UTF_8));
        eq(t, Json.decode(new String(Files.readAllBytes(dir.resolve("t.json")), StandardCharsets.UTF_8)));
        Files.delete(dir.resolve("t.json"));
        Files.delete(dir);
    }

    static void testEveryOpHasItsMethod() throws Exception {
        eq("databaseExists", Cairn.METHODS.get("database-exists?"));
        eq("withTx", Cairn.METHODS.get("with"));
        eq("pullMany", Cairn.METHODS.get("pull-many"));
        check(!Cairn.METHODS.containsKey("listen"), "Rust-only ops are not exposed");
        Set<String> names = new LinkedHashSet<>();
        for (Method m : Cairn.class.getMethods()) {
            names.add(m.getName());
        }
        for (String method : Cairn.METHODS.values()) {
            check(names.contains(method), "Cairn." + method + " exists");
        }
        // Overloads for trailing optional arguments: q takes 1 to 4.
        Set<Integer> arities = new LinkedHashSet<>();
        for (Method m : Cairn.class.getMethods()) {
            if (m.getName().equals("q")) {
                arities.add(m.getParameterCount());
            }
        }
        eq(Set.of(1, 2, 3, 4), arities);
    }
}
