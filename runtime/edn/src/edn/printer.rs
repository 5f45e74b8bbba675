//! EDN printer. Output reads back (with [`super::read`]) to an equal value,
//! and matches what Clojure's `pr-str` prints where Clojure can print the
//! value: doubles and big decimals like Java's `toString`, `#inst` with
//! milliseconds and a `-00:00` offset, maps as `{k v, k v}`.

use std::fmt::Write;

use bigdecimal::BigDecimal;
use num_bigint::Sign;

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
            write_bigdec(out, d);
            out.push('M');
        }
        Value::Str(s) => write_string(out, s),
        Value::Char(c) => write_char(out, *c),
        Value::Keyword(k) => {
            out.push(':');
            out.push_str(k.full());
        }
        Value::Symbol(s) => out.push_str(s.full()),
        Value::Uuid(u) => {
            let _ = write!(out, "#uuid \"{u}\"");
        }
        Value::Inst(ms) => {
            let _ = write!(out, "#inst \"{}\"", super::format_inst(*ms));
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
            out.push('#');
            out.push_str(t.0.full());
            out.push(' ');
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

/// A double as EDN: `##NaN`, `##Inf`, `##-Inf`, else Java's form.
fn write_double(out: &mut String, d: f64) {
    if d.is_nan() {
        out.push_str("##NaN");
    } else if d.is_infinite() {
        out.push_str(if d > 0.0 { "##Inf" } else { "##-Inf" });
    } else {
        write_java_double(out, d);
    }
}

/// Java's `Double.toString` with the shortest round-tripping digits:
/// plain notation for `1e-3 <= |d| < 1e7` (`1.0`, `0.001`), otherwise
/// `1.0E7`, `1.5E-4`; `NaN`, `Infinity`, `-Infinity`.
pub fn write_java_double(out: &mut String, d: f64) {
    if d.is_nan() {
        out.push_str("NaN");
        return;
    }
    if d.is_infinite() {
        out.push_str(if d > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if d.is_sign_negative() {
        out.push('-');
    }
    let a = d.abs();
    if a == 0.0 {
        out.push_str("0.0");
        return;
    }
    // `{:e}` gives the shortest digits that round-trip: "1.2345e7".
    let sci = format!("{a:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    if (1e-3..1e7).contains(&a) {
        if exp >= 0 {
            let e = exp as usize;
            if digits.len() > e + 1 {
                out.push_str(&digits[..=e]);
                out.push('.');
                out.push_str(&digits[e + 1..]);
            } else {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', e + 1 - digits.len()));
                out.push_str(".0");
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        let _ = write!(out, "E{exp}");
    }
}

/// Java's `BigDecimal.toString`: plain when the scale is non-negative and
/// the adjusted exponent is at least -6, else scientific (`1E+10`).
pub fn write_bigdec(out: &mut String, d: &BigDecimal) {
    let (unscaled, scale) = d.as_bigint_and_exponent();
    if unscaled.sign() == Sign::Minus {
        out.push('-');
    }
    let coeff = unscaled.magnitude().to_string();
    let n = coeff.len() as i64;
    let adjusted = -scale + (n - 1);
    if scale >= 0 && adjusted >= -6 {
        if scale == 0 {
            out.push_str(&coeff);
        } else if n > scale {
            let p = (n - scale) as usize;
            out.push_str(&coeff[..p]);
            out.push('.');
            out.push_str(&coeff[p..]);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (scale - n) as usize));
            out.push_str(&coeff);
        }
    } else {
        out.push_str(&coeff[..1]);
        if n > 1 {
            out.push('.');
            out.push_str(&coeff[1..]);
        }
        let _ = write!(
            out,
            "E{}{}",
            if adjusted >= 0 { "+" } else { "-" },
            adjusted.unsigned_abs()
        );
    }
}

/// True for characters printed as `\uXXXX` (in strings) because they are
/// invisible or would be taken for whitespace.
fn needs_unicode_escape(c: char) -> bool {
    c.is_control() || (c != ' ' && c.is_whitespace()) || c == '\u{feff}'
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
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_char(out: &mut String, c: char) {
    out.push('\\');
    match c {
        '\n' => out.push_str("newline"),
        ' ' => out.push_str("space"),
        '\t' => out.push_str("tab"),
        '\u{8}' => out.push_str("backspace"),
        '\u{c}' => out.push_str("formfeed"),
        '\r' => out.push_str("return"),
        c if needs_unicode_escape(c) && (c as u32) <= 0xFFFF => {
            let _ = write!(out, "u{:04x}", c as u32);
        }
        c => out.push(c),
    }
}
