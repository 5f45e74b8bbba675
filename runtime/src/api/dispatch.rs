//! The one seam every transport goes through: [`dispatch`] takes an op
//! name and its arguments as one wire value and returns a wire value. The
//! HTTP server, the C ABI, the JNI entry points and through them the
//! Python, Java and TypeScript bindings are skins over it.
//!
//! Arguments are either a vector (positional, in the spec's order; optional
//! trailing ones may be left out) or a map from argument names to values
//! (`{:conn .. :tx-input ..}`; a name may be given as a keyword or a
//! string; left-out optional arguments are nil). Connections and database
//! values travel as the handles [`super::conn_handle`] and
//! [`super::db_handle`] print, and are re-opened on arrival.

use cairn_api_spec::Target;

use super::{Arg, call, spec};
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

/// Calls `op` with `args` (a vector of positional arguments, a map of named
/// ones, or nil for none) and returns its result as a wire value.
pub fn dispatch(op: &str, args: &Value) -> Result<Value> {
    let Some(spec_op) = spec()
        .op(op)
        .filter(|o| o.targets.iter().any(|t| *t != Target::Rust))
    else {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("Unknown operation {op}; known: {}", super::ops().join(", ")),
        ));
    };
    let positional: Vec<Arg> = match args {
        Value::Nil => Vec::new(),
        Value::Vector(xs) | Value::List(xs) => xs.iter().cloned().map(Arg::Value).collect(),
        Value::Map(m) => {
            for k in m.keys() {
                let name = match k {
                    Value::Keyword(k) => k.full().to_string(),
                    Value::Str(s) => s.to_string(),
                    other => other.to_string(),
                };
                if !spec_op.args.iter().any(|a| a.name == name) {
                    let known: Vec<&str> = spec_op.args.iter().map(|a| a.name.as_str()).collect();
                    return Err(super::usage(format!(
                        "{op}: unknown argument {name}; it takes {}",
                        known.join(", ")
                    )));
                }
            }
            let lookup = |name: &str| {
                m.get(&Value::kw(name))
                    .or_else(|| m.get(&Value::str(name)))
                    .cloned()
            };
            let mut out = Vec::new();
            let mut pending_nils = 0;
            for a in &spec_op.args {
                match lookup(&a.name) {
                    Some(v) => {
                        out.extend(std::iter::repeat_n(Arg::Value(Value::Nil), pending_nils));
                        pending_nils = 0;
                        out.push(Arg::Value(v));
                    }
                    None if a.optional => pending_nils += 1,
                    None => {
                        return Err(super::usage(format!("{op}: missing argument {}", a.name)));
                    }
                }
            }
            out
        }
        other => {
            return Err(super::usage(format!(
                "{op}: arguments must be a vector (positional) or a map (by name), got {other}"
            )));
        }
    };
    call(op, &positional)
}

/// An error as a wire value: `{:kind "schema" :message ".." :pos {:line
/// :col}? :data ..?}` (the shape every binding raises from).
pub fn error_value(e: &Error) -> Value {
    let kw = Value::kw;
    let mut fields = vec![
        (kw("kind"), Value::str(e.kind.as_str())),
        (kw("message"), Value::str(&e.message)),
    ];
    if let Some(p) = e.pos {
        fields.push((
            kw("pos"),
            Value::map([
                (kw("line"), Value::Long(i64::from(p.line))),
                (kw("col"), Value::Long(i64::from(p.col))),
            ]),
        ));
    }
    if let Some(d) = &e.data {
        fields.push((kw("data"), d.clone()));
    }
    Value::map(fields)
}

/// [`dispatch`] over JSON text, as the C ABI and JNI use it: the arguments
/// are JSON (an array, an object, or empty for none) read by the wire
/// rule; the answer is `{"ok": result}` or `{"error": {"kind": ..,
/// "message": ..}}`. Never panics on any input.
pub fn dispatch_json(op: &str, args_json: &str) -> String {
    let result = if args_json.trim().is_empty() {
        dispatch(op, &Value::Nil)
    } else {
        super::wire::from_json_str(args_json).and_then(|args| dispatch(op, &args))
    };
    let mut out = String::new();
    match result {
        Ok(v) => {
            out.push_str("{\"ok\":");
            super::wire::write_json(&mut out, &v);
        }
        Err(e) => {
            out.push_str("{\"error\":");
            super::wire::write_json(&mut out, &error_value(&e));
        }
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positional_and_named_arguments_reach_the_same_op() {
        let cfg = r#"{"store": {"backend": ":memory", "id": "dispatch-test"}}"#;
        let created = dispatch_json("create-database", &format!("[{cfg}]"));
        assert!(created.starts_with("{\"ok\":{"), "{created}");
        assert_eq!(
            dispatch_json("database-exists?", &format!("{{\"config\": {cfg}}}")),
            r#"{"ok":true}"#
        );
        let conn = dispatch_json("connect", &format!("[{cfg}]"));
        let conn = conn
            .strip_prefix("{\"ok\":")
            .and_then(|s| s.strip_suffix('}'))
            .unwrap();
        let tx = dispatch_json(
            "transact",
            &format!(r#"{{"conn": {conn}, "tx-input": [{{"db/ident": ":color"}}]}}"#),
        );
        assert!(tx.contains("\"tempids\""), "{tx}");
        let q = dispatch_json(
            "q",
            &format!(r#"["[:find ?e . :where [?e :db/ident :color]]", [{conn}]]"#),
        );
        assert!(q.starts_with("{\"ok\":"), "{q}");
        assert_eq!(
            dispatch_json("delete-database", &format!("[{cfg}]")),
            r#"{"ok":null}"#
        );
    }

    #[test]
    fn an_instant_view_handle_survives_the_json_wire() {
        let cfg = r#"{"store": {"backend": ":memory", "id": "dispatch-inst-view"}}"#;
        dispatch_json("create-database", &format!("[{cfg}]"));
        let ok = |s: String| s["{\"ok\":".len()..s.len() - 1].to_string();
        let db = ok(dispatch_json(
            "db",
            &format!("[{{\"cairn/connection\": {{\"config\": {cfg}}}}}]"),
        ));
        let view = ok(dispatch_json(
            "as-of",
            &format!(r##"[{db}, {{"#inst": "2030-01-01T00:00:00Z"}}]"##),
        ));
        assert!(
            view.contains("\"time-point\":\"2030-01-01T00:00:00.000Z\""),
            "{view}"
        );
        let n = dispatch_json(
            "q",
            &format!(r#"["[:find (count ?e) . :where [?e :db/ident]]", [{view}]]"#),
        );
        assert!(n.starts_with("{\"ok\":"), "{n}");
        dispatch_json("delete-database", &format!("[{cfg}]"));
    }

    #[test]
    fn bad_input_is_a_structured_error() {
        let e = dispatch_json("nope", "[]");
        assert!(e.starts_with(r#"{"error":{"kind":"not-found""#), "{e}");
        let e = dispatch_json("q", "[1,");
        assert!(
            e.contains(r#""kind":"syntax""#) && e.contains("\"pos\""),
            "{e}"
        );
        let e = dispatch_json("q", r#"{"query": "[:find ?x]", "bogus": 1}"#);
        assert!(e.contains("unknown argument bogus"), "{e}");
        let e = dispatch_json("transact", r#"{"tx-input": []}"#);
        assert!(e.contains("missing argument conn"), "{e}");
    }
}
