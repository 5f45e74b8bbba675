//! EDN printer.

use std::fmt::Write;

use crate::value::Value;

/// Prints a value as EDN text.
pub fn to_string(v: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, v);
    s
}

/// Appends the EDN text of `v` to `out`.
pub fn write_value(out: &mut String, v: &Value) {
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
        Value::Double(d) => write_double(out, *d),
        Value::BigDec(d) => {
            let _ = write!(out, "{d}M");
        }
        Value::Str(s) => write_string(out, s),
        Value::Char(c) => {
            let _ = write!(out, "\\{c}");
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
        Value::Bytes(b) => {
            out.push_str("#bytes \"");
            for x in b.iter() {
                let _ = write!(out, "{x:02x}");
            }
            out.push('"');
        }
        Value::List(items) => write_seq(out, "(", ")", items.iter()),
        Value::Vector(items) => write_seq(out, "[", "]", items.iter()),
        Value::Set(items) => write_seq(out, "#{", "}", items.iter()),
        Value::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, k);
                out.push(' ');
                write_value(out, v);
            }
            out.push('}');
        }
        Value::Tagged(t) => {
            let _ = write!(out, "#{} ", t.0.full());
            write_value(out, &t.1);
        }
    }
}

fn write_seq<'a>(
    out: &mut String,
    open: &str,
    close: &str,
    items: impl Iterator<Item = &'a Value>,
) {
    out.push_str(open);
    for (i, x) in items.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_value(out, x);
    }
    out.push_str(close);
}

fn write_double(out: &mut String, d: f64) {
    if d.is_nan() {
        out.push_str("##NaN");
    } else if d.is_infinite() {
        out.push_str(if d > 0.0 { "##Inf" } else { "##-Inf" });
    } else if d == d.trunc() && d.abs() < 1e16 {
        let _ = write!(out, "{d:.1}");
    } else {
        let _ = write!(out, "{d:?}");
    }
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
            c => out.push(c),
        }
    }
    out.push('"');
}
