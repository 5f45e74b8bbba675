//! The OpenAPI 3.1 document of the HTTP transport (`cairn serve`), derived
//! from the spec: one `POST /v1/<command>` per `:remote? true` operation,
//! its arguments as a request body (an object by argument name, or an array
//! of positional arguments), its return type as the 200 response, and one
//! error response per HTTP status of the spec's `:errors` and
//! `:transport-errors` tables. The wire
//! types come from [`Spec::json_schemas`] under `components/schemas`.
//!
//! The output is deterministic: every JSON object is a sorted map.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::model::*;
use crate::schema::{DIALECT, reference};

/// The media types every operation accepts and answers with.
const MEDIA: [&str; 2] = ["application/json", "application/edn"];

/// Rewrites every `$ref` into `#/$defs/` (as [`Spec::json_schema`] emits
/// them) to point into `#/components/schemas/`.
fn rewrite_refs(v: &mut Json) {
    match v {
        Json::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    Json::String(s) if k == "$ref" => {
                        if let Some(name) = s.strip_prefix("#/$defs/") {
                            *s = format!("#/components/schemas/{name}");
                        }
                    }
                    _ => rewrite_refs(x),
                }
            }
        }
        Json::Array(xs) => xs.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// The same schema for every media type.
fn content(schema: &Json) -> Json {
    let mut m = Map::new();
    for media in MEDIA {
        m.insert(media.to_string(), json!({ "schema": schema }));
    }
    Json::Object(m)
}

/// The request body schema of `op`: its arguments by name (an object) or
/// by position (an array).
fn request_schema(op: &Op) -> Json {
    let mut props = Map::new();
    let mut items = Vec::new();
    let mut required = Vec::new();
    for a in &op.args {
        let mut s = reference(&a.ty);
        let mut doc = a.doc.clone();
        if let Some(d) = &a.default {
            doc.push_str(&format!(" Default (EDN): `{d}`."));
        }
        if let Some(o) = s.as_object_mut() {
            o.insert("description".into(), json!(doc));
        }
        if a.optional {
            s = json!({"anyOf": [s, {"type": "null"}]});
        } else {
            required.push(json!(a.name));
        }
        if let Some(o) = s.as_object_mut() {
            o.insert("title".into(), json!(a.name));
        }
        props.insert(a.name.clone(), s.clone());
        items.push(s);
    }
    json!({
        "oneOf": [
            {
                "title": "arguments by name",
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": false,
            },
            {
                "title": "positional arguments",
                "type": "array",
                "prefixItems": items,
                "items": false,
                "minItems": op.required_arity(),
                "maxItems": op.args.len(),
            },
        ]
    })
}

/// The `Error` schema every failure answers with.
fn error_schema(spec: &Spec) -> Json {
    let mut kinds: Vec<String> = spec
        .errors
        .iter()
        .map(|e| format!("`{}`", e.name))
        .collect();
    kinds.extend(
        spec.transport_errors
            .iter()
            .map(|e| format!("`{}`", e.name)),
    );
    json!({
        "title": "Error",
        "description": "A failed call: the error kind, a message naming the offending value, the position for parse errors, and optional data.",
        "type": "object",
        "properties": {
            "kind": {
                "type": "string",
                "description": format!("The error kind: {}.", kinds.join(", ")),
            },
            "message": {"type": "string", "description": "What went wrong, naming the offending value."},
            "pos": {
                "type": "object",
                "description": "Where in the input a parse error is (1-based).",
                "properties": {
                    "line": {"type": "integer", "minimum": 1},
                    "col": {"type": "integer", "minimum": 1},
                },
                "required": ["line", "col"],
                "additionalProperties": false,
            },
            "data": {"description": "Extra data about the error (any value under the wire rule)."},
        },
        "required": ["kind", "message"],
        "additionalProperties": false,
    })
}

/// The error kinds answered with each HTTP status: the spec's table plus
/// the transport's own.
fn errors_by_status(spec: &Spec) -> BTreeMap<i64, Vec<(String, String)>> {
    let mut by: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
    for e in spec.errors.iter().chain(&spec.transport_errors) {
        by.entry(e.http_status)
            .or_default()
            .push((e.name.clone(), e.doc.clone()));
    }
    by
}

fn response_name(status: i64) -> String {
    format!("Error{status}")
}

impl Spec {
    /// The OpenAPI 3.1 document of the HTTP transport: one
    /// `POST /v1/<command>` per operation exposed over HTTP (`:remote?
    /// true`), operationId its camelCase name, the request body an object
    /// of named arguments or an array of positional ones, the response the
    /// op's return type, errors per the spec's `:errors` and
    /// `:transport-errors` tables with one shared `Error` schema, the
    /// wire types under `components/schemas`, and bearer authentication.
    /// Both `application/json` (the wire rule) and `application/edn` are
    /// offered. Deterministic: the same spec gives the same document.
    pub fn openapi(&self) -> Json {
        let by_status = errors_by_status(self);
        let mut paths = Map::new();
        for op in self.ops_for(Target::Http).filter(|op| op.remote) {
            let mut responses = Map::new();
            responses.insert(
                "200".into(),
                json!({
                    "description": format!("The result ({}).", op.ret),
                    "content": content(&reference(&op.ret)),
                }),
            );
            for status in by_status.keys() {
                responses.insert(
                    status.to_string(),
                    json!({"$ref": format!("#/components/responses/{}", response_name(*status))}),
                );
            }
            let mut post = json!({
                "operationId": op.camel_name(),
                "summary": op.summary().trim(),
                "description": op.doc,
                "tags": op.categories.first().map(|c| vec![c.clone()]).unwrap_or_default(),
                "x-cairn-op": op.name,
                "x-cairn-stability": op.stability,
                "x-cairn-pure": op.pure,
                "requestBody": {
                    "description": "The arguments: an object by argument name, or an array in the spec's order. An empty body passes none.",
                    "required": op.required_arity() > 0,
                    "content": content(&request_schema(op)),
                },
                "responses": responses,
            });
            if op.stability == Stability::Experimental
                && let Some(o) = post.as_object_mut()
            {
                o.insert(
                    "x-cairn-note".into(),
                    json!("Experimental: the shape may change."),
                );
            }
            paths.insert(op.url_path(), json!({ "post": post }));
        }

        let mut schemas = Map::new();
        for (name, mut doc) in self.json_schemas() {
            if let Some(o) = doc.as_object_mut() {
                o.remove("$schema");
                o.remove("$id");
                o.remove("$defs");
            }
            schemas.insert(name, doc);
        }
        schemas.insert("Error".into(), error_schema(self));

        let mut responses = Map::new();
        for (status, kinds) in &by_status {
            let desc: Vec<String> = kinds.iter().map(|(k, d)| format!("`{k}`: {d}")).collect();
            responses.insert(
                response_name(*status),
                json!({
                    "description": desc.join(" "),
                    "content": content(&json!({"$ref": "#/components/schemas/Error"})),
                }),
            );
        }

        let mut doc = json!({
            "openapi": "3.1.0",
            "jsonSchemaDialect": DIALECT,
            "info": {
                "title": "Cairn",
                "version": env!("CARGO_PKG_VERSION"),
                "description": format!(
                    "{}\n\nJSON bodies follow the wire rule: object keys are keywords, a string starting with `:` is a keyword, `\\\\:` escapes a literal colon, integers are exact 64-bit. Send `Content-Type: application/edn` (or `Accept: application/edn`) for EDN.",
                    self.doc
                ),
                "x-spec-hash": self.hash(),
                "x-generated-by": "cairn-codegen (openapi) from api-spec/api.edn; do not edit generated/openapi.json, regenerate with `cargo run -p cairn-codegen -- generate`",
            },
            "paths": paths,
            "components": {
                "schemas": schemas,
                "responses": responses,
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "Required when the server was started with a token (`cairn serve --token`, or `CAIRN_SERVER_TOKEN`).",
                    },
                },
            },
            "security": [{"bearerAuth": []}, {}],
        });
        rewrite_refs(&mut doc);
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` in `v`.
    fn refs<'a>(v: &'a Json, out: &mut Vec<&'a str>) {
        match v {
            Json::Object(m) => {
                for (k, x) in m {
                    match x {
                        Json::String(s) if k == "$ref" => out.push(s),
                        _ => refs(x, out),
                    }
                }
            }
            Json::Array(xs) => xs.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn every_remote_op_is_a_path_and_every_ref_resolves() {
        let spec = crate::load().unwrap();
        let doc = spec.openapi();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        let remote: Vec<&Op> = spec.ops.iter().filter(|o| o.remote).collect();
        assert_eq!(paths.len(), remote.len());
        for op in remote {
            let post = &paths[&op.url_path()]["post"];
            assert_eq!(post["operationId"], op.camel_name(), "{}", op.name);
            for media in MEDIA {
                assert!(post["requestBody"]["content"][media]["schema"].is_object());
                assert!(post["responses"]["200"]["content"][media]["schema"].is_object());
            }
            for e in &spec.errors {
                assert!(
                    post["responses"][e.http_status.to_string()].is_object(),
                    "{} lacks {}",
                    op.name,
                    e.http_status
                );
            }
        }
        for op in spec.ops.iter().filter(|o| !o.remote) {
            assert!(!paths.contains_key(&op.url_path()), "{}", op.name);
        }
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(all.len() > 50);
        for r in all {
            let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{r}"));
            assert!(doc.pointer(pointer).is_some(), "unresolved $ref {r}");
        }
        let types = doc["components"]["schemas"].as_object().unwrap();
        for t in &spec.types {
            assert!(types.contains_key(&t.name), "{}", t.name);
        }
        assert_eq!(
            doc["components"]["responses"]["Error422"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
    }

    #[test]
    fn deterministic() {
        let spec = crate::load().unwrap();
        assert_eq!(
            serde_json::to_string(&spec.openapi()).unwrap(),
            serde_json::to_string(&spec.openapi()).unwrap()
        );
    }
}
