//! `generated/typescript/`: the npm package `@cairn/client`, a typed client
//! of `cairn serve` over HTTP that uses `fetch` only (Node 20+ and
//! browsers).
//!
//! - `src/types.ts`: one TypeScript type per named type the exposed ops use
//!   (object types with quoted keys for maps and handles, string-literal
//!   unions for enums, unions for variants, `` `:${string}` `` for keywords,
//!   `number | bigint` for longs, the recursive `WireValue` for `:any`);
//! - `src/wire.ts`: the JSON wire rule (a parser that keeps integers beyond
//!   2^53 exact as `bigint`, a serializer that writes them back) and the
//!   helpers that build tagged values (`keyword`, `inst`, `uuid`, `edn`,
//!   `ednSet`, `ednList`, `literalString`);
//! - `src/errors.ts`: `CairnError` and one subclass per error kind of the
//!   spec's `:errors` table, with its HTTP status;
//! - `src/client.ts`: `class Cairn` / `createClient` with one documented
//!   async method per op exposed to TypeScript (`remote?` ops only);
//! - `package.json`, `tsconfig.json` (`tsc` builds `dist/`), `.gitignore`,
//!   `.npmrc` (no lock file).

use std::collections::BTreeSet;

use askama::Template;
use cairn_api_spec::{
    JsonScalar, Op, Spec, Stability, Target, TypeDecl, TypeKind, TypeRef, naming,
};

use crate::{CodegenError, CodegenErrors, GeneratedFile, Generator, Support};

/// The TypeScript generator.
#[derive(Clone, Copy, Debug)]
pub struct TypeScript;

/// The npm package name.
pub const PACKAGE: &str = "@cairn/client";

/// Members of `Cairn` that are not ops; an op whose camelCase name is one of
/// these is refused (give it a `:names {:camel ..}` override).
const CLIENT_MEMBERS: &[&str] = &["constructor", "url", "health", "specHash"];

/// TypeScript global types that a spec type name must not shadow: scalars
/// with these names are written inline (`string`, `boolean`) and other
/// kinds are refused.
const TS_GLOBALS: &[&str] = &[
    "String", "Boolean", "Number", "Object", "Symbol", "BigInt", "Date", "Error", "Array", "Map",
    "Set", "Function", "Promise", "Record", "Partial", "Required", "Readonly",
];

/// Names the generated module declares itself.
const OWN_NAMES: &[&str] = &[
    "WireValue",
    "WireObject",
    "InstTag",
    "UuidTag",
    "EdnTag",
    "SetTag",
    "ListTag",
    "Cairn",
    "CairnError",
    "ClientOptions",
    "FetchLike",
    "ErrorKind",
];

/// One line of a doc comment.
type DocLines = Vec<String>;

/// A named type's declaration.
#[derive(Debug)]
struct TsDecl {
    doc: DocLines,
    /// `export type Long = number | bigint;` and the like, possibly several
    /// lines (object types).
    body: Vec<String>,
}

/// One method parameter.
#[derive(Debug)]
struct TsParam {
    name: String,
    ty: String,
    optional: bool,
}

/// One op as a method of `Cairn`.
#[derive(Debug)]
struct TsOp {
    /// Spec name (`database-exists?`).
    name: String,
    /// camelCase method name.
    method: String,
    /// `/v1/database-exists`.
    path: String,
    doc: DocLines,
    params: Vec<TsParam>,
    ret: String,
}

impl TsOp {
    /// `conn: Connection, txInput: TxInput`.
    fn signature(&self) -> String {
        self.params
            .iter()
            .map(|p| format!("{}{}: {}", p.name, if p.optional { "?" } else { "" }, p.ty))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `[conn, txInput]`.
    fn arg_list(&self) -> String {
        let names: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
        format!("[{}]", names.join(", "))
    }
}

/// One error kind of the spec.
#[derive(Clone, Debug)]
struct TsErrorKind {
    name: String,
    class: String,
    status: i64,
    doc: String,
}

#[derive(Template)]
#[template(path = "typescript/package.json", escape = "none")]
struct PackageJson {
    package: &'static str,
    version: &'static str,
    spec_hash: String,
}

#[derive(Template)]
#[template(path = "typescript/tsconfig.json", escape = "none")]
struct TsConfig {
    header: String,
}

#[derive(Template)]
#[template(path = "typescript/gitignore", escape = "none")]
struct GitIgnore {
    header: String,
}

#[derive(Template)]
#[template(path = "typescript/npmrc", escape = "none")]
struct NpmRc {
    header: String,
}

#[derive(Template)]
#[template(path = "typescript/src/types.ts", escape = "none")]
struct TypesTs {
    header: String,
    /// The wire types the declarations mention (`WireValue`, `InstTag`).
    imports: String,
    decls: Vec<TsDecl>,
}

#[derive(Template)]
#[template(path = "typescript/src/wire.ts", escape = "none")]
struct WireTs {
    header: String,
}

#[derive(Template)]
#[template(path = "typescript/src/errors.ts", escape = "none")]
struct ErrorsTs {
    header: String,
    kinds: Vec<TsErrorKind>,
    transport: Vec<TsErrorKind>,
}

#[derive(Template)]
#[template(path = "typescript/src/client.ts", escape = "none")]
struct ClientTs {
    header: String,
    spec_hash: String,
    type_names: Vec<String>,
    ops: Vec<TsOp>,
}

#[derive(Template)]
#[template(path = "typescript/src/index.ts", escape = "none")]
struct IndexTs {
    header: String,
    type_names: Vec<String>,
    error_classes: Vec<String>,
}

fn err(op: Option<&str>, message: String) -> CodegenError {
    CodegenError {
        generator: "typescript",
        op: op.map(str::to_string),
        message,
    }
}

/// A doc text as comment lines (backticks kept; `*/` defused).
fn doc_lines(text: &str, width: usize) -> DocLines {
    crate::wrap(&text.replace("*/", "*\\/"), width)
}

/// A string as a TypeScript string literal.
fn ts_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A parameter name: camelCase, `_` appended to reserved words.
fn param_name(arg: &str) -> String {
    let n = naming::camel(arg);
    if naming::CAMEL_RESERVED.contains(&n.as_str()) || matches!(n.as_str(), "arguments" | "eval") {
        format!("{n}_")
    } else {
        n
    }
}

/// The TypeScript scalar a JSON scalar kind stands for.
fn scalar_ts(j: JsonScalar) -> &'static str {
    match j {
        JsonScalar::Boolean => "boolean",
        JsonScalar::Integer => "number | bigint",
        JsonScalar::Number => "number",
        JsonScalar::String => "string",
        JsonScalar::Keyword => "`:${string}`",
        JsonScalar::Instant => "string | Date | InstTag",
        JsonScalar::Uuid => "string | UuidTag",
        JsonScalar::Nil => "null",
        JsonScalar::Any => "WireValue",
    }
}

/// Whether a named type is written inline instead of by name.
fn inline_scalar(decl: &TypeDecl) -> Option<&'static str> {
    match &decl.kind {
        TypeKind::Scalar { json } if TS_GLOBALS.contains(&decl.name.as_str()) => {
            Some(scalar_ts(*json))
        }
        TypeKind::Scalar {
            json: JsonScalar::Nil,
        } => Some("null"),
        TypeKind::Scalar {
            json: JsonScalar::Boolean,
        } => Some("boolean"),
        _ => None,
    }
}

/// The TypeScript type of a type reference.
fn ts_type(spec: &Spec, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named { name } => match spec.type_decl(name).and_then(inline_scalar) {
            Some(t) => t.to_string(),
            None => name.clone(),
        },
        TypeRef::Vector { of } => {
            let inner = ts_type(spec, of);
            if inner.contains(' ') {
                format!("Array<{inner}>")
            } else {
                format!("{inner}[]")
            }
        }
        TypeRef::Maybe { of } => format!("{} | null", ts_type(spec, of)),
        TypeRef::MapOf { value, .. } => format!("{{ [key: string]: {} }}", ts_type(spec, value)),
    }
}

/// The members of an object type, one per line.
fn object_members(spec: &Spec, fields: &[cairn_api_spec::Field], open: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for f in fields {
        lines.push("  /**".to_string());
        for l in doc_lines(&f.doc, 72) {
            lines.push(format!("   * {l}").trim_end().to_string());
        }
        lines.push(format!("   * Spec type: `{}`.", crate::spec_type(&f.ty)));
        lines.push("   */".to_string());
        lines.push(format!(
            "  {}{}: {};",
            ts_string(&f.name),
            if f.optional { "?" } else { "" },
            ts_type(spec, &f.ty)
        ));
    }
    if open {
        lines.push("  /** Other keys are allowed (the map is open). */".to_string());
        lines.push("  [key: string]: WireValue | undefined;".to_string());
    }
    lines
}

/// The declaration of a named type (`None` for inline scalars).
fn declare(spec: &Spec, decl: &TypeDecl) -> Result<Option<TsDecl>, CodegenError> {
    if inline_scalar(decl).is_some() {
        return Ok(None);
    }
    let name = &decl.name;
    if TS_GLOBALS.contains(&name.as_str()) || OWN_NAMES.contains(&name.as_str()) {
        return Err(err(
            None,
            format!("type `{name}` would shadow a TypeScript or client name"),
        ));
    }
    let mut doc = doc_lines(&decl.doc, 74);
    let body = match &decl.kind {
        TypeKind::Scalar { json } => {
            vec![format!("export type {name} = {};", scalar_ts(*json))]
        }
        TypeKind::Map { fields, open } => {
            let mut b = vec![format!("export type {name} = {{")];
            b.extend(object_members(spec, fields, *open));
            b.push("};".to_string());
            b
        }
        TypeKind::Handle { identity, fields } => {
            doc.push(String::new());
            doc.extend(doc_lines(identity, 74));
            doc.push(String::new());
            doc.push("Treat it as opaque: pass back what the server returned.".to_string());
            let key = naming::handle_key(name);
            let mut b = vec![
                format!("export type {name} = {{"),
                "  /** The handle's descriptor. */".to_string(),
                format!("  readonly {}: {name}Descriptor;", ts_string(&key)),
                "};".to_string(),
                String::new(),
                format!("/** The descriptor inside a {{@link {name}}} handle. */"),
                format!("export type {name}Descriptor = {{"),
            ];
            // The runtime may add keys of its own (e.g. the speculative
            // transactions of a database value), so the descriptor is open.
            b.extend(object_members(spec, fields, true));
            b.push("};".to_string());
            b
        }
        TypeKind::Vector { of } => {
            vec![format!(
                "export type {name} = {};",
                ts_type(
                    spec,
                    &TypeRef::Vector {
                        of: Box::new(of.clone())
                    }
                )
            )]
        }
        TypeKind::Enum { values } => {
            doc.push(String::new());
            for v in values {
                doc.extend(doc_lines(&format!("- `:{}`: {}", v.value, v.doc), 74));
            }
            let alts: Vec<String> = values
                .iter()
                .map(|v| ts_string(&format!(":{}", v.value)))
                .collect();
            vec![format!("export type {name} = {};", alts.join(" | "))]
        }
        TypeKind::Variant { variants } => {
            doc.push(String::new());
            for v in variants {
                doc.extend(doc_lines(
                    &format!("- {} (`{}`): {}", v.name, crate::spec_type(&v.ty), v.doc),
                    74,
                ));
            }
            let alts: Vec<String> = variants.iter().map(|v| ts_type(spec, &v.ty)).collect();
            vec![format!("export type {name} = {};", alts.join(" | "))]
        }
    };
    Ok(Some(TsDecl { doc, body }))
}

/// An op's TSDoc and signature.
fn ts_op(spec: &Spec, op: &Op) -> Result<TsOp, CodegenError> {
    let method = op.camel_name();
    if CLIENT_MEMBERS.contains(&method.as_str()) {
        return Err(err(
            Some(&op.name),
            format!("method name `{method}` collides with a member of Cairn"),
        ));
    }
    let mut doc = doc_lines(&op.doc, 72);
    match op.stability {
        Stability::Stable => {}
        Stability::Beta => {
            doc.push(String::new());
            doc.push("@beta".to_string());
        }
        Stability::Experimental => {
            doc.push(String::new());
            doc.push("@experimental".to_string());
        }
    }
    doc.push(String::new());
    let mut params = Vec::new();
    for a in &op.args {
        let name = param_name(&a.name);
        let mut text = format!("@param {name} - {}", a.doc);
        if let Some(d) = &a.default {
            text.push_str(&format!(" Default: `{d}`."));
        } else if a.optional {
            text.push_str(" Optional.");
        }
        doc.extend(crate::wrap(&text.replace("*/", "*\\/"), 72));
        params.push(TsParam {
            name,
            ty: ts_type(spec, &a.ty),
            optional: a.optional,
        });
    }
    let ret_doc = match &op.ret {
        TypeRef::Named { name } => spec
            .type_decl(name)
            .map(|d| format!("{} (`{name}`)", d.doc))
            .unwrap_or_default(),
        other => format!("`{}`.", crate::spec_type(other)),
    };
    doc.extend(doc_lines(&format!("@returns {ret_doc}"), 72));
    doc.extend(doc_lines(
        "@throws {@link CairnError} (its subclass per error kind, e.g. `CairnSchemaError`) when the server answers with an error, the request cannot be sent or the answer cannot be read.",
        72,
    ));
    Ok(TsOp {
        name: op.name.clone(),
        method,
        path: op.url_path(),
        doc,
        params,
        ret: ts_type(spec, &op.ret),
    })
}

fn render(t: &impl Template) -> Result<String, CodegenErrors> {
    t.render()
        .map_err(|e| CodegenErrors(vec![err(None, format!("template failed: {e}"))]))
}

impl Generator for TypeScript {
    fn name(&self) -> &'static str {
        "typescript"
    }
    fn target(&self) -> Option<Target> {
        Some(Target::Typescript)
    }
    fn support(&self) -> Support {
        Support {
            type_kinds: &["scalar", "map", "vector", "enum", "variant", "handle"],
            json_scalars: &[
                "boolean", "integer", "number", "string", "keyword", "instant", "uuid", "nil",
                "any",
            ],
            optional_args: true,
        }
    }
    fn generate(&self, spec: &Spec) -> Result<Vec<GeneratedFile>, CodegenErrors> {
        let exposed: Vec<&Op> = crate::ops_of(spec, self.target())
            .into_iter()
            .filter(|op| op.remote)
            .collect();
        let mut errs = Vec::new();
        let mut used = BTreeSet::new();
        for op in &exposed {
            for a in &op.args {
                crate::types_used(spec, &a.ty, &mut used);
            }
            crate::types_used(spec, &op.ret, &mut used);
        }
        let mut decls = Vec::new();
        let mut type_names = Vec::new();
        for decl in spec.types.iter().filter(|t| used.contains(&t.name)) {
            match declare(spec, decl) {
                Ok(Some(d)) => {
                    type_names.push(decl.name.clone());
                    if matches!(decl.kind, TypeKind::Handle { .. }) {
                        type_names.push(format!("{}Descriptor", decl.name));
                    }
                    decls.push(d);
                }
                Ok(None) => {}
                Err(e) => errs.push(e),
            }
        }
        let mut ops = Vec::new();
        let mut methods = BTreeSet::new();
        for op in &exposed {
            match ts_op(spec, op) {
                Ok(o) => {
                    if !methods.insert(o.method.clone()) {
                        errs.push(err(
                            Some(&op.name),
                            format!("method name `{}` is used by two ops", o.method),
                        ));
                    }
                    ops.push(o);
                }
                Err(e) => errs.push(e),
            }
        }
        if !errs.is_empty() {
            return Err(CodegenErrors(errs));
        }
        let kind = |e: &cairn_api_spec::ErrorKindDecl| TsErrorKind {
            name: e.name.clone(),
            class: format!("Cairn{}Error", naming::pascal(&e.name)),
            status: e.http_status,
            doc: e.doc.replace("*/", "*\\/"),
        };
        let kinds: Vec<TsErrorKind> = spec.errors.iter().map(kind).collect();
        let transport: Vec<TsErrorKind> = spec.transport_errors.iter().map(kind).collect();
        let header = crate::header("//", self.name(), spec);
        let hash = spec.hash();
        let files = vec![
            GeneratedFile::new(
                "typescript/package.json",
                render(&PackageJson {
                    package: PACKAGE,
                    version: env!("CARGO_PKG_VERSION"),
                    spec_hash: hash.clone(),
                })?,
            ),
            GeneratedFile::new(
                "typescript/tsconfig.json",
                render(&TsConfig {
                    header: header.clone(),
                })?,
            ),
            GeneratedFile::new(
                "typescript/.gitignore",
                render(&GitIgnore {
                    header: crate::header("#", self.name(), spec),
                })?,
            ),
            GeneratedFile::new(
                "typescript/.npmrc",
                render(&NpmRc {
                    header: crate::header("#", self.name(), spec),
                })?,
            ),
            GeneratedFile::new(
                "typescript/src/types.ts",
                render(&TypesTs {
                    header: header.clone(),
                    imports: wire_imports(&decls),
                    decls,
                })?,
            ),
            GeneratedFile::new(
                "typescript/src/wire.ts",
                render(&WireTs {
                    header: header.clone(),
                })?,
            ),
            GeneratedFile::new(
                "typescript/src/errors.ts",
                render(&ErrorsTs {
                    header: header.clone(),
                    kinds: kinds.clone(),
                    transport,
                })?,
            ),
            GeneratedFile::new(
                "typescript/src/client.ts",
                render(&ClientTs {
                    header: header.clone(),
                    spec_hash: hash,
                    type_names: client_types(&type_names, &ops),
                    ops,
                })?,
            ),
            GeneratedFile::new(
                "typescript/src/index.ts",
                render(&IndexTs {
                    header,
                    type_names,
                    error_classes: kinds.iter().map(|k| k.class.clone()).collect(),
                })?,
            ),
        ];
        Ok(files)
    }
}

/// Whether `text` mentions the identifier `name` (as a whole word).
fn mentions(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// The wire types (from `wire.ts`) the declarations mention, as an import
/// list (`InstTag, WireValue`).
fn wire_imports(decls: &[TsDecl]) -> String {
    let text: String = decls
        .iter()
        .flat_map(|d| d.body.iter())
        .map(|l| format!("{l}\n"))
        .collect();
    ["InstTag", "UuidTag", "WireValue"]
        .into_iter()
        .filter(|name| mentions(&text, name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The declared types the methods' signatures mention.
fn client_types(type_names: &[String], ops: &[TsOp]) -> Vec<String> {
    let text: String = ops
        .iter()
        .map(|o| format!("{} {}\n", o.signature(), o.ret))
        .collect();
    type_names
        .iter()
        .filter(|t| mentions(&text, t))
        .cloned()
        .collect()
}
