//! Tests of the built-ins, including one per relevant expectation of the
//! conformance suites query-functions, query-predicates, query-aggregates.

#![allow(clippy::cloned_ref_to_slice_refs)]

use std::sync::Arc;

use bigdecimal::BigDecimal;
use num_bigint::BigInt;
use num_rational::BigRational;

use super::*;
use crate::error::ErrorKind;
use crate::value::Value;

fn call(name: &str, args: &[Value]) -> Result<Value> {
    match lookup(name) {
        Some(f) => f(args),
        None => panic!("no built-in {name}"),
    }
}

fn ok(name: &str, args: &[Value]) -> Value {
    match call(name, args) {
        Ok(v) => v,
        Err(e) => panic!("({name} {args:?}) failed: {e}"),
    }
}

fn err(name: &str, args: &[Value]) -> Error {
    match call(name, args) {
        Ok(v) => panic!("({name} {args:?}) gave {v:?}, expected an error"),
        Err(e) => e,
    }
}

fn agg(name: &str, extra: &[Value], values: &[Value]) -> Value {
    match aggregate(name, extra, values) {
        Ok(v) => v,
        Err(e) => panic!("aggregate {name} failed: {e}"),
    }
}

fn l(x: i64) -> Value {
    Value::Long(x)
}
fn d(x: f64) -> Value {
    Value::Double(x)
}
fn s(x: &str) -> Value {
    Value::str(x)
}
fn kw(x: &str) -> Value {
    Value::kw(x)
}
fn n(x: i64) -> Value {
    Value::bigint(BigInt::from(x))
}
fn r(a: i64, b: i64) -> Value {
    Value::Ratio(Arc::new(BigRational::new(BigInt::from(a), BigInt::from(b))))
}
fn m(x: &str) -> Value {
    Value::BigDec(Arc::new(x.parse::<BigDecimal>().unwrap()))
}
fn longs(xs: &[i64]) -> Vec<Value> {
    xs.iter().map(|x| l(*x)).collect()
}
fn vecv(xs: Vec<Value>) -> Value {
    Value::vector(xs)
}
fn inst(iso: &str) -> Value {
    let t = chrono::DateTime::parse_from_rfc3339(iso).unwrap();
    Value::Inst(t.timestamp_millis())
}
fn uuid(x: &str) -> Value {
    Value::Uuid(uuid::Uuid::parse_str(x).unwrap())
}
fn pr(v: &Value) -> String {
    print::pr_str1(v)
}
/// Asserts value and printed form (which distinguishes Long/BigInt/...).
fn same(v: Value, expected: &str) {
    assert_eq!(pr(&v), expected, "{v:?}");
}
fn t(v: Value) {
    assert_eq!(v, Value::Bool(true));
}
fn f(v: Value) {
    assert_eq!(v, Value::Bool(false));
}

// ------------------------------------------------------------- lookup

#[test]
fn lookup_names() {
    for name in [
        "=",
        "==",
        "not=",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "quot",
        "rem",
        "mod",
        "inc",
        "dec",
        "max",
        "min",
        "zero?",
        "pos?",
        "neg?",
        "even?",
        "odd?",
        "compare",
        "rand",
        "rand-int",
        "true?",
        "false?",
        "nil?",
        "some?",
        "not",
        "and",
        "or",
        "identical?",
        "identity",
        "meta",
        "name",
        "namespace",
        "type",
        "vector",
        "list",
        "set",
        "hash-map",
        "array-map",
        "count",
        "range",
        "not-empty",
        "empty?",
        "contains?",
        "str",
        "pr-str",
        "print-str",
        "println-str",
        "prn-str",
        "subs",
        "re-find",
        "re-matches",
        "re-seq",
        "-differ?",
        "ground",
        "before?",
        "after?",
        "tuple",
        "untuple",
        "clojure.core/str",
        "clojure.string/starts-with?",
        "str/starts-with?",
        "str/join",
        "clojure.core/max",
    ] {
        assert!(is_builtin(name), "{name}");
    }
    for name in [
        "get-else",
        "get-some",
        "missing?",
        "q",
        "complement",
        "foo",
        "str/nope",
    ] {
        assert!(!is_builtin(name), "{name}");
    }
    assert!(!is_builtin("clojure.core/ground"));
    for a in [
        "count",
        "count-distinct",
        "sum",
        "avg",
        "median",
        "variance",
        "stddev",
        "min",
        "max",
        "distinct",
        "rand",
        "sample",
    ] {
        assert!(is_aggregate(a), "{a}");
    }
    assert!(!is_aggregate("str"));
}

// --------------------------------------------------------- arithmetic

#[test]
fn addition_and_contagion() {
    same(ok("+", &[]), "0");
    same(ok("+", &[l(1), l(2), l(3)]), "6");
    same(ok("+", &[l(1), d(0.5)]), "1.5");
    same(ok("+", &[l(1), n(2)]), "3N");
    same(ok("+", &[r(1, 2), r(1, 2)]), "1N");
    same(ok("+", &[r(1, 2), l(1)]), "3/2");
    same(ok("+", &[m("1.5"), l(1)]), "2.5M");
    same(ok("+", &[m("1.50"), m("1.5")]), "3.00M");
    same(ok("+", &[m("1.5"), d(1.0)]), "2.5");
    same(ok("+", &[r(1, 2), d(0.25)]), "0.75");
    same(ok("+", &[r(1, 4), m("1")]), "1.25M");
    assert_eq!(err("+", &[r(1, 3), m("1")]).kind, ErrorKind::Other);
    let e = err("+", &[l(i64::MAX), l(1)]);
    assert!(e.message.contains("integer overflow"), "{}", e.message);
    assert_eq!(e.kind, ErrorKind::Other);
    same(ok("+", &[n(i64::MAX), l(1)]), "9223372036854775808N");
    let e = err("+", &[l(1), s("a")]);
    assert_eq!(e.kind, ErrorKind::Type);
    assert!(e.message.contains("\"a\""), "{}", e.message);
    assert_eq!(err("+", &[Value::Nil]).kind, ErrorKind::Type);
    same(ok("+", &[d(f64::MAX), d(f64::MAX)]), "##Inf");
}

#[test]
fn subtraction_multiplication() {
    same(ok("-", &[l(10), l(3)]), "7");
    same(ok("-", &[l(5)]), "-5");
    assert!(err("-", &[l(i64::MIN)]).message.contains("overflow"));
    assert!(err("-", &[l(i64::MIN), l(1)]).message.contains("overflow"));
    assert_eq!(err("-", &[]).kind, ErrorKind::Other);
    same(ok("*", &[]), "1");
    same(ok("*", &[l(10), l(2)]), "20");
    same(ok("*", &[l(2), r(1, 2)]), "1N");
    same(ok("*", &[m("1.5"), m("2.25")]), "3.375M");
    assert!(err("*", &[l(i64::MAX), l(2)]).message.contains("overflow"));
    same(ok("*", &[l(2), d(1.5)]), "3.0");
}

#[test]
fn division() {
    same(ok("/", &[l(4), l(2)]), "2");
    same(ok("/", &[l(1), l(2)]), "1/2");
    same(ok("/", &[l(-6), l(4)]), "-3/2");
    same(ok("/", &[l(6), l(-4)]), "-3/2");
    same(ok("/", &[l(2)]), "1/2");
    same(ok("/", &[l(12), l(2), l(3)]), "2");
    same(ok("/", &[n(4), l(2)]), "2N");
    same(ok("/", &[r(1, 2), r(1, 4)]), "2N");
    same(ok("/", &[l(1), d(4.0)]), "0.25");
    same(ok("/", &[m("1"), l(4)]), "0.25M");
    same(ok("/", &[m("6.00"), l(2)]), "3.00M");
    same(ok("/", &[m("1.0"), l(2)]), "0.5M");
    same(ok("/", &[m("1E+2"), l(1)]), "1E+2M");
    assert!(
        err("/", &[m("1"), l(3)])
            .message
            .contains("Non-terminating")
    );
    let e = err("/", &[l(1), l(0)]);
    assert!(e.message.contains("Divide by zero"), "{}", e.message);
    assert!(
        err("/", &[d(1.0), d(0.0)])
            .message
            .contains("Divide by zero")
    );
    assert!(
        err("/", &[m("1"), m("0.00")])
            .message
            .contains("Divide by zero")
    );
    assert!(matches!(ok("/", &[d(f64::NAN), l(0)]), Value::Double(x) if x.is_nan()));
    same(ok("/", &[l(i64::MIN), l(-1)]), "9223372036854775808N");
    assert_eq!(err("/", &[kw("a"), l(1)]).kind, ErrorKind::Type);
}

#[test]
fn quot_rem_mod() {
    same(ok("quot", &[l(10), l(3)]), "3");
    same(ok("quot", &[l(-7), l(2)]), "-3");
    same(ok("quot", &[l(i64::MIN), l(-1)]), &i64::MIN.to_string());
    same(ok("quot", &[d(7.5), l(2)]), "3.0");
    same(ok("quot", &[n(7), l(2)]), "3N");
    same(ok("quot", &[r(7, 2), l(1)]), "3N");
    same(ok("quot", &[m("7.5"), l(2)]), "3.0M");
    assert!(
        err("quot", &[l(1), l(0)])
            .message
            .contains("Divide by zero")
    );
    same(ok("rem", &[l(7), l(2)]), "1");
    same(ok("rem", &[l(-7), l(2)]), "-1");
    same(ok("rem", &[l(7), l(-2)]), "1");
    same(ok("rem", &[l(i64::MIN), l(-1)]), "0");
    same(ok("rem", &[d(5.5), l(2)]), "1.5");
    same(ok("rem", &[r(7, 2), l(2)]), "3/2");
    same(ok("rem", &[m("7.5"), l(2)]), "1.5M");
    assert!(err("rem", &[l(1), l(0)]).message.contains("Divide by zero"));
    same(ok("mod", &[l(-7), l(2)]), "1");
    same(ok("mod", &[l(7), l(-2)]), "-1");
    same(ok("mod", &[l(-7), l(-2)]), "-1");
    same(ok("mod", &[l(7), l(2)]), "1");
    same(ok("mod", &[l(-4), l(2)]), "0");
    same(ok("mod", &[d(-7.5), l(2)]), "0.5");
    assert!(err("mod", &[l(1), l(0)]).message.contains("Divide by zero"));
    assert_eq!(err("mod", &[l(1)]).kind, ErrorKind::Other);
}

#[test]
fn inc_dec_abs() {
    same(ok("inc", &[l(1)]), "2");
    same(ok("dec", &[l(1)]), "0");
    same(ok("inc", &[d(1.5)]), "2.5");
    same(ok("inc", &[r(1, 2)]), "3/2");
    same(ok("inc", &[n(1)]), "2N");
    same(ok("inc", &[m("1.5")]), "2.5M");
    assert!(
        err("inc", &[l(i64::MAX)])
            .message
            .contains("integer overflow")
    );
    assert!(
        err("dec", &[l(i64::MIN)])
            .message
            .contains("integer overflow")
    );
    assert_eq!(err("inc", &[s("x")]).kind, ErrorKind::Type);
    same(ok("abs", &[l(-3)]), "3");
    same(ok("abs", &[d(-1.5)]), "1.5");
    same(ok("abs", &[r(-1, 2)]), "1/2");
}

#[test]
fn numeric_predicates() {
    t(ok("zero?", &[l(0)]));
    t(ok("zero?", &[d(-0.0)]));
    t(ok("zero?", &[m("0.00")]));
    f(ok("zero?", &[l(1)]));
    t(ok("pos?", &[r(1, 2)]));
    f(ok("pos?", &[l(0)]));
    t(ok("neg?", &[n(-5)]));
    f(ok("neg?", &[d(f64::NAN)]));
    assert_eq!(err("zero?", &[Value::Nil]).kind, ErrorKind::Type);
    assert_eq!(err("pos?", &[s("1")]).kind, ErrorKind::Type);
    t(ok("even?", &[l(4)]));
    t(ok("even?", &[l(-4)]));
    t(ok("odd?", &[l(-3)]));
    t(ok("odd?", &[n(7)]));
    let e = err("even?", &[d(2.0)]);
    assert!(
        e.message.contains("Argument must be an integer"),
        "{}",
        e.message
    );
    assert_eq!(err("odd?", &[r(1, 2)]).kind, ErrorKind::Type);
    assert_eq!(err("even?", &[Value::Nil]).kind, ErrorKind::Type);
}

#[test]
fn numeric_max_min_qualified() {
    same(ok("clojure.core/max", &[l(1), l(3), l(2)]), "3");
    same(ok("clojure.core/max", &[l(1), d(1.0)]), "1.0");
    same(ok("clojure.core/min", &[l(1), d(2.0)]), "1");
    assert!(matches!(ok("clojure.core/max", &[l(1), d(f64::NAN)]), Value::Double(x) if x.is_nan()));
    assert_eq!(
        err("clojure.core/max", &[l(1), s("a")]).kind,
        ErrorKind::Type
    );
}

#[test]
fn datahike_max_min_are_aggregates() {
    // [(max ?coll) ?m] and [(max ?n ?coll) ?top] as Datahike binds them.
    same(ok("max", &[vecv(longs(&[3, 9, 1]))]), "9");
    same(ok("min", &[vecv(longs(&[3, 9, 1]))]), "1");
    same(ok("max", &[l(2), vecv(longs(&[3, 9, 1]))]), "[3 9]");
    same(ok("min", &[l(2), Value::set(longs(&[3, 9, 1]))]), "[1 3]");
    assert_eq!(err("max", &[l(1), l(2)]).kind, ErrorKind::Type);
}

#[test]
fn equality() {
    t(ok("=", &[l(1), l(1)]));
    f(ok("=", &[l(1), d(1.0)]));
    t(ok("=", &[l(1), n(1)]));
    t(ok("=", &[l(1)]));
    t(ok("=", &[s("a"), s("a"), s("a")]));
    f(ok("=", &[s("a"), s("a"), s("b")]));
    t(ok("=", &[vecv(longs(&[1])), Value::list(longs(&[1]))]));
    assert_eq!(err("=", &[]).kind, ErrorKind::Other);
    t(ok("==", &[l(1), d(1.0)]));
    t(ok("==", &[l(1), m("1.00")]));
    t(ok("==", &[r(1, 2), d(0.5)]));
    f(ok("==", &[d(f64::NAN), d(f64::NAN)]));
    assert_eq!(err("==", &[l(1), s("1")]).kind, ErrorKind::Type);
    t(ok("not=", &[l(1), d(1.0)]));
    f(ok("!=", &[l(1), l(1)]));
}

#[test]
fn comparisons() {
    t(ok("<", &[l(1), l(2), l(3)]));
    f(ok("<", &[l(1), l(3), l(3)]));
    t(ok("<=", &[l(1), l(3), l(3)]));
    t(ok("<", &[l(1)]));
    t(ok("<", &[l(1), d(1.5), r(7, 4), n(2)]));
    f(ok("<", &[l(1), d(f64::NAN)]));
    f(ok(">=", &[d(f64::NAN), l(1)]));
    t(ok(">", &[s("b"), s("a")]));
    t(ok("<", &[kw("a"), kw("b")]));
    t(ok("<", &[Value::Bool(false), Value::Bool(true)]));
    t(ok("<", &[vecv(longs(&[9])), vecv(longs(&[1, 2]))]));
    f(ok("<", &[s("a"), Value::Nil]));
    // Short-circuits like clojure.core/<: no error past the first false pair.
    f(ok("<", &[l(2), l(1), s("a")]));
    f(ok("==", &[l(2), l(1), s("a")]));
    t(ok(">", &[s("a"), Value::Nil]));
    let e = err("<", &[kw("a"), l(1)]);
    assert_eq!(e.kind, ErrorKind::Type);
    assert!(e.message.contains("Cannot compare :a"), "{}", e.message);
    assert_eq!(err("<", &[l(1), kw("a")]).kind, ErrorKind::Type);
    assert_eq!(err("<", &[s("a"), l(1)]).kind, ErrorKind::Type);
    assert_eq!(err("<", &[Value::Nil, l(1)]).kind, ErrorKind::Type);
    assert_eq!(err("<", &[]).kind, ErrorKind::Other);
    assert_eq!(
        err("<", &[inst("2020-01-01T00:00:00Z"), l(1)]).kind,
        ErrorKind::Type
    );
    assert_eq!(
        err("<", &[Value::set([l(1)]), Value::set([l(2)])]).kind,
        ErrorKind::Type
    );
}

#[test]
fn compare_values() {
    same(ok("compare", &[l(1), l(2)]), "-1");
    same(ok("compare", &[l(2), d(2.0)]), "0");
    same(ok("compare", &[d(3.0), l(2)]), "1");
    // String.compareTo gives the character difference, as on the JVM.
    same(ok("compare", &[s("a"), s("c")]), "-2");
    same(ok("compare", &[s("ab"), s("a")]), "1");
    same(ok("compare", &[s("a"), s("abc")]), "-2");
    same(ok("compare", &[kw("a"), kw("b")]), "-1");
    same(ok("compare", &[kw("x"), kw("a/b")]), "-1");
    same(ok("compare", &[Value::Nil, l(1)]), "-1");
    same(ok("compare", &[l(1), Value::Nil]), "1");
    same(ok("compare", &[Value::Nil, Value::Nil]), "0");
    same(ok("compare", &[Value::Bool(true), Value::Bool(false)]), "1");
    same(
        ok("compare", &[vecv(longs(&[1, 2])), vecv(longs(&[1, 3]))]),
        "-1",
    );
    same(
        ok("compare", &[vecv(longs(&[1])), vecv(longs(&[0, 0]))]),
        "-1",
    );
    assert_eq!(err("compare", &[s("a"), l(1)]).kind, ErrorKind::Type);
    assert_eq!(
        err("compare", &[Value::list(vec![]), Value::list(vec![])]).kind,
        ErrorKind::Type
    );
}

#[test]
fn before_after() {
    let a = inst("2001-01-01T00:00:00Z");
    let b = inst("2005-06-01T00:00:00Z");
    t(ok("before?", &[a.clone(), b.clone()]));
    f(ok("before?", &[b.clone(), b.clone()]));
    t(ok("after?", &[b.clone(), a.clone()]));
    f(ok("after?", &[a.clone(), b.clone()]));
    t(ok("<=", &[a.clone(), b.clone(), b.clone()]));
    t(ok(">=", &[b.clone(), a.clone()]));
}

#[test]
fn logic() {
    t(ok("true?", &[Value::Bool(true)]));
    f(ok("true?", &[l(1)]));
    t(ok("false?", &[Value::Bool(false)]));
    f(ok("false?", &[Value::Nil]));
    t(ok("nil?", &[Value::Nil]));
    t(ok("some?", &[Value::Bool(false)]));
    t(ok("not", &[Value::Nil]));
    f(ok("not", &[l(0)]));
    assert_eq!(ok("and", &[]), Value::Bool(true));
    assert_eq!(ok("and", &[l(1), l(2)]), l(2));
    assert_eq!(ok("and", &[l(1), Value::Nil, l(2)]), Value::Nil);
    assert_eq!(ok("or", &[]), Value::Nil);
    assert_eq!(ok("or", &[Value::Nil, l(2), l(3)]), l(2));
    assert_eq!(
        ok("or", &[Value::Nil, Value::Bool(false)]),
        Value::Bool(false)
    );
    t(ok("identical?", &[kw("a"), kw("a")]));
    t(ok("identical?", &[l(5), l(5)]));
    f(ok("identical?", &[l(500), l(500)]));
    let v = s("x");
    t(ok("identical?", &[v.clone(), v.clone()]));
    f(ok("identical?", &[s("x"), s("x")]));
    assert_eq!(ok("identity", &[l(5)]), l(5));
    assert_eq!(ok("meta", &[vecv(vec![])]), Value::Nil);
    assert_eq!(err("identity", &[]).kind, ErrorKind::Other);
    t(ok("-differ?", &[l(1), l(2), l(1), l(3)]));
    f(ok("-differ?", &[l(1), l(2), l(1), l(2)]));
    f(ok("-differ?", &[]));
}

#[test]
fn names_types_conversions() {
    assert_eq!(ok("name", &[kw("a/b")]), s("b"));
    assert_eq!(ok("name", &[Value::sym("x")]), s("x"));
    assert_eq!(ok("name", &[s("str")]), s("str"));
    assert_eq!(err("name", &[l(1)]).kind, ErrorKind::Type);
    assert_eq!(ok("namespace", &[kw("a/b")]), s("a"));
    assert_eq!(ok("namespace", &[kw("b")]), Value::Nil);
    assert_eq!(err("namespace", &[s("a/b")]).kind, ErrorKind::Type);
    assert_eq!(ok("type", &[l(1)]), Value::sym("java.lang.Long"));
    assert_eq!(ok("type", &[s("")]), Value::sym("java.lang.String"));
    assert_eq!(ok("type", &[kw("k")]), Value::sym("clojure.lang.Keyword"));
    assert_eq!(ok("type", &[Value::Nil]), Value::Nil);
    assert_eq!(ok("keyword", &[s("a")]), kw("a"));
    assert_eq!(ok("keyword", &[s("ns"), s("a")]), kw("ns/a"));
    assert_eq!(ok("keyword", &[Value::sym("x/y")]), kw("x/y"));
    assert_eq!(ok("keyword", &[l(1)]), Value::Nil);
    assert_eq!(ok("symbol", &[s("a")]), Value::sym("a"));
    assert_eq!(ok("symbol", &[kw("a/b")]), Value::sym("a/b"));
    assert_eq!(err("symbol", &[l(1)]).kind, ErrorKind::Type);
    same(ok("int", &[d(3.9)]), "3");
    same(ok("int", &[Value::Char('a')]), "97");
    assert!(
        err("int", &[l(3_000_000_000)])
            .message
            .contains("out of range")
    );
    same(ok("long", &[d(-3.9)]), "-3");
    same(ok("long", &[r(7, 2)]), "3");
    same(ok("long", &[n(5)]), "5");
    assert!(
        err("long", &[d(f64::INFINITY)])
            .message
            .contains("out of range")
    );
    same(ok("double", &[l(1)]), "1.0");
    same(ok("double", &[r(1, 4)]), "0.25");
    same(ok("float", &[l(2)]), "2.0");
    assert_eq!(err("double", &[s("1")]).kind, ErrorKind::Type);
    same(ok("bigint", &[l(3)]), "3N");
    same(ok("bigdec", &[l(3)]), "3M");
    same(ok("bigdec", &[d(1.5)]), "1.5M");
    same(ok("bigdec", &[r(1, 4)]), "0.25M");
    t(ok("boolean", &[l(0)]));
    f(ok("boolean", &[Value::Nil]));
    same(ok("parse-long", &[s("42")]), "42");
    same(ok("parse-long", &[s("4x")]), "nil");
    same(ok("parse-double", &[s("1.5")]), "1.5");
    same(ok("char", &[l(97)]), "\\a");
}

#[test]
fn type_predicates() {
    let cases: &[(&str, Value, bool)] = &[
        ("boolean?", Value::Bool(false), true),
        ("string?", s(""), true),
        ("string?", kw("a"), false),
        ("keyword?", kw("a"), true),
        ("symbol?", Value::sym("a"), true),
        ("number?", r(1, 2), true),
        ("number?", s("1"), false),
        ("integer?", n(1), true),
        ("integer?", d(1.0), false),
        ("int?", l(1), true),
        ("int?", n(1), false),
        ("float?", d(1.0), true),
        ("double?", d(1.0), true),
        ("ratio?", r(1, 2), true),
        ("decimal?", m("1.0"), true),
        ("vector?", vecv(vec![]), true),
        ("vector?", Value::list(vec![]), false),
        ("list?", Value::list(vec![]), true),
        ("map?", Value::map([]), true),
        ("set?", Value::set([]), true),
        ("coll?", Value::set([]), true),
        ("coll?", s("ab"), false),
        ("seq?", Value::list(vec![]), true),
        ("seq?", vecv(vec![]), false),
        ("uuid?", uuid("0a000000-0000-4000-8000-000000000001"), true),
        ("inst?", inst("2020-01-01T00:00:00Z"), true),
        ("nat-int?", l(0), true),
        ("nat-int?", l(-1), false),
        ("pos-int?", l(1), true),
        ("pos-int?", l(0), false),
        ("neg-int?", l(-1), true),
        ("neg-int?", n(-1), false),
    ];
    for (name, v, want) in cases {
        assert_eq!(
            ok(name, std::slice::from_ref(v)),
            Value::Bool(*want),
            "{name} {v:?}"
        );
    }
    assert_eq!(err("string?", &[]).kind, ErrorKind::Other);
}

// -------------------------------------------------------- collections

#[test]
fn constructors() {
    same(ok("vector", &[l(1), s("a")]), "[1 \"a\"]");
    same(ok("tuple", &[s("Ada"), l(15)]), "[\"Ada\" 15]");
    same(ok("list", &[l(1), l(2)]), "(1 2)");
    same(ok("set", &[vecv(longs(&[1, 2, 1]))]), "#{1 2}");
    same(ok("set", &[Value::Nil]), "#{}");
    assert_eq!(err("set", &[l(1)]).kind, ErrorKind::Type);
    assert_eq!(
        ok("hash-map", &[kw("id"), l(7), kw("label"), s("box")]),
        Value::map([(kw("id"), l(7)), (kw("label"), s("box"))])
    );
    same(ok("array-map", &[]), "{}");
    let e = err("hash-map", &[kw("a")]);
    assert!(e.message.contains("No value supplied for key: :a"));
    assert_eq!(ok("ground", &[vecv(vec![s("red")])]), vecv(vec![s("red")]));
    assert_eq!(ok("untuple", &[vecv(longs(&[1, 2]))]), vecv(longs(&[1, 2])));
}

#[test]
fn count_and_emptiness() {
    same(ok("count", &[s("hello")]), "5");
    same(ok("count", &[s("😀")]), "2");
    same(ok("count", &[Value::Nil]), "0");
    same(ok("count", &[Value::map([(l(1), l(2))])]), "1");
    same(ok("count", &[vecv(longs(&[1, 2, 3]))]), "3");
    let e = err("count", &[l(5)]);
    assert!(e.message.contains("count not supported"), "{}", e.message);
    // Datahike binds empty? to `empty`: truthy for any collection.
    same(ok("empty?", &[vecv(longs(&[1]))]), "[]");
    same(ok("empty?", &[Value::set([l(1)])]), "#{}");
    same(ok("empty?", &[Value::map([(l(1), l(2))])]), "{}");
    same(ok("empty?", &[Value::Nil]), "nil");
    same(ok("empty?", &[s("abc")]), "nil");
    t(ok("clojure.core/empty?", &[vecv(vec![])]));
    f(ok("clojure.core/empty?", &[s("a")]));
    same(ok("not-empty", &[vecv(vec![])]), "nil");
    same(ok("not-empty", &[s("")]), "nil");
    same(ok("not-empty", &[vecv(longs(&[1]))]), "[1]");
    assert_eq!(err("not-empty", &[l(1)]).kind, ErrorKind::Type);
}

#[test]
fn range_fn() {
    same(ok("range", &[l(3)]), "(0 1 2)");
    same(ok("range", &[l(1), l(4)]), "(1 2 3)");
    same(ok("range", &[l(10), l(0), l(-3)]), "(10 7 4 1)");
    same(ok("range", &[l(0), l(1), d(0.25)]), "(0 0.25 0.5 0.75)");
    same(ok("range", &[l(0)]), "()");
    same(ok("range", &[l(3), l(3), l(0)]), "()");
    assert_eq!(err("range", &[l(0), l(3), l(0)]).kind, ErrorKind::Other);
    assert_eq!(err("range", &[s("a")]).kind, ErrorKind::Type);
    assert!(err("range", &[l(i64::MAX)]).message.contains("more than"));
}

#[test]
fn contains_get_nth() {
    let set = Value::set([s("Ann"), s("Cid")]);
    t(ok("contains?", &[set.clone(), s("Ann")]));
    f(ok("contains?", &[set, s("Bea")]));
    t(ok(
        "contains?",
        &[Value::map([(kw("a"), Value::Nil)]), kw("a")],
    ));
    t(ok("contains?", &[vecv(longs(&[5, 6])), l(1)]));
    f(ok("contains?", &[vecv(longs(&[5, 6])), l(2)]));
    f(ok("contains?", &[Value::Nil, l(2)]));
    t(ok("contains?", &[Value::set([l(1)]), n(1)]));
    f(ok("contains?", &[Value::set([l(1)]), d(1.0)]));
    assert_eq!(
        err("contains?", &[Value::list(longs(&[1])), l(0)]).kind,
        ErrorKind::Other
    );
    let mp = Value::map([(kw("a"), Value::map([(kw("b"), l(1))]))]);
    assert_eq!(ok("get", &[mp.clone(), kw("a")]).get_kw("b"), Some(&l(1)));
    assert_eq!(ok("get", &[mp.clone(), kw("x"), l(9)]), l(9));
    assert_eq!(ok("get", &[vecv(longs(&[5, 6])), l(1)]), l(6));
    assert_eq!(ok("get", &[l(5), l(1)]), Value::Nil);
    assert_eq!(
        ok("get-in", &[mp.clone(), vecv(vec![kw("a"), kw("b")])]),
        l(1)
    );
    assert_eq!(
        ok("get-in", &[mp, vecv(vec![kw("z"), kw("b")]), l(0)]),
        l(0)
    );
    assert_eq!(ok("nth", &[vecv(longs(&[5, 6])), l(1)]), l(6));
    assert_eq!(ok("nth", &[s("abc"), l(1)]), Value::Char('b'));
    assert_eq!(ok("nth", &[vecv(longs(&[5])), l(3), kw("nf")]), kw("nf"));
    assert_eq!(
        err("nth", &[vecv(longs(&[5])), l(3)]).kind,
        ErrorKind::Other
    );
    assert_eq!(ok("nth", &[Value::Nil, l(3)]), Value::Nil);
}

#[test]
fn sequences() {
    let v = vecv(longs(&[1, 2, 3]));
    assert_eq!(ok("first", &[v.clone()]), l(1));
    assert_eq!(ok("second", &[v.clone()]), l(2));
    assert_eq!(ok("last", &[v.clone()]), l(3));
    same(ok("rest", &[v.clone()]), "(2 3)");
    same(ok("rest", &[Value::Nil]), "()");
    same(ok("next", &[vecv(longs(&[1]))]), "nil");
    assert_eq!(ok("first", &[Value::Nil]), Value::Nil);
    assert_eq!(ok("first", &[s("ab")]), Value::Char('a'));
    assert_eq!(err("first", &[l(1)]).kind, ErrorKind::Type);
    same(ok("conj", &[v.clone(), l(4)]), "[1 2 3 4]");
    same(ok("conj", &[Value::list(longs(&[1])), l(0)]), "(0 1)");
    same(ok("conj", &[Value::Nil, l(0)]), "(0)");
    same(
        ok("conj", &[Value::map([]), vecv(vec![kw("a"), l(1)])]),
        "{:a 1}",
    );
    same(ok("into", &[Value::set([]), v.clone()]), "#{1 2 3}");
    same(
        ok("into", &[vecv(vec![]), Value::map([(kw("a"), l(1))])]),
        "[[:a 1]]",
    );
    same(
        ok("concat", &[v.clone(), Value::list(longs(&[4]))]),
        "(1 2 3 4)",
    );
    same(ok("cons", &[l(0), v.clone()]), "(0 1 2 3)");
    same(ok("reverse", &[v.clone()]), "(3 2 1)");
    same(ok("sort", &[vecv(longs(&[3, 1, 2]))]), "(1 2 3)");
    assert_eq!(
        err("sort", &[vecv(vec![l(1), s("a")])]).kind,
        ErrorKind::Type
    );
    same(ok("take", &[l(2), v.clone()]), "(1 2)");
    same(ok("drop", &[l(2), v.clone()]), "(3)");
    same(ok("distinct", &[vecv(longs(&[1, 2, 1]))]), "(1 2)");
    same(ok("vec", &[Value::list(longs(&[1]))]), "[1]");
    let mp = Value::map([(kw("a"), l(1)), (kw("b"), l(2))]);
    same(ok("keys", &[mp.clone()]), "(:a :b)");
    same(ok("vals", &[mp.clone()]), "(1 2)");
    same(
        ok("assoc", &[mp.clone(), kw("c"), l(3)]),
        "{:a 1, :b 2, :c 3}",
    );
    same(ok("dissoc", &[mp.clone(), kw("a")]), "{:b 2}");
    same(
        ok("merge", &[mp, Value::map([(kw("a"), l(9))])]),
        "{:a 9, :b 2}",
    );
    same(ok("frequencies", &[vecv(longs(&[1, 1, 2]))]), "{1 2, 2 1}");
}

// ------------------------------------------------------------ strings

#[test]
fn str_and_printing() {
    same(ok("str", &[s("A"), s("da")]), "\"Ada\"");
    assert_eq!(ok("str", &[]), s(""));
    assert_eq!(ok("str", &[Value::Nil]), s(""));
    assert_eq!(
        ok("str", &[l(1), d(1.0), n(1), m("1.5"), r(1, 2)]),
        s("11.011.51/2")
    );
    assert_eq!(
        ok("str", &[kw("a/b"), Value::sym("c"), Value::Char('x')]),
        s(":a/bcx")
    );
    assert_eq!(ok("str", &[Value::Bool(true)]), s("true"));
    assert_eq!(
        ok("str", &[d(1e7), d(1.5e-4), d(123456.7)]),
        s("1.0E71.5E-4123456.7")
    );
    assert_eq!(
        ok("str", &[d(f64::NAN), d(f64::NEG_INFINITY)]),
        s("NaN-Infinity")
    );
    assert_eq!(
        ok("str", &[vecv(vec![s("a"), Value::Nil])]),
        s("[\"a\" nil]")
    );
    assert_eq!(
        ok("str", &[uuid("0a000000-0000-4000-8000-000000000001")]),
        s("0a000000-0000-4000-8000-000000000001")
    );
    assert_eq!(
        ok("str", &[inst("2020-01-01T00:00:00Z")]),
        s("Wed Jan 01 00:00:00 UTC 2020")
    );
    assert_eq!(ok("str", &[m("1E+3")]), s("1E+3"));
    assert_eq!(ok("str", &[m("0.0000001")]), s("1E-7"));
    assert_eq!(ok("str", &[m("0.000001")]), s("0.000001"));
    assert_eq!(ok("pr-str", &[s("a\"b"), l(1)]), s("\"a\\\"b\" 1"));
    assert_eq!(
        ok("pr-str", &[Value::Nil, n(2), m("2.50")]),
        s("nil 2N 2.50M")
    );
    assert_eq!(
        ok("pr-str", &[Value::Char('\n'), Value::Char('a')]),
        s("\\newline \\a")
    );
    assert_eq!(ok("pr-str", &[d(f64::INFINITY)]), s("##Inf"));
    assert_eq!(
        ok("pr-str", &[Value::map([(kw("a"), l(1)), (kw("b"), l(2))])]),
        s("{:a 1, :b 2}")
    );
    assert_eq!(
        ok("pr-str", &[inst("2020-01-01T00:00:00Z")]),
        s("#inst \"2020-01-01T00:00:00.000-00:00\"")
    );
    assert_eq!(ok("prn-str", &[s("a")]), s("\"a\"\n"));
    assert_eq!(
        ok("print-str", &[s("a"), Value::Nil, vecv(vec![s("b")])]),
        s("a nil [b]")
    );
    assert_eq!(ok("println-str", &[s("a"), l(1)]), s("a 1\n"));
}

#[test]
fn subs_fn() {
    assert_eq!(ok("subs", &[s("datalog"), l(0), l(3)]), s("dat"));
    assert_eq!(ok("subs", &[s("datalog"), l(3)]), s("alog"));
    assert_eq!(ok("subs", &[s("abc"), l(3)]), s(""));
    assert_eq!(err("subs", &[s("abc"), l(4)]).kind, ErrorKind::Other);
    assert_eq!(err("subs", &[s("abc"), l(2), l(1)]).kind, ErrorKind::Other);
    assert_eq!(err("subs", &[s("abc"), l(-1)]).kind, ErrorKind::Other);
    assert_eq!(err("subs", &[l(1), l(0)]).kind, ErrorKind::Type);
    assert_eq!(err("subs", &[s("abc"), d(1.0)]).kind, ErrorKind::Type);
    assert_eq!(err("subs", &[s("abc")]).kind, ErrorKind::Other);
    assert_eq!(ok("subs", &[s("h😀x"), l(1), l(3)]), s("😀"));
}

#[test]
fn regexes() {
    assert_eq!(ok("re-find", &[s(r"\d+"), s("ab12cd34")]), s("12"));
    assert_eq!(ok("re-find", &[s(r"\d+"), s("abcd")]), Value::Nil);
    assert_eq!(
        ok("re-find", &[s(r"(\w)(\d)?"), s("a")]),
        vecv(vec![s("a"), s("a"), Value::Nil])
    );
    assert_eq!(ok("re-matches", &[s(r"\d+"), s("12a")]), Value::Nil);
    assert_eq!(ok("re-matches", &[s(r"\d+"), s("123")]), s("123"));
    assert_eq!(ok("re-matches", &[s("a|ab"), s("ab")]), s("ab"));
    assert_eq!(
        ok("re-matches", &[s(r"(\d)-(\d)"), s("1-2")]),
        vecv(vec![s("1-2"), s("1"), s("2")])
    );
    same(ok("re-seq", &[s(r"\d"), s("a1b2")]), "(\"1\" \"2\")");
    same(ok("re-seq", &[s(r"\d"), s("ab")]), "nil");
    let p = ok("re-pattern", &[s("a.c")]);
    same(p.clone(), "#\"a.c\"");
    assert_eq!(ok("str", &[p.clone()]), s("a.c"));
    assert_eq!(ok("re-find", &[p, s("xabcx")]), s("abc"));
    assert_eq!(err("re-find", &[s("("), s("x")]).kind, ErrorKind::Other);
    assert_eq!(err("re-find", &[l(1), s("x")]).kind, ErrorKind::Type);
    assert_eq!(err("re-find", &[s("a"), Value::Nil]).kind, ErrorKind::Type);
}

#[test]
fn clojure_string() {
    t(ok(
        "clojure.string/starts-with?",
        &[s("datalog"), s("data")],
    ));
    t(ok("str/starts-with?", &[s("datalog"), s("data")]));
    f(ok("str/ends-with?", &[s("datalog"), s("data")]));
    t(ok("str/includes?", &[s("datalog"), s("tal")]));
    assert_eq!(
        err("str/includes?", &[Value::Nil, s("a")]).kind,
        ErrorKind::Type
    );
    t(ok("str/blank?", &[Value::Nil]));
    t(ok("str/blank?", &[s(" \t\n")]));
    f(ok("str/blank?", &[s(" a ")]));
    assert_eq!(ok("str/lower-case", &[s("AbC")]), s("abc"));
    assert_eq!(ok("str/upper-case", &[s("AbC")]), s("ABC"));
    assert_eq!(ok("str/upper-case", &[kw("a")]), s(":A"));
    assert_eq!(ok("str/capitalize", &[s("hELLO")]), s("Hello"));
    assert_eq!(ok("str/trim", &[s("  a b \n")]), s("a b"));
    assert_eq!(ok("str/triml", &[s("  a ")]), s("a "));
    assert_eq!(ok("str/trimr", &[s("  a ")]), s("  a"));
    assert_eq!(ok("str/trim-newline", &[s("a\r\n")]), s("a"));
    assert_eq!(
        ok("str/join", &[vecv(vec![s("a"), l(1), Value::Nil])]),
        s("a1")
    );
    assert_eq!(
        ok("str/join", &[s(", "), vecv(vec![s("a"), s("b")])]),
        s("a, b")
    );
    same(
        ok("str/split", &[s("a,b,,c,,"), s(",")]),
        "[\"a\" \"b\" \"\" \"c\"]",
    );
    same(ok("str/split", &[s(",a"), s(",")]), "[\"\" \"a\"]");
    same(ok("str/split", &[s("abc"), s("")]), "[\"a\" \"b\" \"c\"]");
    same(
        ok("str/split", &[s("a,b,c"), s(","), l(2)]),
        "[\"a\" \"b,c\"]",
    );
    same(
        ok("str/split", &[s("a,b,,"), s(","), l(-1)]),
        "[\"a\" \"b\" \"\" \"\"]",
    );
    same(ok("str/split", &[s(""), s(",")]), "[\"\"]");
    same(
        ok("str/split-lines", &[s("a\nb\r\nc")]),
        "[\"a\" \"b\" \"c\"]",
    );
    assert_eq!(ok("str/replace", &[s("a.b.c"), s("."), s("-")]), s("a-b-c"));
    assert_eq!(
        ok(
            "str/replace",
            &[s("aXb"), Value::Char('X'), Value::Char('Y')]
        ),
        s("aYb")
    );
    let re = ok("re-pattern", &[s(r"(\d+)")]);
    assert_eq!(
        ok("str/replace", &[s("a1b22"), re.clone(), s("<$1>")]),
        s("a<1>b<22>")
    );
    assert_eq!(
        ok("str/replace-first", &[s("a1b22"), re, s("#")]),
        s("a#b22")
    );
    assert_eq!(ok("str/reverse", &[s("abc")]), s("cba"));
    assert_eq!(ok("str/index-of", &[s("abcabc"), s("c")]), l(2));
    assert_eq!(ok("str/index-of", &[s("abcabc"), s("c"), l(3)]), l(5));
    assert_eq!(ok("str/index-of", &[s("abc"), s("z")]), Value::Nil);
    assert_eq!(ok("str/last-index-of", &[s("abcabc"), s("c")]), l(5));
    assert_eq!(
        ok(
            "str/escape",
            &[s("a<b"), Value::map([(Value::Char('<'), s("&lt;"))])]
        ),
        s("a&lt;b")
    );
}

// --------------------------------------------------------- randomness

#[test]
fn random_functions() {
    for _ in 0..100 {
        match ok("rand", &[]) {
            Value::Double(x) => assert!((0.0..1.0).contains(&x)),
            v => panic!("{v:?}"),
        }
        match ok("rand-int", &[l(5)]) {
            Value::Long(x) => assert!((0..5).contains(&x)),
            v => panic!("{v:?}"),
        }
    }
    assert!(matches!(ok("rand", &[l(10)]), Value::Double(x) if (0.0..10.0).contains(&x)));
    assert_eq!(ok("rand-int", &[l(0)]), l(0));
}

// --------------------------------------------------------- aggregates

#[test]
fn aggregate_basics() {
    let xs = longs(&[10, 3, 1, 4, 2]);
    same(agg("count", &[], &xs), "5");
    same(
        agg("count-distinct", &[], &longs(&[33, 48, 48, 33, 60])),
        "3",
    );
    same(agg("count-distinct", &[], &[l(1), d(1.0), n(1)]), "2");
    same(agg("sum", &[], &xs), "20");
    same(agg("sum", &[], &[]), "0");
    same(agg("sum", &[], &[l(1), d(0.5)]), "1.5");
    same(agg("sum", &[], &[r(1, 2), r(1, 2)]), "1N");
    assert!(aggregate("sum", &[], &[l(i64::MAX), l(1)]).is_err());
    assert_eq!(
        aggregate("sum", &[], &[s("a")]).unwrap_err().kind,
        ErrorKind::Type
    );
    same(agg("avg", &[], &longs(&[1, 2])), "3/2");
    same(agg("avg", &[], &longs(&[10, 15, 20, 35, 75])), "31");
    same(agg("median", &[], &longs(&[3, 1, 2])), "2");
    same(agg("median", &[], &longs(&[1, 2])), "3/2");
    same(agg("median", &[], &[kw("b"), kw("a"), kw("c")]), ":b");
    same(agg("variance", &[], &longs(&[10, 15, 20, 35, 75])), "554");
    same(agg("variance", &[], &longs(&[1, 2])), "1/4");
    same(
        agg("stddev", &[], &longs(&[10, 15, 20, 35, 75])),
        "23.53720459187964",
    );
    same(agg("stddev", &[], &longs(&[1, 2])), "0.5");
    same(agg("distinct", &[], &longs(&[1, 2, 1])), "#{1 2}");
    same(agg("min", &[], &[s("Kai"), s("Lea"), s("Abe")]), "\"Abe\"");
    same(agg("max", &[], &[l(1), d(3.5), l(2)]), "3.5");
    assert!(aggregate("min", &[], &[l(1), s("a")]).is_err());
    assert!(aggregate("count", &[l(1)], &xs).is_err());
    assert!(aggregate("sample", &[], &xs).is_err());
    assert!(aggregate("nope", &[], &xs).is_err());
    assert!(aggregate("avg", &[], &[]).is_err());
    same(agg("min", &[], &[]), "nil");
}

#[test]
fn aggregate_n_and_random() {
    same(agg("min", &[l(2)], &longs(&[5, 1, 4, 2, 3])), "[1 2]");
    same(agg("max", &[l(2)], &longs(&[5, 1, 4, 2, 3])), "[4 5]");
    same(agg("max", &[l(10)], &longs(&[5, 1])), "[1 5]");
    same(agg("min", &[l(0)], &longs(&[5, 1])), "[]");
    assert!(aggregate("max", &[s("2")], &longs(&[1])).is_err());
    let xs = longs(&[1, 2, 3, 4]);
    let one = agg("rand", &[], &xs);
    assert!(xs.contains(&one));
    match agg("rand", &[l(5)], &xs) {
        Value::Vector(v) => {
            assert_eq!(v.len(), 5);
            assert!(v.iter().all(|x| xs.contains(x)));
        }
        v => panic!("{v:?}"),
    }
    match agg("sample", &[l(3)], &xs) {
        Value::Vector(v) => {
            assert_eq!(v.len(), 3);
            let set: std::collections::BTreeSet<_> = v.iter().collect();
            assert_eq!(set.len(), 3);
        }
        v => panic!("{v:?}"),
    }
    same(agg("sample", &[l(9)], &longs(&[7])), "[7]");
}

// ------------------------------------------------ conformance: functions

#[test]
fn conf_functions_plus_then_equality() {
    // [(+ ?a1 ?a2) ?a12] [(= ?a12 ?a3)] with ages 15, 22 → 37.
    let sum = ok("+", &[l(15), l(22)]);
    t(ok("=", &[sum, l(37)]));
}

#[test]
fn conf_functions_arithmetic_builtins() {
    // [(- ?a 3) ?d] [(* ?a 2) ?p] [(quot ?a 3) ?q] [(dec ?a) ?m] with ?a 10 → [7 20 3 9].
    assert_eq!(ok("-", &[l(10), l(3)]), l(7));
    assert_eq!(ok("*", &[l(10), l(2)]), l(20));
    assert_eq!(ok("quot", &[l(10), l(3)]), l(3));
    assert_eq!(ok("dec", &[l(10)]), l(9));
}

#[test]
fn conf_functions_count_of_string() {
    assert_eq!(ok("count", &[s("xy")]), l(2));
    assert_eq!(ok("count", &[s("hello")]), l(5));
}

#[test]
fn conf_functions_subs() {
    assert_eq!(ok("subs", &[s("datalog"), l(0), l(3)]), s("dat"));
    assert_eq!(ok("subs", &[s("datalog"), l(3)]), s("alog"));
}

#[test]
fn conf_functions_tuple_builds_vector() {
    assert_eq!(ok("tuple", &[s("Ada"), l(15)]), vecv(vec![s("Ada"), l(15)]));
    assert_eq!(ok("tuple", &[s("Cy"), l(37)]), vecv(vec![s("Cy"), l(37)]));
}

#[test]
fn conf_functions_ground() {
    let c = vecv(vec![s("red"), s("green"), s("blue")]);
    assert_eq!(ok("ground", std::slice::from_ref(&c)), c);
    let t3 = vecv(vec![kw("p"), kw("q"), kw("r")]);
    assert_eq!(ok("ground", std::slice::from_ref(&t3)), t3);
}

#[test]
fn conf_functions_hash_map() {
    assert_eq!(
        ok("hash-map", &[kw("id"), l(7), kw("label"), s("box")]),
        Value::map([(kw("id"), l(7)), (kw("label"), s("box"))])
    );
}

#[test]
fn conf_functions_str_concat() {
    assert_eq!(ok("str", &[s("A"), s("da")]), s("Ada"));
}

#[test]
fn conf_functions_identity() {
    assert_eq!(ok("identity", &[l(5)]), l(5));
    assert_ne!(ok("identity", &[l(5)]), ok("identity", &[l(6)]));
    assert_eq!(ok("identity", &[l(44)]), l(44));
}

// ----------------------------------------------- conformance: predicates

#[test]
fn conf_predicates_greater_than_filter() {
    f(ok(">", &[l(18), l(18)]));
    t(ok(">", &[l(30), l(18)]));
}

#[test]
fn conf_predicates_join_and_inputs() {
    t(ok("<", &[l(10), l(20)]));
    f(ok("<", &[l(20), l(10)]));
    t(ok(">", &[l(10), l(9)]));
    f(ok(">", &[l(9), l(9)]));
    t(ok("<", &[l(1), l(2)]));
}

#[test]
fn conf_predicates_equality_and_not_equal() {
    f(ok("=", &[l(10001), l(10003)]));
    f(ok("!=", &[s("Ann"), s("Ann")]));
    t(ok("!=", &[s("Bea"), s("Ann")]));
    f(ok("not=", &[s("Bea"), s("Bea")]));
    t(ok("not=", &[s("Ann"), s("Bea")]));
}

#[test]
fn conf_predicates_contains_set_literal() {
    let set = Value::set([s("Ann"), s("Cid")]);
    t(ok("contains?", &[set.clone(), s("Ann")]));
    f(ok("contains?", &[set.clone(), s("Bea")]));
    t(ok("contains?", &[set, s("Cid")]));
}

#[test]
fn conf_predicates_before_after_instants() {
    let t0 = inst("2005-06-01T00:00:00Z");
    let born = [
        inst("2001-01-01T00:00:00Z"),
        inst("2005-06-01T00:00:00Z"),
        inst("2010-01-01T00:00:00Z"),
    ];
    let before: Vec<bool> = born
        .iter()
        .map(|b| ok("before?", &[b.clone(), t0.clone()]).is_truthy())
        .collect();
    assert_eq!(before, [true, false, false]);
    let after: Vec<bool> = born
        .iter()
        .map(|b| ok("after?", &[b.clone(), t0.clone()]).is_truthy())
        .collect();
    assert_eq!(after, [false, false, true]);
}

/// Runs a pairwise predicate over labelled values like the typed
/// conformance cases do, returning the matching label pairs.
fn pairs(pred: &str, vals: &[Value]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, a) in vals.iter().enumerate() {
        for (j, b) in vals.iter().enumerate() {
            if ok(pred, &[a.clone(), b.clone()]).is_truthy() {
                out.push((i + 1, j + 1));
            }
        }
    }
    out
}

#[test]
fn conf_predicates_string_lt_ge() {
    let v = [s("apple"), s("kiwi"), s("plum"), s("plum")];
    assert_eq!(pairs("<", &v), [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4)]);
    assert_eq!(
        pairs(">=", &v),
        [
            (1, 1),
            (2, 1),
            (2, 2),
            (3, 1),
            (3, 2),
            (3, 3),
            (3, 4),
            (4, 1),
            (4, 2),
            (4, 3),
            (4, 4)
        ]
    );
}

#[test]
fn conf_predicates_uuid_lt() {
    let v = [
        uuid("0a000000-0000-4000-8000-000000000001"),
        uuid("3c000000-0000-4000-8000-000000000001"),
        uuid("5e000000-0000-4000-8000-000000000001"),
        uuid("5e000000-0000-4000-8000-000000000001"),
    ];
    assert_eq!(pairs("<", &v), [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4)]);
}

#[test]
fn conf_predicates_instant_lt() {
    let v = [
        inst("2018-03-10T12:00:00Z"),
        inst("2019-07-04T00:00:00Z"),
        inst("2019-07-05T00:00:00Z"),
        inst("2019-07-05T00:00:00Z"),
    ];
    assert_eq!(pairs("<", &v), [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4)]);
}

#[test]
fn conf_predicates_long_lt_3ary() {
    let v = longs(&[7, 11, 19, 19]);
    let mut out = Vec::new();
    for (i, a) in v.iter().enumerate() {
        for (j, b) in v.iter().enumerate() {
            for (k, c) in v.iter().enumerate() {
                if ok("<", &[a.clone(), b.clone(), c.clone()]).is_truthy() {
                    out.push((i + 1, j + 1, k + 1));
                }
            }
        }
    }
    assert_eq!(out, [(1, 2, 3), (1, 2, 4)]);
}

#[test]
fn conf_predicates_boolean_ge() {
    let v = [
        Value::Bool(false),
        Value::Bool(true),
        Value::Bool(true),
        Value::Bool(true),
    ];
    assert_eq!(
        pairs(">=", &v),
        [
            (1, 1),
            (2, 1),
            (2, 2),
            (2, 3),
            (2, 4),
            (3, 1),
            (3, 2),
            (3, 3),
            (3, 4),
            (4, 1),
            (4, 2),
            (4, 3),
            (4, 4)
        ]
    );
}

// ----------------------------------------------- conformance: aggregates

#[test]
fn conf_aggregates_sum_collapsed() {
    // Distinct heads 5 2 1 → 8.
    same(agg("sum", &[], &longs(&[5, 2, 1])), "8");
}

#[test]
fn conf_aggregates_count_and_count_distinct() {
    same(agg("count", &[], &[s("Mia"), s("Noa")]), "2");
    same(agg("count", &[], &[s("Mia"), s("Noa"), s("Mia")]), "3");
    let ages = longs(&[33, 48, 48, 33, 60]);
    same(agg("count", &[], &ages), "5");
    same(agg("count-distinct", &[], &ages), "3");
}

#[test]
fn conf_aggregates_avg() {
    same(agg("avg", &[], &longs(&[10, 3, 1, 4, 2])), "4");
    assert_eq!(agg("avg", &[], &longs(&[10, 3, 1, 4, 2])), l(4));
    same(agg("avg", &[], &[d(0.5), d(2.0)]), "1.25");
}

#[test]
fn conf_aggregates_median_even_count() {
    assert_eq!(agg("median", &[], &longs(&[10, 4, 2, 8])), l(6));
    same(agg("median", &[], &longs(&[10, 4, 2, 8])), "6");
}

#[test]
fn conf_aggregates_variance() {
    same(agg("variance", &[], &longs(&[10, 3, 1, 4, 2])), "10");
}

#[test]
fn conf_aggregates_min_max_strings_instants() {
    let names = [s("Kai"), s("Lea"), s("Max"), s("Abe")];
    assert_eq!(agg("min", &[], &names), s("Abe"));
    assert_eq!(agg("max", &[], &names), s("Max"));
    let ts = [
        inst("2020-05-01T00:00:00Z"),
        inst("2019-01-01T00:00:00Z"),
        inst("2021-12-31T00:00:00Z"),
    ];
    assert_eq!(agg("min", &[], &ts), inst("2019-01-01T00:00:00Z"));
    assert_eq!(agg("max", &[], &ts), inst("2021-12-31T00:00:00Z"));
}

#[test]
fn conf_aggregates_min_max_n_keywords() {
    let xs = [kw("b/z"), kw("b-/a"), kw("b/y")];
    same(agg("min", &[l(2)], &xs), "[:b/y :b/z]");
    same(agg("max", &[l(2)], &xs), "[:b/z :b-/a]");
}

#[test]
fn conf_aggregates_min_max_n_numbers() {
    let xs = longs(&[5, 1, 4, 2, 3]);
    same(agg("min", &[l(3)], &xs), "[1 2 3]");
    same(agg("max", &[l(3)], &xs), "[3 4 5]");
}

#[test]
fn conf_aggregates_grouping_with_n_from_input() {
    let ash = longs(&[4, 6, 2, 8]);
    let elm = longs(&[3, 1]);
    same(agg("max", &[l(2)], &ash), "[6 8]");
    same(agg("min", &[l(2)], &ash), "[2 4]");
    same(agg("max", &[l(2)], &elm), "[1 3]");
    same(agg("min", &[l(2)], &elm), "[1 3]");
}

#[test]
fn conf_aggregates_grouped_count() {
    same(agg("count", &[], &longs(&[1, 2])), "2");
    same(agg("count", &[], &longs(&[3])), "1");
}

#[test]
fn conf_aggregates_distinct() {
    assert_eq!(
        agg("distinct", &[], &longs(&[1, 2])),
        Value::set(longs(&[1, 2]))
    );
    assert_eq!(agg("distinct", &[], &longs(&[3])), Value::set(longs(&[3])));
}
