//! JSON Schemas (draft 2020-12) of the wire form of each named type,
//! emitted from the spec's type declarations under the wire rule of
//! DESIGN.md: map keys are keyword names without the colon, keyword values
//! are strings starting with `:`, integers are 64-bit.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json, json};

use crate::model::*;

/// The `$schema` of every emitted document.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The JSON Schema document for the named type `name`, with every type it
/// mentions under `$defs`; `None` if the type is not declared.
pub(crate) fn document(spec: &Spec, name: &str) -> Option<Json> {
    let decl = spec.type_decl(name)?;
    let mut doc = body(decl);
    let mut deps = BTreeSet::new();
    collect(spec, name, &mut deps);
    deps.remove(name);
    let obj = doc.as_object_mut()?;
    obj.insert("$schema".into(), json!(DIALECT));
    obj.insert(
        "$id".into(),
        json!(format!("https://cairn.invalid/schema/{name}.json")),
    );
    obj.insert("title".into(), json!(name));
    // Self-references resolve through $defs too.
    let mut defs = Map::new();
    defs.insert(name.to_string(), body(decl));
    for dep in deps {
        if let Some(d) = spec.type_decl(&dep) {
            defs.insert(dep, body(d));
        }
    }
    obj.insert("$defs".into(), Json::Object(defs));
    Some(doc)
}

/// Every named type reachable from `name`, including itself.
fn collect(spec: &Spec, name: &str, out: &mut BTreeSet<String>) {
    if !out.insert(name.to_string()) {
        return;
    }
    let Some(decl) = spec.type_decl(name) else {
        return;
    };
    let refs: Vec<&TypeRef> = match &decl.kind {
        TypeKind::Scalar { .. } | TypeKind::Enum { .. } => vec![],
        TypeKind::Map { fields, .. } | TypeKind::Handle { fields, .. } => {
            fields.iter().map(|f| &f.ty).collect()
        }
        TypeKind::Vector { of } => vec![of],
        TypeKind::Variant { variants } => variants.iter().map(|v| &v.ty).collect(),
    };
    for r in refs {
        for n in r.names() {
            collect(spec, n, out);
        }
    }
}

pub(crate) fn reference(ty: &TypeRef) -> Json {
    match ty {
        TypeRef::Named { name } => json!({"$ref": format!("#/$defs/{name}")}),
        TypeRef::Vector { of } => json!({"type": "array", "items": reference(of)}),
        TypeRef::Maybe { of } => json!({"anyOf": [reference(of), {"type": "null"}]}),
        TypeRef::MapOf { value, .. } => {
            json!({"type": "object", "additionalProperties": reference(value)})
        }
    }
}

fn object(fields: &[Field], open: bool) -> Json {
    let mut props = Map::new();
    let mut required = Vec::new();
    for f in fields {
        let mut p = reference(&f.ty);
        if let Some(o) = p.as_object_mut() {
            o.insert("description".into(), json!(f.doc));
        }
        props.insert(f.name.clone(), p);
        if !f.optional {
            required.push(json!(f.name));
        }
    }
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": open,
    })
}

/// The schema of one declaration, without `$defs`.
fn body(decl: &TypeDecl) -> Json {
    let mut s = match &decl.kind {
        TypeKind::Scalar { json } => match json {
            JsonScalar::Boolean => json!({"type": "boolean"}),
            JsonScalar::Integer => json!({"type": "integer", "format": "int64",
                "minimum": i64::MIN, "maximum": i64::MAX}),
            JsonScalar::Number => json!({"type": "number", "format": "double"}),
            JsonScalar::String => json!({"type": "string"}),
            JsonScalar::Keyword => json!({"type": "string", "pattern": "^:[^\\s]+$"}),
            JsonScalar::Instant => json!({"type": "string", "format": "date-time"}),
            JsonScalar::Uuid => json!({"type": "string", "format": "uuid"}),
            JsonScalar::Nil => json!({"type": "null"}),
            JsonScalar::Any => json!({}),
        },
        TypeKind::Map { fields, open } => object(fields, *open),
        TypeKind::Handle { fields, identity } => {
            let mut o = object(fields, false);
            if let Some(m) = o.as_object_mut() {
                m.insert("x-cairn-handle".into(), json!({"identity": identity}));
            }
            o
        }
        TypeKind::Vector { of } => json!({"type": "array", "items": reference(of)}),
        TypeKind::Enum { values } => {
            let vs: Vec<Json> = values
                .iter()
                .map(|v| json!(format!(":{}", v.value)))
                .collect();
            json!({"enum": vs})
        }
        TypeKind::Variant { variants } => {
            let alts: Vec<Json> = variants
                .iter()
                .map(|v| {
                    let mut r = reference(&v.ty);
                    if let Some(o) = r.as_object_mut() {
                        o.insert("title".into(), json!(v.name));
                        o.insert("description".into(), json!(v.doc));
                    }
                    r
                })
                .collect();
            json!({"anyOf": alts})
        }
    };
    if let Some(o) = s.as_object_mut() {
        o.insert("description".into(), json!(decl.doc));
        o.insert("x-rust-type".into(), json!(decl.rust));
    }
    s
}
