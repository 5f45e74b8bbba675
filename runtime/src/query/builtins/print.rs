//! Clojure's printers: `str` (`toString`), `pr` (readable) and `print`
//! (human) forms, with JVM number formatting (`Double.toString`,
//! `BigDecimal.toString`).

use std::fmt::Write;

use bigdecimal::BigDecimal;

use crate::value::Value;

/// The tag `re-pattern` uses for regular-expression values.
pub(crate) const REGEX_TAG: &str = "regex";

/// The pattern text of a regex value (`#regex "..."`), if this is one.
pub(crate) fn regex_source(v: &Value) -> Option<&str> {
    match v {
        Value::Tagged(t) if t.0.full() == REGEX_TAG => t.1.as_str(),
        _ => None,
    }
}

/// `(pr-str v)` of one value.
pub(crate) fn pr_str1(v: &Value) -> String {
    let mut s = String::new();
    write(&mut s, v, true);
    s
}

/// `(print-str v)` of one value.
pub(crate) fn print_str1(v: &Value) -> String {
    let mut s = String::new();
    write(&mut s, v, false);
    s
}

/// `(str v)` of one value: Java's `toString`.
pub(crate) fn str1(v: &Value) -> String {
    match v {
        Value::Nil => String::new(),
        Value::Str(s) => s.to_string(),
        Value::Char(c) => c.to_string(),
        Value::BigInt(b) => b.to_string(),
        Value::BigDec(d) => bigdec_string(d),
        Value::Double(d) => double_string(*d),
        Value::Uuid(u) => u.to_string(),
        Value::Inst(ms) => date_string(*ms),
        _ => match regex_source(v) {
            Some(p) => p.to_string(),
            None => pr_str1(v),
        },
    }
}

/// `java.util.Date.toString()` in UTC.
fn date_string(ms: i64) -> String {
    use chrono::{DateTime, Utc};
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => t.format("%a %b %d %H:%M:%S UTC %Y").to_string(),
        None => ms.to_string(),
    }
}

/// `Double.toString` (`1.0E7`, `0.001`, `NaN`).
pub(crate) fn double_string(d: f64) -> String {
    let mut s = String::new();
    crate::edn::write_java_double(&mut s, d);
    s
}

/// `BigDecimal.toString` (`1E+3`, `0.00001`).
pub(crate) fn bigdec_string(d: &BigDecimal) -> String {
    let mut s = String::new();
    crate::edn::write_bigdec(&mut s, d);
    s
}

fn char_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\n' => "newline",
        ' ' => "space",
        '\t' => "tab",
        '\u{8}' => "backspace",
        '\u{c}' => "formfeed",
        '\r' => "return",
        _ => return None,
    })
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Clojure's `print-method`: `readably` is `*print-readably*` (true for
/// `pr`, false for `print`).
pub(crate) fn write(out: &mut String, v: &Value, readably: bool) {
    match v {
        Value::Nil => out.push_str("nil"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Long(l) => {
            let _ = write!(out, "{l}");
        }
        Value::BigInt(b) => {
            let _ = write!(out, "{b}N");
        }
        Value::Ratio(r) => {
            let _ = write!(out, "{}/{}", r.numer(), r.denom());
        }
        Value::Double(d) => {
            if d.is_nan() {
                out.push_str("##NaN")
            } else if d.is_infinite() {
                out.push_str(if *d > 0.0 { "##Inf" } else { "##-Inf" })
            } else {
                out.push_str(&double_string(*d))
            }
        }
        Value::BigDec(d) => {
            out.push_str(&bigdec_string(d));
            out.push('M');
        }
        Value::Str(s) => {
            if readably {
                write_string(out, s)
            } else {
                out.push_str(s)
            }
        }
        Value::Char(c) => {
            if readably {
                out.push('\\');
                match char_name(*c) {
                    Some(n) => out.push_str(n),
                    None => out.push(*c),
                }
            } else {
                out.push(*c)
            }
        }
        Value::Keyword(k) => {
            let _ = write!(out, ":{}", k.full());
        }
        Value::Symbol(s) => out.push_str(s.full()),
        Value::Uuid(u) => {
            let _ = write!(out, "#uuid \"{u}\"");
        }
        Value::Inst(ms) => {
            let _ = write!(out, "#inst \"{}\"", crate::edn::format_inst(*ms));
        }
        Value::Bytes(_) => out.push_str(&crate::edn::to_string(v)),
        Value::List(items) => write_seq(out, "(", ")", items.iter(), readably),
        Value::Vector(items) => write_seq(out, "[", "]", items.iter(), readably),
        Value::Set(items) => write_seq(out, "#{", "}", items.iter(), readably),
        Value::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(out, k, readably);
                out.push(' ');
                write(out, x, readably);
            }
            out.push('}');
        }
        Value::Tagged(t) => match regex_source(v) {
            Some(p) => {
                out.push_str("#\"");
                out.push_str(p);
                out.push('"');
            }
            None => {
                let _ = write!(out, "#{} ", t.0.full());
                write(out, &t.1, readably);
            }
        },
    }
}

fn write_seq<'a>(
    out: &mut String,
    open: &str,
    close: &str,
    items: impl Iterator<Item = &'a Value>,
    readably: bool,
) {
    out.push_str(open);
    for (i, x) in items.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write(out, x, readably);
    }
    out.push_str(close);
}
