//! Indented EDN for people: a collection that does not fit on one line is
//! broken with one element (or map entry) per line.

use crate::value::Value;

/// Pretty-prints `v` within `width` columns where possible.
pub fn to_pretty(v: &Value, width: usize) -> String {
    let mut out = String::new();
    write(&mut out, v, 0, width);
    out
}

fn write(out: &mut String, v: &Value, indent: usize, width: usize) {
    let flat = crate::edn::to_string(v);
    if indent + flat.len() <= width {
        out.push_str(&flat);
        return;
    }
    let (open, close, items): (&str, &str, Vec<&Value>) = match v {
        Value::Vector(xs) => ("[", "]", xs.iter().collect()),
        Value::List(xs) => ("(", ")", xs.iter().collect()),
        Value::Set(xs) => ("#{", "}", xs.iter().collect()),
        Value::Map(m) => {
            out.push('{');
            let inner = indent + 1;
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(&" ".repeat(inner));
                }
                let key = crate::edn::to_string(k);
                out.push_str(&key);
                out.push(' ');
                write(out, x, inner + key.len() + 1, width);
            }
            out.push('}');
            return;
        }
        _ => {
            out.push_str(&flat);
            return;
        }
    };
    out.push_str(open);
    let inner = indent + open.len();
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&" ".repeat(inner));
        }
        write(out, x, inner, width);
    }
    out.push_str(close);
}
