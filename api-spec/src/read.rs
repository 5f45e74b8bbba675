//! EDN → model: reads the shape of `api.edn`, collecting every problem.
//! Cross-references (types, names, examples) are checked afterwards, in
//! `check`.

use std::collections::BTreeMap;

use cairn_edn::Value;

use crate::error::{SpecErrorKind as K, SpecErrors};
use crate::model::*;

/// Reads a spec's EDN text into an unchecked model. Problems go to `errs`;
/// the model holds whatever could be read.
pub(crate) fn read_spec(text: &str, errs: &mut SpecErrors) -> Option<Spec> {
    let root = match cairn_edn::edn::read(text) {
        Ok(v) => v,
        Err(e) => {
            errs.push(K::Syntax, "api.edn", format!("not valid EDN: {e}"));
            return None;
        }
    };
    let mut r = Reader { errs };
    let at = "spec";
    r.keys(
        &root,
        at,
        &[
            "format",
            "doc",
            "errors",
            "transport-errors",
            "types",
            "ops",
        ],
    )?;
    let format = match root.get_kw("format").and_then(Value::as_long) {
        Some(n) => n,
        None => {
            r.errs
                .push(K::Missing, at, "`:format` (an integer) is required");
            0
        }
    };
    let doc = r.req_str(&root, "doc", at);
    let errors = r
        .items(&root, "errors", at)
        .iter()
        .enumerate()
        .filter_map(|(i, v)| r.error_kind(v, i))
        .collect();
    // Optional: a spec without an HTTP transport declares none.
    let transport_errors = if root.get_kw("transport-errors").is_some() {
        r.items(&root, "transport-errors", at)
            .iter()
            .enumerate()
            .filter_map(|(i, v)| r.error_kind(v, i))
            .collect()
    } else {
        Vec::new()
    };
    let types = r
        .items(&root, "types", at)
        .iter()
        .enumerate()
        .filter_map(|(i, v)| r.type_decl(v, i))
        .collect();
    let ops = r
        .items(&root, "ops", at)
        .iter()
        .enumerate()
        .filter_map(|(i, v)| r.op(v, i))
        .collect();
    Some(Spec {
        format,
        doc,
        types,
        errors,
        transport_errors,
        ops,
    })
}

struct Reader<'e> {
    errs: &'e mut SpecErrors,
}

/// A name given as a symbol, keyword (without the colon) or string.
fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::Symbol(s) => Some(s.full().to_string()),
        Value::Keyword(k) => Some(k.full().to_string()),
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

/// Where an item is: by its `key` name when it has one, else `fallback`.
fn locate(v: &Value, key: &str, named: impl Fn(&str) -> String, fallback: String) -> String {
    match v.get_kw(key).and_then(name_of) {
        Some(n) => named(&n),
        None => fallback,
    }
}

impl Reader<'_> {
    /// Checks `v` is a map whose keys are all among `allowed` keywords.
    fn keys<'v>(
        &mut self,
        v: &'v Value,
        at: &str,
        allowed: &[&str],
    ) -> Option<&'v BTreeMap<Value, Value>> {
        let Some(m) = v.as_map() else {
            self.errs
                .push(K::Syntax, at, format!("expected a map, found {v}"));
            return None;
        };
        for k in m.keys() {
            match k.as_keyword() {
                Some(kw) if allowed.contains(&kw.full()) => {}
                Some(kw) => self.errs.push(
                    K::UnknownKey,
                    at,
                    format!(
                        "unknown key `:{}` (allowed: {})",
                        kw.full(),
                        allowed.join(", ")
                    ),
                ),
                None => self
                    .errs
                    .push(K::Syntax, at, format!("key {k} is not a keyword")),
            }
        }
        Some(m)
    }

    fn req_str(&mut self, v: &Value, key: &str, at: &str) -> String {
        match v.get_kw(key) {
            Some(Value::Str(s)) if !s.trim().is_empty() => s.to_string(),
            Some(Value::Str(_)) | None | Some(Value::Nil) => {
                self.errs.push(
                    K::Missing,
                    at,
                    format!("`:{key}` is required and must not be empty"),
                );
                String::new()
            }
            Some(other) => {
                self.errs.push(
                    K::Syntax,
                    at,
                    format!("`:{key}` must be a string, found {other}"),
                );
                String::new()
            }
        }
    }

    fn opt_str(&mut self, v: &Value, key: &str, at: &str) -> Option<String> {
        match v.get_kw(key)? {
            Value::Str(s) => Some(s.to_string()),
            other => {
                self.errs.push(
                    K::Syntax,
                    at,
                    format!("`:{key}` must be a string, found {other}"),
                );
                None
            }
        }
    }

    fn req_name(&mut self, v: &Value, key: &str, at: &str) -> Option<String> {
        match v.get_kw(key) {
            None => {
                self.errs
                    .push(K::Missing, at, format!("`:{key}` is required"));
                None
            }
            Some(n) => {
                let name = name_of(n);
                if name.is_none() {
                    self.errs.push(
                        K::Syntax,
                        at,
                        format!("`:{key}` must be a symbol, found {n}"),
                    );
                }
                name
            }
        }
    }

    fn bool(&mut self, v: &Value, key: &str, at: &str, default: Option<bool>) -> bool {
        match (v.get_kw(key), default) {
            (Some(Value::Bool(b)), _) => *b,
            (None, Some(d)) => d,
            (None, None) => {
                self.errs.push(
                    K::Missing,
                    at,
                    format!("`:{key}` (true or false) is required"),
                );
                false
            }
            (Some(other), _) => {
                self.errs.push(
                    K::Syntax,
                    at,
                    format!("`:{key}` must be true or false, found {other}"),
                );
                false
            }
        }
    }

    /// The elements of the vector under `key` (empty, with an error, when absent).
    fn items<'v>(&mut self, v: &'v Value, key: &str, at: &str) -> &'v [Value] {
        match v.get_kw(key) {
            Some(Value::Vector(items)) => items,
            None => {
                self.errs
                    .push(K::Missing, at, format!("`:{key}` (a vector) is required"));
                &[]
            }
            Some(other) => {
                self.errs.push(
                    K::Syntax,
                    at,
                    format!("`:{key}` must be a vector, found {other}"),
                );
                &[]
            }
        }
    }

    /// Like `items`, but absent means empty.
    fn opt_items<'v>(&mut self, v: &'v Value, key: &str, at: &str) -> &'v [Value] {
        if v.get_kw(key).is_none() {
            return &[];
        }
        self.items(v, key, at)
    }

    fn names(&mut self, v: &Value, key: &str, at: &str) -> Vec<String> {
        let mut out = Vec::new();
        for item in self.opt_items(v, key, at) {
            match name_of(item) {
                Some(n) => out.push(n),
                None => self
                    .errs
                    .push(K::Syntax, at, format!("`:{key}` holds {item}, not a name")),
            }
        }
        out
    }

    fn type_ref_at(&mut self, v: &Value, key: &str, at: &str) -> TypeRef {
        match v.get_kw(key) {
            Some(t) => self.type_ref(t, at),
            None => {
                self.errs
                    .push(K::Missing, at, format!("`:{key}` (a type) is required"));
                TypeRef::named("?")
            }
        }
    }

    fn type_ref(&mut self, v: &Value, at: &str) -> TypeRef {
        if let Value::Symbol(s) = v {
            return TypeRef::named(s.full());
        }
        if let Some(items) = v.as_vector() {
            let head = items.first().and_then(Value::as_keyword).map(|k| k.full());
            match (head, items.len()) {
                (Some("vector"), 2) => {
                    return TypeRef::Vector {
                        of: Box::new(self.type_ref(&items[1], at)),
                    };
                }
                (Some("maybe"), 2) => {
                    return TypeRef::Maybe {
                        of: Box::new(self.type_ref(&items[1], at)),
                    };
                }
                (Some("map-of"), 3) => {
                    return TypeRef::MapOf {
                        key: Box::new(self.type_ref(&items[1], at)),
                        value: Box::new(self.type_ref(&items[2], at)),
                    };
                }
                _ => {}
            }
        }
        self.errs.push(
            K::Syntax,
            at,
            format!("{v} is not a type: use a type name, [:vector T], [:maybe T] or [:map-of K V]"),
        );
        TypeRef::named("?")
    }

    fn error_kind(&mut self, v: &Value, i: usize) -> Option<ErrorKindDecl> {
        let fallback = locate(
            v,
            "name",
            |n| format!("error kind `{n}`"),
            format!("error kind #{}", i + 1),
        );
        self.keys(v, &fallback, &["name", "doc", "http-status"])?;
        let name = self.req_name(v, "name", &fallback)?;
        let at = format!("error kind `{name}`");
        let doc = self.req_str(v, "doc", &at);
        let http_status = match v.get_kw("http-status").and_then(Value::as_long) {
            Some(s) => s,
            None => {
                self.errs
                    .push(K::Missing, &at, "`:http-status` (an integer) is required");
                500
            }
        };
        Some(ErrorKindDecl {
            name,
            doc,
            http_status,
        })
    }

    fn field(&mut self, v: &Value, owner: &str, i: usize) -> Option<Field> {
        let fallback = locate(
            v,
            "name",
            |n| format!("{owner} field `{n}`"),
            format!("{owner} field #{}", i + 1),
        );
        self.keys(v, &fallback, &["name", "doc", "type", "optional?"])?;
        let name = self.req_name(v, "name", &fallback)?;
        let at = format!("{owner} field `{name}`");
        Some(Field {
            doc: self.req_str(v, "doc", &at),
            ty: self.type_ref_at(v, "type", &at),
            optional: self.bool(v, "optional?", &at, Some(false)),
            name,
        })
    }

    fn fields(&mut self, v: &Value, at: &str) -> Vec<Field> {
        self.items(v, "fields", at)
            .iter()
            .enumerate()
            .filter_map(|(i, f)| self.field(f, at, i))
            .collect()
    }

    fn type_decl(&mut self, v: &Value, i: usize) -> Option<TypeDecl> {
        let fallback = locate(
            v,
            "name",
            |n| format!("type `{n}`"),
            format!("type #{}", i + 1),
        );
        self.keys(
            v,
            &fallback,
            &[
                "name", "doc", "kind", "rust", "json", "fields", "open?", "of", "values",
                "variants", "identity",
            ],
        )?;
        let name = self.req_name(v, "name", &fallback)?;
        let at = format!("type `{name}`");
        let doc = self.req_str(v, "doc", &at);
        let rust = self.req_str(v, "rust", &at);
        let kind_name = v
            .get_kw("kind")
            .and_then(Value::as_keyword)
            .map(|k| k.full().to_string());
        let kind = match kind_name.as_deref() {
            Some("scalar") => TypeKind::Scalar {
                json: self.json_scalar(v, &at),
            },
            Some("map") => TypeKind::Map {
                fields: self.fields(v, &at),
                open: self.bool(v, "open?", &at, Some(false)),
            },
            Some("vector") => TypeKind::Vector {
                of: self.type_ref_at(v, "of", &at),
            },
            Some("enum") => TypeKind::Enum {
                values: self.enum_values(v, &at),
            },
            Some("variant") => TypeKind::Variant {
                variants: self.variants(v, &at),
            },
            Some("handle") => TypeKind::Handle {
                identity: self.req_str(v, "identity", &at),
                fields: self.fields(v, &at),
            },
            _ => {
                self.errs.push(
                    K::Missing,
                    &at,
                    "`:kind` must be one of :scalar :map :vector :enum :variant :handle",
                );
                return None;
            }
        };
        Some(TypeDecl {
            name,
            doc,
            rust,
            kind,
        })
    }

    fn json_scalar(&mut self, v: &Value, at: &str) -> JsonScalar {
        let kw = v
            .get_kw("json")
            .and_then(Value::as_keyword)
            .map(|k| k.full().to_string());
        match kw.as_deref() {
            Some("boolean") => JsonScalar::Boolean,
            Some("integer") => JsonScalar::Integer,
            Some("number") => JsonScalar::Number,
            Some("string") => JsonScalar::String,
            Some("keyword") => JsonScalar::Keyword,
            Some("instant") => JsonScalar::Instant,
            Some("uuid") => JsonScalar::Uuid,
            Some("nil") => JsonScalar::Nil,
            Some("any") => JsonScalar::Any,
            _ => {
                self.errs.push(
                    K::Missing,
                    at,
                    "`:json` must be one of :boolean :integer :number :string :keyword :instant :uuid :nil :any",
                );
                JsonScalar::Any
            }
        }
    }

    fn enum_values(&mut self, v: &Value, at: &str) -> Vec<EnumValue> {
        let mut out = Vec::new();
        for (i, item) in self.items(v, "values", at).iter().enumerate() {
            let fallback = locate(
                item,
                "value",
                |n| format!("{at} value `:{n}`"),
                format!("{at} value #{}", i + 1),
            );
            if self.keys(item, &fallback, &["value", "doc"]).is_none() {
                continue;
            }
            let Some(value) = self.req_name(item, "value", &fallback) else {
                continue;
            };
            let vat = format!("{at} value `:{value}`");
            out.push(EnumValue {
                doc: self.req_str(item, "doc", &vat),
                value,
            });
        }
        out
    }

    fn variants(&mut self, v: &Value, at: &str) -> Vec<Variant> {
        let mut out = Vec::new();
        for (i, item) in self.items(v, "variants", at).iter().enumerate() {
            let fallback = locate(
                item,
                "name",
                |n| format!("{at} variant `{n}`"),
                format!("{at} variant #{}", i + 1),
            );
            if self
                .keys(item, &fallback, &["name", "doc", "type"])
                .is_none()
            {
                continue;
            }
            let Some(name) = self.req_name(item, "name", &fallback) else {
                continue;
            };
            let vat = format!("{at} variant `{name}`");
            out.push(Variant {
                doc: self.req_str(item, "doc", &vat),
                ty: self.type_ref_at(item, "type", &vat),
                name,
            });
        }
        out
    }

    fn arg(&mut self, v: &Value, op: &str, i: usize) -> Option<Arg> {
        let fallback = locate(
            v,
            "name",
            |n| format!("{op} arg `{n}`"),
            format!("{op} arg #{}", i + 1),
        );
        self.keys(
            v,
            &fallback,
            &["name", "doc", "type", "optional?", "default"],
        )?;
        let name = self.req_name(v, "name", &fallback)?;
        let at = format!("{op} arg `{name}`");
        Some(Arg {
            doc: self.req_str(v, "doc", &at),
            ty: self.type_ref_at(v, "type", &at),
            optional: self.bool(v, "optional?", &at, Some(false)),
            default: v.get_kw("default").map(cairn_edn::edn::to_string),
            name,
        })
    }

    fn example(&mut self, v: &Value, op: &str, i: usize) -> Option<Example> {
        let at = format!("{op} example #{}", i + 1);
        self.keys(v, &at, &["desc", "args", "cli", "ret"])?;
        Some(Example {
            desc: self.req_str(v, "desc", &at),
            args: self
                .items(v, "args", &at)
                .iter()
                .map(cairn_edn::edn::to_string)
                .collect(),
            cli: self.opt_str(v, "cli", &at),
            ret: v.get_kw("ret").map(cairn_edn::edn::to_string),
        })
    }

    fn op(&mut self, v: &Value, i: usize) -> Option<Op> {
        let fallback = locate(v, "name", |n| format!("op `{n}`"), format!("op #{}", i + 1));
        self.keys(
            v,
            &fallback,
            &[
                "name",
                "doc",
                "args",
                "ret",
                "categories",
                "stability",
                "remote?",
                "pure?",
                "arg-map?",
                "aliases",
                "names",
                "targets",
                "examples",
            ],
        )?;
        let name = self.req_name(v, "name", &fallback)?;
        let at = format!("op `{name}`");
        let doc = self.req_str(v, "doc", &at);
        let args = self
            .items(v, "args", &at)
            .iter()
            .enumerate()
            .filter_map(|(i, a)| self.arg(a, &at, i))
            .collect();
        let ret = self.type_ref_at(v, "ret", &at);
        let categories = self.names(v, "categories", &at);
        if categories.is_empty() {
            self.errs.push(
                K::Missing,
                &at,
                "`:categories` must name at least one category",
            );
        }
        let stability = match v
            .get_kw("stability")
            .and_then(Value::as_keyword)
            .map(|k| k.full())
        {
            Some("stable") => Stability::Stable,
            Some("beta") => Stability::Beta,
            Some("experimental") => Stability::Experimental,
            _ => {
                self.errs.push(
                    K::Missing,
                    &at,
                    "`:stability` must be :stable, :beta or :experimental",
                );
                Stability::Experimental
            }
        };
        let remote = self.bool(v, "remote?", &at, None);
        let pure = self.bool(v, "pure?", &at, None);
        let arg_map = self.bool(v, "arg-map?", &at, Some(false));
        let aliases = self.names(v, "aliases", &at);
        let names = match v.get_kw("names") {
            None => NameOverrides::default(),
            Some(n) => {
                let nat = format!("{at} names");
                self.keys(n, &nat, &["python", "camel"]);
                NameOverrides {
                    python: self.opt_str(n, "python", &nat),
                    camel: self.opt_str(n, "camel", &nat),
                }
            }
        };
        let targets = if v.get_kw("targets").is_some() {
            let mut ts = Vec::new();
            for t in self.names(v, "targets", &at) {
                match Target::ALL.iter().find(|x| x.as_str() == t) {
                    Some(x) => ts.push(*x),
                    None => self
                        .errs
                        .push(K::Syntax, &at, format!("unknown target `:{t}`")),
                }
            }
            ts
        } else {
            Target::ALL
                .into_iter()
                .filter(|t| remote || !t.is_remote())
                .collect()
        };
        let examples = self
            .opt_items(v, "examples", &at)
            .iter()
            .enumerate()
            .filter_map(|(i, e)| self.example(e, &at, i))
            .collect();
        Some(Op {
            name,
            doc,
            args,
            ret,
            categories,
            stability,
            remote,
            pure,
            arg_map,
            aliases,
            names,
            targets,
            examples,
        })
    }
}
