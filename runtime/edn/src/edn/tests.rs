use std::str::FromStr;
use std::sync::Arc;

use bigdecimal::BigDecimal;
use num_bigint::BigInt;
use num_rational::BigRational;

use super::*;
use crate::error::{ErrorKind, Pos};
use crate::value::Value;

fn r(s: &str) -> Value {
    match read(s) {
        Ok(v) => v,
        Err(e) => panic!("reading {s:?}: {e}"),
    }
}

/// Reads `s` expecting a syntax error whose message contains `msg` at
/// `line`:`col`.
fn err(s: &str, msg: &str, line: u32, col: u32) {
    let e = match read(s) {
        Ok(v) => panic!("reading {s:?} should fail, got {v}"),
        Err(e) => e,
    };
    assert_eq!(e.kind, ErrorKind::Syntax, "{s:?}: {e}");
    assert!(
        e.message.contains(msg),
        "{s:?}: message {:?} lacks {msg:?}",
        e.message
    );
    assert_eq!(e.pos, Some(Pos { line, col }), "{s:?}: {e}");
}

fn big(s: &str) -> Value {
    Value::BigInt(Arc::new(BigInt::from_str(s).unwrap()))
}

fn dec(s: &str) -> Value {
    Value::BigDec(Arc::new(BigDecimal::from_str(s).unwrap()))
}

fn ratio(n: i64, d: i64) -> Value {
    Value::Ratio(Arc::new(BigRational::new(n.into(), d.into())))
}

fn rt(v: &Value) {
    let s = to_string(v);
    match read(&s) {
        Ok(back) => assert_eq!(&back, v, "round trip of {s}"),
        Err(e) => panic!("round trip of {s}: {e}"),
    }
}

#[test]
fn atoms() {
    assert_eq!(r("nil"), Value::Nil);
    assert_eq!(r("true"), Value::Bool(true));
    assert_eq!(r("false"), Value::Bool(false));
    assert_eq!(r("  ; c\n nil ; after"), Value::Nil);
    assert_eq!(r("#!shebang\n1"), Value::Long(1));
    assert_eq!(r(",,1,,"), Value::Long(1));
}

#[test]
fn integers() {
    assert_eq!(r("0"), Value::Long(0));
    assert_eq!(r("42"), Value::Long(42));
    assert_eq!(r("-42"), Value::Long(-42));
    assert_eq!(r("+42"), Value::Long(42));
    assert_eq!(r("-0"), Value::Long(0));
    assert_eq!(r("42N"), big("42"));
    assert!(matches!(r("42N"), Value::BigInt(_)));
    assert_eq!(r("9223372036854775807"), Value::Long(i64::MAX));
    assert_eq!(r("-9223372036854775808"), Value::Long(i64::MIN));
    assert!(matches!(r("9223372036854775808"), Value::BigInt(_)));
    assert_eq!(r("9223372036854775808"), big("9223372036854775808"));
    assert_eq!(r("-9223372036854775809"), big("-9223372036854775809"));
    assert_eq!(r("0x1F"), Value::Long(31));
    assert_eq!(r("-0X1f"), Value::Long(-31));
    assert_eq!(r("0x1FN"), big("31"));
    assert_eq!(r("017"), Value::Long(15));
    assert_eq!(r("2r101"), Value::Long(5));
    assert_eq!(r("-36rZZ"), Value::Long(-1295));
    assert_eq!(r("16R1f"), Value::Long(31));
    assert_eq!(r("0xFFFFFFFFFFFFFFFFFF"), big("4722366482869645213695"));
}

#[test]
fn ratios() {
    assert_eq!(r("1/2"), ratio(1, 2));
    assert_eq!(r("-2/4"), ratio(-1, 2));
    assert_eq!(r("4/2"), Value::Long(2));
    assert!(matches!(r("4/2"), Value::Long(2)));
    assert_eq!(r("3/1"), Value::Long(3));
    assert_eq!(r("+1/3"), ratio(1, 3));
}

#[test]
fn floats() {
    assert_eq!(r("1.5"), Value::Double(1.5));
    assert_eq!(r("-1.5"), Value::Double(-1.5));
    assert_eq!(r("1."), Value::Double(1.0));
    assert_eq!(r("1e3"), Value::Double(1000.0));
    assert_eq!(r("1.5E-3"), Value::Double(0.0015));
    assert_eq!(r("1e+3"), Value::Double(1000.0));
    assert_eq!(r("1e999"), Value::Double(f64::INFINITY));
    assert!(matches!(r("-0.0"), Value::Double(d) if d == 0.0 && d.is_sign_negative()));
    assert_eq!(r("1.50M"), dec("1.50"));
    assert!(matches!(r("1M"), Value::BigDec(_)));
    assert_eq!(r("-1.5e2M"), dec("-150"));
    assert_eq!(r("##Inf"), Value::Double(f64::INFINITY));
    assert_eq!(r("##-Inf"), Value::Double(f64::NEG_INFINITY));
    assert!(matches!(r("##NaN"), Value::Double(d) if d.is_nan()));
    assert_eq!(
        r("[##Inf]"),
        Value::vector(vec![Value::Double(f64::INFINITY)])
    );
}

#[test]
fn strings() {
    assert_eq!(r(r#""""#), Value::str(""));
    assert_eq!(r(r#""a b""#), Value::str("a b"));
    assert_eq!(
        r(r#""\" \\ \n \t \r \b \f""#),
        Value::str("\" \\ \n \t \r \u{8} \u{c}")
    );
    assert_eq!(r(r#""\u00e9\u0041""#), Value::str("éA"));
    assert_eq!(r(r#""\ud83d\ude00""#), Value::str("😀"));
    assert_eq!(r(r#""\0\101\377""#), Value::str("\0A\u{ff}"));
    assert_eq!(r("\"multi\nline\""), Value::str("multi\nline"));
    assert_eq!(r("\"日本\""), Value::str("日本"));
}

#[test]
fn characters() {
    let c = |s: &str| r(s);
    assert_eq!(c(r"\a"), Value::Char('a'));
    assert_eq!(c(r"\newline"), Value::Char('\n'));
    assert_eq!(c(r"\space"), Value::Char(' '));
    assert_eq!(c(r"\tab"), Value::Char('\t'));
    assert_eq!(c(r"\return"), Value::Char('\r'));
    assert_eq!(c(r"\backspace"), Value::Char('\u{8}'));
    assert_eq!(c(r"\formfeed"), Value::Char('\u{c}'));
    assert_eq!(c(r"\u0041"), Value::Char('A'));
    assert_eq!(c(r"\o101"), Value::Char('A'));
    assert_eq!(c(r"\u"), Value::Char('u'));
    assert_eq!(c(r"\o"), Value::Char('o'));
    assert_eq!(c(r"\("), Value::Char('('));
    assert_eq!(c(r"\\"), Value::Char('\\'));
    assert_eq!(c(r"\é"), Value::Char('é'));
    assert_eq!(
        c(r"[\a\b]"),
        Value::vector(vec![Value::Char('a'), Value::Char('b')])
    );
    assert_eq!(c(r"(\))"), Value::list(vec![Value::Char(')')]));
}

#[test]
fn keywords_and_symbols() {
    assert_eq!(r(":a"), Value::kw("a"));
    let k = r(":ns/name");
    assert_eq!(k, Value::kw("ns/name"));
    assert_eq!(k.as_keyword().unwrap().namespace(), Some("ns"));
    assert_eq!(r(":a.b/c").as_keyword().unwrap().namespace(), Some("a.b"));
    assert_eq!(r(":db/_ident"), Value::kw("db/_ident"));
    assert_eq!(r(":a-b?*!"), Value::kw("a-b?*!"));
    for s in [
        "/",
        "ns/name",
        "?x",
        "...",
        "+",
        "-",
        ".startsWith",
        "*",
        "_",
        "$",
        "%",
        "a.b/c",
        "clojure.core//",
        "a#b",
        "a'b",
        "a:b",
        "-a",
        "+a",
        "<=",
        "é",
    ] {
        assert_eq!(r(s), Value::sym(s), "{s}");
    }
    assert_eq!(r("ns/name").as_symbol().unwrap().name(), "name");
}

#[test]
fn collections() {
    let l = Value::Long;
    assert_eq!(r("()"), Value::list(vec![]));
    assert_eq!(r("(1 2)"), Value::list(vec![l(1), l(2)]));
    assert!(matches!(r("(1 2)"), Value::List(_)));
    assert!(matches!(r("[1 2]"), Value::Vector(_)));
    assert_eq!(r("[1,2]"), Value::vector(vec![l(1), l(2)]));
    assert_eq!(r("#{1 2}"), Value::set([l(1), l(2)]));
    assert_eq!(r("#{}"), Value::set([]));
    assert_eq!(
        r("{:a 1, :b [2]}"),
        Value::map([
            (Value::kw("a"), l(1)),
            (Value::kw("b"), Value::vector(vec![l(2)]))
        ])
    );
    assert_eq!(r("{}"), Value::map([]));
    assert_eq!(
        r("[[] {} #{} ()]"),
        Value::vector(vec![
            Value::vector(vec![]),
            Value::map([]),
            Value::set([]),
            Value::list(vec![])
        ])
    );
    // 1 and 1.0 are different keys (Clojure =).
    assert_eq!(r("{1 :a 1.0 :b}").as_map().unwrap().len(), 2);
}

#[test]
fn discard() {
    let l = Value::Long;
    assert_eq!(r("[1 #_2 3]"), Value::vector(vec![l(1), l(3)]));
    assert_eq!(r("[1 #_ #_ 2 3 4]"), Value::vector(vec![l(1), l(4)]));
    assert_eq!(r("#_ [a] 5"), l(5));
    assert_eq!(r("5 #_ [a]"), l(5));
    assert_eq!(r("#_1 5 #_2 ; c"), l(5));
    assert_eq!(r("[#_1]"), Value::vector(vec![]));
    assert_eq!(r("{:a #_:b 1}"), Value::map([(Value::kw("a"), l(1))]));
    assert_eq!(read_all("#_1").unwrap(), vec![]);
}

#[test]
fn tags() {
    assert_eq!(r("#inst \"1970-01-01T00:00:00Z\""), Value::Inst(0));
    assert_eq!(r("#inst \"1970-01-01T00:00:00.123Z\""), Value::Inst(123));
    assert_eq!(
        r("#inst \"1970-01-01T00:00:00.1239999Z\""),
        Value::Inst(123)
    );
    assert_eq!(
        r("#inst \"2020-01-01T00:00:00.000-00:00\""),
        Value::Inst(1_577_836_800_000)
    );
    assert_eq!(r("#inst \"2020-01-01\""), Value::Inst(1_577_836_800_000));
    assert_eq!(r("#inst \"2020\""), Value::Inst(1_577_836_800_000));
    assert_eq!(r("#inst \"2020-01\""), Value::Inst(1_577_836_800_000));
    assert_eq!(
        r("#inst \"2020-01-01T10:00\""),
        Value::Inst(1_577_836_800_000 + 36_000_000)
    );
    assert_eq!(
        r("#inst \"2020-01-01T10\""),
        Value::Inst(1_577_836_800_000 + 36_000_000)
    );
    assert_eq!(
        r("#inst \"2020-01-01T10:00:00+01:00\""),
        Value::Inst(1_577_836_800_000 + 32_400_000)
    );
    assert_eq!(
        r("#inst \"2020-01-01T00:00:00-01:30\""),
        Value::Inst(1_577_836_800_000 + 5_400_000)
    );
    assert_eq!(r("#inst \"1969-12-31T23:59:59.999Z\""), Value::Inst(-1));
    assert_eq!(r("#inst \"2020-02-29\""), Value::Inst(1_582_934_400_000));
    let u = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
    assert_eq!(
        r(&format!("#uuid \"{u}\"")),
        Value::Uuid(uuid::Uuid::parse_str(u).unwrap())
    );
    assert_eq!(
        r("#bytes \"00ff10\""),
        Value::Bytes(Arc::from(vec![0u8, 255, 16]))
    );
    assert_eq!(r("#bytes \"\""), Value::Bytes(Arc::from(vec![])));
    let t = r("#my.ns/tag [1]");
    match &t {
        Value::Tagged(t) => {
            assert_eq!(t.0.full(), "my.ns/tag");
            assert_eq!(t.1, Value::vector(vec![Value::Long(1)]));
        }
        other => panic!("{other}"),
    }
    assert!(matches!(r("#foo #bar 1"), Value::Tagged(_)));
    assert_eq!(r("#inst\n  \"1970\""), Value::Inst(0));
}

#[test]
fn namespaced_maps_and_meta() {
    assert_eq!(
        r("#:person{:name \"a\" :_/id 1 :other/x 2 sym 3}"),
        Value::map([
            (Value::kw("person/name"), Value::str("a")),
            (Value::kw("id"), Value::Long(1)),
            (Value::kw("other/x"), Value::Long(2)),
            (Value::sym("person/sym"), Value::Long(3)),
        ])
    );
    assert_eq!(r("#:a {}"), Value::map([]));
    assert_eq!(r("^:private [1]"), Value::vector(vec![Value::Long(1)]));
    assert_eq!(r("^{:a 1} sym"), Value::sym("sym"));
    assert_eq!(r("^String ^:x []"), Value::vector(vec![]));
}

#[test]
fn read_all_and_reader() {
    assert_eq!(
        read_all("1 :a \"s\" ; comment\n [x]").unwrap(),
        vec![
            Value::Long(1),
            Value::kw("a"),
            Value::str("s"),
            Value::vector(vec![Value::sym("x")])
        ]
    );
    assert_eq!(read_all("").unwrap(), vec![]);
    assert_eq!(read_all("  ;; only a comment").unwrap(), vec![]);
    let mut rd = Reader::new("1 2");
    assert_eq!(rd.read_next().unwrap(), Some(Value::Long(1)));
    assert_eq!(rd.position(), Pos { line: 1, col: 2 });
    assert_eq!(rd.read_next().unwrap(), Some(Value::Long(2)));
    assert_eq!(rd.read_next().unwrap(), None);
    let mut rd = Reader::new("1 ) 2");
    assert_eq!(rd.next().unwrap().unwrap(), Value::Long(1));
    assert!(rd.next().unwrap().is_err());
    assert!(rd.next().is_none());
    assert!(read_all("1 (").is_err());
}

#[test]
fn errors_with_positions() {
    err("", "Unexpected end of input", 1, 1);
    err("   ", "Unexpected end of input", 1, 4);
    err(")", "Unexpected character ')'", 1, 1);
    err("[1 2)", "Unexpected character ')'", 1, 5);
    err("{:a 1]", "Unexpected character ']'", 1, 6);
    err("1 2", "Unexpected trailing text '2'", 1, 3);
    err("1 )", "Unexpected trailing text ')'", 1, 3);
    err("1 #_2 3", "Unexpected trailing text '#_2'", 1, 3);
    err("1 #_", "Unexpected trailing text '#_'", 1, 3);
    err("#_1", "Unexpected end of input", 1, 4);
    err("[a\n  \"abc", "Unterminated string", 2, 3);
    err("\"abc\\", "Unterminated string", 1, 1);
    err("(1 2", "Unterminated list", 1, 1);
    err("\n [1 [2]", "Unterminated vector", 2, 2);
    err("{:a 1", "Unterminated map", 1, 1);
    err("#{1", "Unterminated set", 1, 1);
    err(
        "{:a 1 :b}",
        "Map literal must contain an even number of forms",
        1,
        1,
    );
    err("{:a 1 :a 2}", "Duplicate key :a in map", 1, 7);
    err("{[1] 1 (1) 2}", "Duplicate key (1) in map", 1, 8);
    err("#{1 2 1}", "Duplicate key 1 in set", 1, 7);
    err("#:p{:a 1 :p/a 2}", "Duplicate key :p/a in map", 1, 10);
    err("1.2.3", "Invalid number 1.2.3", 1, 1);
    err("[x 12abc]", "Invalid number 12abc", 1, 4);
    err("08", "Invalid number 08", 1, 1);
    err("1.5N", "Invalid number 1.5N", 1, 1);
    err("0x", "Invalid number 0x", 1, 1);
    err("2r102", "Invalid number 2r102", 1, 1);
    err("99r1", "Radix out of range", 1, 1);
    err("1/0", "Divide by zero", 1, 1);
    err("1e100001M", "Exponent out of range in 1e100001M", 1, 1);
    err("1e-99999999999999999999M", "Exponent out of range", 1, 1);
    err("1/2/3", "Invalid number 1/2/3", 1, 1);
    err("1/-2", "Invalid number", 1, 1);
    err("::auto", "Invalid token ::auto", 1, 1);
    err(":", "Invalid token :", 1, 1);
    err("a/", "Invalid token a/", 1, 1);
    err("/a", "Invalid token /a", 1, 1);
    err(":a:", "Invalid token :a:", 1, 1);
    err("a::b", "Invalid token a::b", 1, 1);
    err("\"\\q\"", "Unsupported escape character \\q", 1, 2);
    err("\"\\u12\"", "Invalid unicode escape \\u12", 1, 2);
    err("\"\\ud800\"", "unpaired surrogate", 1, 2);
    err("\"\\400\"", "Octal escape \\400", 1, 2);
    err("\\", "Unexpected end of input after \\", 1, 1);
    err("\\abc", "Unsupported character \\abc", 1, 1);
    err("\\u12G4", "Invalid unicode character \\u12G4", 1, 1);
    err("\\ud800", "lone surrogate", 1, 1);
    err("\\o400", "Octal escape \\o400", 1, 1);
    err("##Foo", "Unknown symbolic value ##Foo", 1, 1);
    err("#inst \"2020-13-01\"", "Invalid #inst \"2020-13-01\"", 1, 1);
    err("#inst \"2019-02-29\"", "Invalid #inst", 1, 1);
    err("#inst \"2020-01-01T25:00\"", "Invalid #inst", 1, 1);
    err("#inst \"2020-01-01 10:00\"", "Invalid #inst", 1, 1);
    err("#inst \"20\"", "Invalid #inst", 1, 1);
    err("#inst 5", "#inst needs a string, got 5", 1, 1);
    err("#uuid \"nope\"", "Invalid #uuid \"nope\"", 1, 1);
    err(
        "#uuid \"f81d4fae7dec11d0a76500a0c91e6bf6\"",
        "Invalid #uuid",
        1,
        1,
    );
    err("#bytes \"abc\"", "Invalid #bytes \"abc\"", 1, 1);
    err("#bytes \"zz\"", "Invalid #bytes", 1, 1);
    err("[#foo]", "Unexpected character ']'", 1, 6);
    err("#foo", "#foo must be followed by a form", 1, 1);
    err("#_", "#_ must be followed by a form", 1, 1);
    err("[#_]", "Unexpected character ']'", 1, 4);
    err("#1 x", "Invalid reader tag #1", 1, 1);
    err("#", "Unexpected end of input after #", 1, 1);
    err("#(a)", "No dispatch macro for #(", 1, 1);
    err("#::{:a 1}", "auto-resolved", 1, 1);
    err("#:a [1]", "must be followed by a map", 1, 1);
    err("#:a{:b}", "even number of forms", 1, 4);
    err("^1 x", "Metadata must be", 1, 1);
    err("^:m 1", "Metadata cannot be applied to 1", 1, 1);
    // Columns count characters, not bytes.
    err("[\"é\" é/]", "Invalid token é/", 1, 6);
    err("[1\n2\n  3.3.3]", "Invalid number 3.3.3", 3, 3);
}

#[test]
fn nesting_limit() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(read(&ok).is_ok());
    let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    let e = read(&deep).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert!(e.message.contains("Nesting deeper than"), "{e}");
    assert_eq!(
        e.pos,
        Some(Pos {
            line: 1,
            col: MAX_DEPTH as u32 + 1
        })
    );
    for s in [
        "(".repeat(100_000),
        "{".repeat(100_000),
        "#{".repeat(100_000),
        "#_".repeat(100_000),
        "#a ".repeat(100_000),
        "^:a ".repeat(100_000),
        "#:a{".repeat(100_000),
    ] {
        let e = read(&s).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Syntax);
    }
}

#[test]
fn printer_output() {
    let p = |s: &str| to_string(&r(s));
    assert_eq!(p("{:a 1, :b 2}"), "{:a 1, :b 2}");
    assert_eq!(p("[1 (2) #{3}]"), "[1 (2) #{3}]");
    assert_eq!(p("1.0"), "1.0");
    assert_eq!(p("100.0"), "100.0");
    assert_eq!(p("0.1"), "0.1");
    assert_eq!(p("1e7"), "1.0E7");
    assert_eq!(p("1.5e-4"), "1.5E-4");
    assert_eq!(p("0.001"), "0.001");
    assert_eq!(p("1234567.5"), "1234567.5");
    assert_eq!(p("-0.0"), "-0.0");
    assert_eq!(p("1e300"), "1.0E300");
    assert_eq!(p("##NaN"), "##NaN");
    assert_eq!(p("##-Inf"), "##-Inf");
    assert_eq!(p("1.50M"), "1.50M");
    assert_eq!(p("1E+10M"), "1E+10M");
    assert_eq!(p("0.0000001M"), "1E-7M");
    assert_eq!(p("0.000001M"), "0.000001M");
    assert_eq!(p("-12.5e1M"), "-125M");
    assert_eq!(p("42N"), "42N");
    assert_eq!(p("-3/6"), "-1/2");
    assert_eq!(p("\\newline"), "\\newline");
    assert_eq!(p("\\u0000"), "\\u0000");
    assert_eq!(p("\\u00a0"), "\\u00a0");
    assert_eq!(p("\\a"), "\\a");
    assert_eq!(p("\"a\\u0001\\n\\\"\""), "\"a\\u0001\\n\\\"\"");
    assert_eq!(
        p("#inst \"2020-01-01T10:00:00.5+01:00\""),
        "#inst \"2020-01-01T09:00:00.500-00:00\""
    );
    assert_eq!(
        p("#uuid \"F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6\""),
        "#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\""
    );
    assert_eq!(p("#bytes \"00FF\""), "#bytes \"00ff\"");
    assert_eq!(p("#x/y {:a 1}"), "#x/y {:a 1}");
    assert_eq!(p(":a/b"), ":a/b");
    assert_eq!(p("clojure.core//"), "clojure.core//");
}

#[test]
fn round_trips() {
    for s in [
        "nil",
        "[1 -2 3N 1/3 -1.5 1.5M \"s\" \\c :k sym]",
        "{:a {:b #{1 2 [3]}}, \"k\" (1 2)}",
        "#inst \"1970-01-01T00:00:00.000-00:00\"",
        "#inst \"0001-01-01T00:00:00.000-00:00\"",
        "#inst \"9999-12-31T23:59:59.999-00:00\"",
        "#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"",
        "#bytes \"deadbeef\"",
        "#my/tag [1 #other \"x\"]",
        "[\\space \\tab \\u0000 \\( \\\\ \\\" \\, \\; \\u \\o]",
        "[##NaN ##Inf ##-Inf 5e-324 1.7976931348623157E308 0.1 -0.0]",
        "\"\\u0000\\u001f\\u007f \\b\\f😀\"",
    ] {
        rt(&r(s));
    }
    for d in [
        0.1,
        1.0 / 3.0,
        1e-3,
        9.999e-4,
        1e7,
        9_999_999.0,
        123_456_789.0,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::EPSILON,
        -2.5e-10,
    ] {
        rt(&Value::Double(d));
    }
    for c in [
        '\u{7f}', '\u{85}', '\u{2028}', '\u{3000}', '\u{feff}', '😀', 'é',
    ] {
        rt(&Value::Char(c));
    }
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    fn name_part() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z*!_?$%&=<>][a-zA-Z0-9*!_?$%&=<>.+'-]{0,8}",
            "[+-]([a-zA-Z*!_?$%&=<>.'][a-zA-Z0-9*!_?$%&=<>.+'-]{0,6})?",
            "\\.[a-zA-Z*!_?$%&=<>.'][a-zA-Z0-9*!_?$%&=<>.+'-]{0,6}",
            Just("é日本".to_string()),
        ]
        .prop_filter("reserved", |s| {
            !matches!(s.as_str(), "nil" | "true" | "false")
        })
    }

    fn name() -> impl Strategy<Value = String> {
        (proptest::option::of(name_part()), name_part()).prop_map(|(ns, n)| match ns {
            Some(ns) => format!("{ns}/{n}"),
            None => n,
        })
    }

    fn tag() -> impl Strategy<Value = String> {
        (
            proptest::option::of("[a-z][a-z0-9.-]{0,5}"),
            "[a-zA-Z][a-zA-Z0-9-]{0,5}",
        )
            .prop_filter_map("reserved tag", |(ns, n)| {
                let t = match ns {
                    Some(ns) => format!("{ns}/{n}"),
                    None => n,
                };
                (!matches!(t.as_str(), "inst" | "uuid" | "bytes")).then_some(t)
            })
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Nil),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Long),
            "-?[0-9]{1,40}".prop_map(|s| big(&s)),
            (any::<i64>(), 2i64..1_000_000).prop_filter_map("integer ratio", |(n, d)| {
                let r = BigRational::new(n.into(), d.into());
                (!r.is_integer()).then(|| Value::Ratio(Arc::new(r)))
            }),
            any::<f64>().prop_map(Value::Double),
            prop_oneof![
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(-0.0)
            ]
            .prop_map(Value::Double),
            (any::<i64>(), -40i64..40)
                .prop_map(|(u, s)| Value::BigDec(Arc::new(BigDecimal::new(u.into(), s)))),
            any::<String>().prop_map(Value::from),
            any::<char>().prop_map(Value::Char),
            name().prop_map(|n| Value::kw(&n)),
            name().prop_map(|n| Value::sym(&n)),
            Just(Value::sym("/")),
            any::<u128>().prop_map(|u| Value::Uuid(uuid::Uuid::from_u128(u))),
            (-62_167_219_200_000i64..253_402_300_800_000).prop_map(Value::Inst),
            proptest::collection::vec(any::<u8>(), 0..16).prop_map(|b| Value::Bytes(Arc::from(b))),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::list),
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::vector),
                proptest::collection::btree_set(inner.clone(), 0..6)
                    .prop_map(|s| Value::Set(Arc::new(s))),
                proptest::collection::btree_map(inner.clone(), inner.clone(), 0..6)
                    .prop_map(|m| Value::Map(Arc::new(m))),
                (tag(), inner)
                    .prop_map(|(t, v)| Value::Tagged(Arc::new((crate::value::Symbol::new(&t), v)))),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn print_then_read_is_identity(v in value()) {
            let s = to_string(&v);
            let back = read(&s);
            prop_assert!(back.is_ok(), "{s}: {:?}", back);
            prop_assert_eq!(back.unwrap(), v, "{}", s);
        }

        #[test]
        fn reading_strings_never_panics(s in any::<String>()) {
            let _ = read(&s);
            let _ = read_all(&s);
        }

        #[test]
        fn reading_edn_like_text_never_panics(
            s in "[-+\\\\#{}()\\[\\]\"; :/^_!.,0-9a-zA-Z\\nNMrxeEuo]{0,40}"
        ) {
            let _ = read(&s);
            let _ = read_all(&s);
        }

        #[test]
        fn reading_damaged_edn_never_panics(v in value(), cut in any::<proptest::sample::Index>(),
                                            junk in "[\\\\\"#{}()\\[\\]^:;/ 0-9a-z]{0,3}") {
            let s = to_string(&v);
            let cuts: Vec<usize> = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).collect();
            let at = cuts[cut.index(cuts.len())];
            let _ = read(&s[..at]);
            let _ = read(&format!("{}{junk}{}", &s[..at], &s[at..]));
        }

        #[test]
        fn reading_bytes_never_panics(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            let s = String::from_utf8_lossy(&b);
            let _ = read(&s);
        }
    }
}

#[test]
fn inst_calendar_like_java() {
    // java.util.Date: 1582-10-15T00:00Z is -12219292800000, and the day
    // before is Julian 1582-10-04.
    assert_eq!(
        parse_inst("1582-10-15T00:00:00Z"),
        Some(-12_219_292_800_000)
    );
    assert_eq!(
        parse_inst("1582-10-04"),
        Some(-12_219_292_800_000 - 86_400_000)
    );
    assert_eq!(
        format_inst(-12_219_292_800_000 - 1),
        "1582-10-04T23:59:59.999-00:00"
    );
    // GregorianCalendar(1, 0, 1) in UTC.
    assert_eq!(
        parse_inst("0001-01-01T00:00:00Z"),
        Some(-62_135_769_600_000)
    );
    assert_eq!(
        format_inst(-62_135_769_600_000),
        "0001-01-01T00:00:00.000-00:00"
    );
    assert_eq!(format_inst(0), "1970-01-01T00:00:00.000-00:00");
    assert_eq!(format_inst(-1), "1969-12-31T23:59:59.999-00:00");
    assert_eq!(
        parse_inst("2000-02-29T12:34:56.789Z"),
        Some(951_827_696_789)
    );
    assert_eq!(
        format_inst(951_827_696_789),
        "2000-02-29T12:34:56.789-00:00"
    );
    // Leap second rolls over, like the lenient calendar.
    assert_eq!(parse_inst("1970-01-01T00:59:60Z"), Some(3_600_000));
    assert_eq!(parse_inst("1970-01-01T00:58:60Z"), None);
    assert_eq!(parse_inst("1970-01-01T00:00:00+24:00"), None);
    assert_eq!(parse_inst("1970-01-01t00:00:00z"), None);
    assert_eq!(parse_inst("1970-01-01T00:00:00."), None);
    assert_eq!(parse_inst("1970-01-01T00:00:00+0100"), None);
    // Gregorian leap rules are checked even in Julian years (clojure.instant).
    assert_eq!(parse_inst("1500-02-29"), None);
    for ms in [
        -62_167_219_200_000i64,
        -12_219_292_800_001,
        -12_219_292_800_000,
        -1,
        0,
        253_402_300_799_999,
    ] {
        assert_eq!(parse_inst(&format_inst(ms)), Some(ms), "{ms}");
    }
}
