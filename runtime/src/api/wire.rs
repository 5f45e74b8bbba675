//! The JSON wire rule, the same in every binding: map keys become keywords
//! (`"person/name"` → `:person/name`, a leading `:` is dropped); a string
//! value starting with `:` is a keyword (`":active"`); `"\\:x"` escapes a
//! literal colon string; numbers, booleans, `null` (nil), arrays (vectors)
//! and objects (maps) are literal. Integers are exact up to 64 bits (an
//! unsigned one beyond `i64` arrives as a bigint). Results use the same rule in reverse;
//! values JSON cannot express travel as strings: instants as ISO-8601,
//! UUIDs and characters as text, bytes as hex, sets as arrays.
//!
//! What plain JSON cannot say travels as a tagged object, a JSON object
//! with exactly one key starting with `#` (each binding has helpers that
//! build them): `{"#inst": "2024-01-01T00:00:00Z"}` (an instant),
//! `{"#uuid": ".."}`, `{"#set": [..]}`, `{"#list": [..]}`, `{"#edn":
//! "text"}` (any EDN value: symbols, doubles like `1.0`, maps with
//! non-keyword keys, ...). Any other `{"#tag": value}` is the tagged
//! literal `#tag value`, as [`write_json`] prints one.

use std::fmt::Write;

use crate::error::{Error, Result};
use crate::value::{Keyword, Value};

/// Parses JSON text into a value by the wire rule.
pub fn from_json_str(text: &str) -> Result<Value> {
    let j: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::syntax(format!("Invalid JSON: {e}")).at(crate::error::Pos {
            line: e.line() as u32,
            col: e.column() as u32,
        })
    })?;
    from_json(&j)
}

/// Converts a JSON value by the wire rule.
pub fn from_json(j: &serde_json::Value) -> Result<Value> {
    use serde_json::Value as J;
    Ok(match j {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => {
            if let Some(l) = n.as_i64() {
                Value::Long(l)
            } else if let Some(u) = n.as_u64() {
                Value::bigint(num_bigint::BigInt::from(u))
            } else {
                Value::Double(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        J::String(s) => string_value(s),
        J::Array(xs) => Value::vector(xs.iter().map(from_json).collect::<Result<_>>()?),
        J::Object(m) if m.len() == 1 && m.keys().all(|k| k.starts_with('#')) => {
            let (tag, v) = m.iter().next().ok_or_else(|| Error::syntax("empty tag"))?;
            tagged(tag, v)?
        }
        J::Object(m) => {
            let mut entries = Vec::with_capacity(m.len());
            for (k, v) in m {
                entries.push((Value::Keyword(Keyword::new(k)), from_json(v)?));
            }
            Value::map(entries)
        }
    })
}

/// A tagged object `{"#tag": v}` (see the module docs).
fn tagged(tag: &str, v: &serde_json::Value) -> Result<Value> {
    use serde_json::Value as J;
    let text = |what: &str| {
        v.as_str().ok_or_else(|| {
            Error::new(
                crate::ErrorKind::Type,
                format!("{{\"{tag}\": ..}} takes a string ({what}), got {v}"),
            )
        })
    };
    let items = || match v {
        J::Array(xs) => xs.iter().map(from_json).collect::<Result<Vec<_>>>(),
        other => Err(Error::new(
            crate::ErrorKind::Type,
            format!("{{\"{tag}\": ..}} takes an array, got {other}"),
        )),
    };
    Ok(match tag {
        "#edn" => crate::edn::read(text("EDN text")?)?,
        "#inst" => {
            let s = text("an RFC 3339 instant")?;
            Value::Inst(crate::edn::parse_inst(s).ok_or_else(|| {
                Error::new(crate::ErrorKind::Type, format!("Invalid instant {s:?}"))
            })?)
        }
        "#uuid" => {
            let s = text("a UUID")?;
            Value::Uuid(s.parse().map_err(|e| {
                Error::new(crate::ErrorKind::Type, format!("Invalid UUID {s:?}: {e}"))
            })?)
        }
        "#set" => Value::set(items()?),
        "#list" => Value::list(items()?),
        other => crate::edn::read(&format!(
            "{other} {}",
            crate::edn::to_string(&from_json(v)?)
        ))?,
    })
}

fn string_value(s: &str) -> Value {
    if let Some(rest) = s.strip_prefix("\\:") {
        Value::str(&format!(":{rest}"))
    } else if let Some(k) = s.strip_prefix(':').filter(|k| !k.is_empty()) {
        Value::kw(k)
    } else {
        Value::str(s)
    }
}

/// Prints a value as JSON text by the wire rule (compact).
pub fn to_json_string(v: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, v);
    out
}

fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_key(out: &mut String, k: &Value) {
    match k {
        Value::Keyword(k) => write_json_string(out, k.full()),
        Value::Str(s) => write_json_string(out, s),
        other => write_json_string(out, &crate::edn::to_string(other)),
    }
}

fn write_seq<'a>(out: &mut String, items: impl Iterator<Item = &'a Value>) {
    out.push('[');
    for (i, x) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json(out, x);
    }
    out.push(']');
}

/// Appends the JSON form of `v`.
pub fn write_json(out: &mut String, v: &Value) {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Long(l) => {
            let _ = write!(out, "{l}");
        }
        Value::BigInt(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Double(d) if d.is_finite() => {
            let _ = write!(out, "{d:?}");
        }
        Value::Double(d) => write_json_string(out, &d.to_string()),
        Value::Ratio(_) | Value::BigDec(_) => {
            let s = crate::edn::to_string(v);
            out.push_str(s.trim_end_matches('M'));
        }
        Value::Str(s) => {
            if s.starts_with(':') {
                write_json_string(out, &format!("\\{s}"));
            } else {
                write_json_string(out, s);
            }
        }
        Value::Char(c) => write_json_string(out, &c.to_string()),
        Value::Keyword(k) => write_json_string(out, &format!(":{}", k.full())),
        Value::Symbol(s) => write_json_string(out, s.full()),
        Value::Uuid(u) => write_json_string(out, &u.to_string()),
        Value::Inst(ms) => {
            let s = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(*ms)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
                .unwrap_or_else(|| ms.to_string());
            write_json_string(out, &s);
        }
        Value::Bytes(b) => {
            let mut s = String::with_capacity(b.len() * 2);
            for x in b.iter() {
                let _ = write!(s, "{x:02x}");
            }
            write_json_string(out, &s);
        }
        Value::List(xs) | Value::Vector(xs) => write_seq(out, xs.iter()),
        Value::Set(xs) => write_seq(out, xs.iter()),
        Value::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_key(out, k);
                out.push(':');
                write_json(out, x);
            }
            out.push('}');
        }
        Value::Tagged(t) => {
            out.push('{');
            write_json_string(out, &format!("#{}", t.0.full()));
            out.push(':');
            write_json(out, &t.1);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_rule_both_ways() {
        let v = from_json_str(r#"{"person/name": "Ivan", ":age": 3, "status": ":active", "note": "\\:x", "n": [1, 2.5, null, 12345678901234567890]}"#).unwrap();
        assert_eq!(
            v,
            crate::edn::read(r#"{:person/name "Ivan" :age 3 :status :active :note ":x" :n [1 2.5 nil 12345678901234567890N]}"#).unwrap()
        );
        let back = to_json_string(&v);
        assert_eq!(from_json_str(&back).unwrap(), v);
        assert!(back.contains(r#""status":":active""#), "{back}");
        assert!(back.contains(r#""note":"\\:x""#), "{back}");
        assert_eq!(
            to_json_string(&Value::Long(i64::MAX)),
            "9223372036854775807"
        );
    }

    #[test]
    fn tagged_objects_carry_what_json_cannot() {
        let v = from_json_str(
            r##"[{"#inst": "2024-01-01T00:00:00.000Z"}, {"#uuid": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
                {"#set": [1, 2]}, {"#list": [1]}, {"#edn": "[?x 1.0 {1 2}]"}, {"#a": 1, "b": 2}]"##,
        )
        .unwrap();
        assert_eq!(
            v,
            crate::edn::read(
                r#"[#inst "2024-01-01T00:00:00.000-00:00" #uuid "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
                   #{1 2} (1) [?x 1.0 {1 2}] {:#a 1 :b 2}]"#
            )
            .unwrap()
        );
        for bad in [
            r##"{"#inst": "yesterday"}"##,
            r##"{"#uuid": 3}"##,
            r##"{"#set": 1}"##,
            r##"{"#edn": "[1"}"##,
        ] {
            assert!(from_json_str(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn invalid_json_is_a_syntax_error_with_position() {
        let e = from_json_str("{\"a\": }").unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Syntax);
        assert!(e.pos.is_some());
    }
}
