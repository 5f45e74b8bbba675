//! Clojure's printers: `str` (`toString`), `pr` (readable) and `print`
//! (human) forms, with JVM number formatting (`Double.toString`,
//! `BigDecimal.toString`).

use std::fmt::Write;

use bigdecimal::BigDecimal;
use num_traits::Signed;

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

/// `Double.toString`: plain between 1e-3 and 1e7, else computerized
/// scientific notation (`1.0E7`), always with a fractional digit.
pub(crate) fn double_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let a = d.abs();
    if (1e-3..1e7).contains(&a) {
        let s = format!("{d}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        let s = format!("{d:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = if mant.contains('.') {
            mant.to_string()
        } else {
            format!("{mant}.0")
        };
        format!("{mant}E{exp}")
    }
}

/// `BigDecimal.toString`.
pub(crate) fn bigdec_string(d: &BigDecimal) -> String {
    let (digits, scale) = d.as_bigint_and_exponent();
    let neg = digits.is_negative();
    let coeff = digits.abs().to_string();
    let adjusted = -(scale as i128) + (coeff.len() as i128 - 1);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if scale >= 0 && adjusted >= -6 {
        let scale = scale as usize;
        if scale == 0 {
            out.push_str(&coeff);
        } else if coeff.len() > scale {
            let (i, f) = coeff.split_at(coeff.len() - scale);
            let _ = write!(out, "{i}.{f}");
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat(scale - coeff.len()));
            out.push_str(&coeff);
        }
    } else {
        let (first, rest) = coeff.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('E');
        if adjusted >= 0 {
            out.push('+');
        }
        let _ = write!(out, "{adjusted}");
    }
    out
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
