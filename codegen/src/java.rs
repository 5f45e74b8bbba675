//! `generated/java/`: the Java binding, package `io.cairn`, over JNI into the
//! `cairn-ffi` cdylib, and the Rust side of its JNI entry points.
//!
//! - `java/src/io/cairn/Cairn.java`: one static method per op exposed to
//!   Java (camelCase names, Javadoc from the spec, one overload per number
//!   of trailing optional arguments), the ABI version and spec hash the
//!   binding was generated for.
//! - `java/src/io/cairn/Native.java`: the `native` declarations, one per op.
//! - `java/src/io/cairn/Library.java`: loading (`cairn.lib` property,
//!   `CAIRN_LIB` variable, else `java.library.path`) and the version check.
//! - `java/src/io/cairn/CairnException.java`: the error kinds of the spec.
//! - one Java enum per enum type, one typed wrapper per handle type
//!   (`Connection` is `AutoCloseable`) and per closed map type an op returns;
//! - `Json`, `Keyword`, `Wire`, `WireValue`, `Conv`: the wire rule in Java
//!   (a JSON encoder/decoder that keeps integers exact, no dependencies).
//! - `java/jni/entry_points.rs`: one `extern "system"` function per op,
//!   `include!`d by `runtime/ffi/src/jni.rs`.

use std::collections::BTreeSet;

use askama::Template;
use cairn_api_spec::naming;
use cairn_api_spec::{JsonScalar, Op, Spec, Target, TypeKind, TypeRef};

use crate::{CodegenError, CodegenErrors, GeneratedFile, Generator, Support};

/// The Java generator.
#[derive(Clone, Copy, Debug)]
pub struct Java;

/// Where the Java sources go, relative to `generated/`.
const SRC: &str = "java/src/io/cairn";

/// Names a generated accessor must not take (methods of `Object` and of the
/// wrappers themselves).
const JAVA_TAKEN: &[&str] = &[
    "toWire",
    "fromWire",
    "hashCode",
    "toString",
    "equals",
    "getClass",
    "notify",
    "notifyAll",
    "wait",
    "close",
    "clone",
    "finalize",
    "raw",
];

/// One overload of an op's static method.
#[derive(Debug)]
struct JOverload {
    /// Javadoc lines (without the ` * ` prefix).
    doc: Vec<String>,
    /// `Connection conn, Object txInput`.
    params: String,
    /// `conn, txInput`.
    args: String,
    /// Java return type (`void`, `TxReport`, ...).
    ret: String,
    /// Whether the op returns nothing.
    void: bool,
    /// Conversion of the answer `r` to `ret`.
    conv: String,
}

/// One op in `Cairn.java`, `Native.java` and the JNI entry points.
#[derive(Debug)]
struct JOp {
    /// Spec name (`database-exists?`).
    name: String,
    /// `databaseExists`.
    camel: String,
    /// The overloads, fewest arguments first.
    overloads: Vec<JOverload>,
}

/// One constant of a Java enum.
#[derive(Debug)]
struct JEnumValue {
    constant: String,
    value: String,
    doc: Vec<String>,
}

/// One accessor of a wrapper class.
#[derive(Debug)]
struct JField {
    key: String,
    accessor: String,
    ty: String,
    conv: String,
    doc: Vec<String>,
}

/// One error kind.
#[derive(Debug)]
struct JErrorKind {
    constant: String,
    class: String,
    name: String,
    status: i64,
    doc: String,
}

#[derive(Template)]
#[template(path = "java/Cairn.java", escape = "none")]
struct CairnTemplate {
    header: String,
    doc: Vec<String>,
    abi_version: u32,
    spec_hash: String,
    ops: Vec<JOp>,
}

#[derive(Template)]
#[template(path = "java/Native.java", escape = "none")]
struct NativeTemplate {
    header: String,
    ops: Vec<JOp>,
}

#[derive(Template)]
#[template(path = "java/entry_points.rs", escape = "none")]
struct EntryPointsTemplate {
    header: String,
    ops: Vec<JOp>,
}

#[derive(Template)]
#[template(path = "java/CairnException.java", escape = "none")]
struct ExceptionTemplate {
    header: String,
    kinds: Vec<JErrorKind>,
}

#[derive(Template)]
#[template(path = "java/Enum.java", escape = "none")]
struct EnumTemplate {
    header: String,
    name: String,
    doc: Vec<String>,
    values: Vec<JEnumValue>,
}

#[derive(Template)]
#[template(path = "java/Wrapper.java", escape = "none")]
struct WrapperTemplate {
    header: String,
    name: String,
    doc: Vec<String>,
    fields: Vec<JField>,
    /// `Some(op camel name)` when the wrapper is `AutoCloseable` (a handle
    /// that an op releases).
    release: Option<String>,
}

#[derive(Template)]
#[template(path = "java/Library.java", escape = "none")]
struct LibraryTemplate {
    header: String,
}

#[derive(Template)]
#[template(path = "java/Json.java", escape = "none")]
struct JsonTemplate {
    header: String,
}

#[derive(Template)]
#[template(path = "java/Keyword.java", escape = "none")]
struct KeywordTemplate {
    header: String,
}

#[derive(Template)]
#[template(path = "java/Wire.java", escape = "none")]
struct WireTemplate {
    header: String,
}

#[derive(Template)]
#[template(path = "java/WireValue.java", escape = "none")]
struct WireValueTemplate {
    header: String,
}

#[derive(Template)]
#[template(path = "java/Conv.java", escape = "none")]
struct ConvTemplate {
    header: String,
}

fn render(t: &impl Template, what: &str) -> Result<String, CodegenErrors> {
    t.render().map_err(|e| {
        CodegenErrors(vec![CodegenError {
            generator: "java",
            op: None,
            message: format!("template {what} failed: {e}"),
        }])
    })
}

/// Escapes text for a Javadoc comment: HTML specials, `@` tags, comment
/// ends and unicode escapes (which Java reads even inside comments);
/// `` `code` `` becomes `{@code code}` when its braces balance.
pub fn javadoc(text: &str) -> String {
    let mut out = String::new();
    let mut parts = text.split('`');
    let mut in_code = false;
    let mut first = true;
    for part in parts.by_ref() {
        if !first {
            in_code = !in_code;
        }
        first = false;
        let esc = part
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('@', "&#64;")
            .replace("*/", "*&#47;")
            .replace("\\u", "&#92;u");
        if in_code && balanced(part) {
            out.push_str("{@code ");
            out.push_str(&esc);
            out.push('}');
        } else if in_code {
            out.push_str("<code>");
            out.push_str(&esc.replace('{', "&#123;").replace('}', "&#125;"));
            out.push_str("</code>");
        } else {
            out.push_str(&esc.replace('{', "&#123;").replace('}', "&#125;"));
        }
    }
    out
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// A Javadoc paragraph, wrapped.
fn doc_lines(text: &str) -> Vec<String> {
    crate::wrap(&javadoc(text), 76)
}

/// A new Javadoc paragraph (`<p>` before its first line), wrapped.
fn para(text: &str) -> Vec<String> {
    let mut lines = doc_lines(text);
    if let Some(first) = lines.first_mut() {
        first.insert_str(0, "<p>");
    }
    lines
}

/// camelCase identifier for a spec name (`tx-input` → `txInput`, `db/id`
/// → `dbId`), never a Java reserved word or a taken method name.
pub fn java_ident(name: &str) -> String {
    let c = naming::camel(&name.replace(['/', '.'], "-"));
    if naming::CAMEL_RESERVED.contains(&c.as_str()) || JAVA_TAKEN.contains(&c.as_str()) {
        format!("{c}_")
    } else {
        c
    }
}

/// `as-of` → `AS_OF`.
fn constant(name: &str) -> String {
    naming::snake(name).replace(['/', '.'], "_").to_uppercase()
}

/// The generated class of a named type, if it has one.
fn class_of(spec: &Spec, name: &str, wrappers: &BTreeSet<String>) -> Option<String> {
    let decl = spec.type_decl(name)?;
    match &decl.kind {
        TypeKind::Enum { .. } | TypeKind::Handle { .. } => Some(name.to_string()),
        TypeKind::Map { .. } if wrappers.contains(name) => Some(name.to_string()),
        _ => None,
    }
}

/// The Java type of a value of `ty` the binding returns, and the
/// expression converting the decoded JSON value `x` to it. `depth` names
/// lambda variables of nested conversions.
fn ret_type(
    spec: &Spec,
    ty: &TypeRef,
    x: &str,
    depth: usize,
    wrappers: &BTreeSet<String>,
) -> (String, String) {
    match ty {
        TypeRef::Named { name } => {
            if let Some(class) = class_of(spec, name, wrappers) {
                return (class.clone(), format!("{class}.fromWire({x})"));
            }
            match spec.type_decl(name).map(|d| &d.kind) {
                Some(TypeKind::Scalar { json }) => match json {
                    JsonScalar::Boolean => ("Boolean".into(), format!("Conv.toBoolean({x})")),
                    JsonScalar::Integer => ("Long".into(), format!("Conv.toLong({x})")),
                    JsonScalar::Number => ("Double".into(), format!("Conv.toDouble({x})")),
                    JsonScalar::String => ("String".into(), format!("Conv.toStr({x})")),
                    JsonScalar::Keyword => ("Keyword".into(), format!("Keyword.fromWire({x})")),
                    JsonScalar::Instant => ("Instant".into(), format!("Conv.toInstant({x})")),
                    JsonScalar::Uuid => ("UUID".into(), format!("Conv.toUuid({x})")),
                    JsonScalar::Nil => ("Void".into(), "null".into()),
                    JsonScalar::Any => ("Object".into(), x.to_string()),
                },
                Some(TypeKind::Map { .. }) => {
                    ("Map<String, Object>".into(), format!("Conv.toMap({x})"))
                }
                Some(TypeKind::Vector { of }) => list_of(spec, of, x, depth, wrappers),
                _ => ("Object".into(), x.to_string()),
            }
        }
        TypeRef::Vector { of } => list_of(spec, of, x, depth, wrappers),
        TypeRef::Maybe { of } => ret_type(spec, of, x, depth, wrappers),
        TypeRef::MapOf { value, .. } => {
            let v = format!("v{depth}");
            let (t, conv) = ret_type(spec, value, &v, depth + 1, wrappers);
            if conv == v {
                ("Map<String, Object>".into(), format!("Conv.toMap({x})"))
            } else {
                (
                    format!("Map<String, {t}>"),
                    format!("Conv.toMapOf({x}, {v} -> {conv})"),
                )
            }
        }
    }
}

fn list_of(
    spec: &Spec,
    of: &TypeRef,
    x: &str,
    depth: usize,
    wrappers: &BTreeSet<String>,
) -> (String, String) {
    let v = format!("v{depth}");
    let (t, conv) = ret_type(spec, of, &v, depth + 1, wrappers);
    if conv == v {
        ("List<Object>".into(), format!("Conv.toList({x})"))
    } else {
        (
            format!("List<{t}>"),
            format!("Conv.toListOf({x}, {v} -> {conv})"),
        )
    }
}

/// The Java type of a parameter: handles, scalars, enums and maps are
/// typed; data-shaped arguments (tx data, queries, pull patterns, entity
/// ids, inputs, any value) are `Object` (data under the wire rule, or EDN
/// text through `Wire.edn`).
fn param_type(spec: &Spec, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Maybe { of } => param_type(spec, of),
        TypeRef::Named { name } => match spec.type_decl(name).map(|d| &d.kind) {
            Some(TypeKind::Handle { .. } | TypeKind::Enum { .. }) => name.clone(),
            Some(TypeKind::Map { .. }) => "Map<String, ?>".into(),
            Some(TypeKind::Scalar { json }) => match json {
                JsonScalar::Boolean => "Boolean".into(),
                JsonScalar::Integer => "Long".into(),
                JsonScalar::Number => "Double".into(),
                JsonScalar::String => "String".into(),
                JsonScalar::Keyword => "Keyword".into(),
                JsonScalar::Instant => "Instant".into(),
                JsonScalar::Uuid => "UUID".into(),
                JsonScalar::Nil | JsonScalar::Any => "Object".into(),
            },
            _ => "Object".into(),
        },
        _ => "Object".into(),
    }
}

/// What the `@return` tag says about `ty`.
fn ret_doc(spec: &Spec, ty: &TypeRef) -> String {
    let decl_doc = |name: &str| {
        spec.type_decl(name)
            .map(|d| d.doc.clone())
            .unwrap_or_default()
    };
    match ty {
        TypeRef::Named { name } => format!("{name}: {}", decl_doc(name)),
        TypeRef::Maybe { of } => format!("{}, or null", ret_doc(spec, of)),
        other => {
            let names = other.names();
            let mut s = format!("`{}`", crate::spec_type(other));
            if let Some(first) = names.first() {
                s.push_str(&format!(" ({first}: {})", decl_doc(first)));
            }
            s
        }
    }
}

/// Closed map types some exposed op returns (transitively): they get
/// typed wrappers.
fn wrapper_types(spec: &Spec, ops: &[&Op]) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for op in ops {
        crate::types_used(spec, &op.ret, &mut used);
    }
    used.into_iter()
        .filter(|n| {
            matches!(
                spec.type_decl(n).map(|d| &d.kind),
                Some(TypeKind::Map { open: false, .. })
            )
        })
        .collect()
}

fn build_op(spec: &Spec, op: &Op, wrappers: &BTreeSet<String>) -> JOp {
    let required = op.required_arity();
    let (ret, conv) = ret_type(spec, &op.ret, "r", 0, wrappers);
    let void = ret == "Void";
    let mut overloads = Vec::new();
    for n in required..=op.args.len() {
        let args = &op.args[..n];
        let mut doc = doc_lines(&op.doc);
        if n < op.args.len() {
            let omitted: Vec<String> = op.args[n..]
                .iter()
                .map(|a| format!("`{}`", java_ident(&a.name)))
                .collect();
            doc.push(String::new());
            doc.extend(para(&format!(
                "Leaves out the optional {}: the runtime's default applies.",
                omitted.join(", ")
            )));
        }
        doc.push(String::new());
        doc.push(format!("<p>Spec op {{@code {}}}.", op.name));
        doc.push(String::new());
        for a in args {
            let mut text = format!("{} (`{}`", a.doc, crate::spec_type(&a.ty));
            if let Some(d) = &a.default {
                text.push_str(&format!(", default `{d}`"));
            }
            text.push(')');
            let mut lines = doc_lines(&text).into_iter();
            if let Some(first) = lines.next() {
                doc.push(format!("@param {} {first}", java_ident(&a.name)));
            }
            doc.extend(lines.map(|l| format!("    {l}")));
        }
        if !void {
            let mut lines = doc_lines(&ret_doc(spec, &op.ret)).into_iter();
            if let Some(first) = lines.next() {
                doc.push(format!("@return {first}"));
            }
            doc.extend(lines.map(|l| format!("    {l}")));
        }
        doc.push(
            "@throws CairnException when the operation fails; {@link CairnException#kind()} \
             names the error kind"
                .to_string(),
        );
        doc.push(
            "@throws IllegalStateException when the native library cannot be loaded or does \
             not match this binding"
                .to_string(),
        );
        let params: Vec<String> = args
            .iter()
            .map(|a| format!("{} {}", param_type(spec, &a.ty), java_ident(&a.name)))
            .collect();
        let names: Vec<String> = args.iter().map(|a| java_ident(&a.name)).collect();
        overloads.push(JOverload {
            doc,
            params: params.join(", "),
            args: names.join(", "),
            ret: if void { "void".into() } else { ret.clone() },
            void,
            conv: conv.clone(),
        });
    }
    JOp {
        name: op.name.clone(),
        camel: op.camel_name(),
        overloads,
    }
}

impl Generator for Java {
    fn name(&self) -> &'static str {
        "java"
    }
    fn target(&self) -> Option<Target> {
        Some(Target::Java)
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
        let header = crate::header("//", self.name(), spec);
        let exposed = crate::ops_of(spec, self.target());
        let wrappers = wrapper_types(spec, &exposed);
        let ops = || -> Vec<JOp> {
            exposed
                .iter()
                .map(|op| build_op(spec, op, &wrappers))
                .collect()
        };
        let mut files = Vec::new();
        let mut file = |name: &str, text: String| {
            files.push(GeneratedFile::new(format!("{SRC}/{name}"), text));
        };

        let mut doc = doc_lines(&spec.doc);
        doc.push(String::new());
        doc.extend(para(
            "Every method sends its arguments as JSON under the wire rule through JNI to \
             the cairn-ffi library and answers the decoded result, or throws a \
             `CairnException` carrying the error kind.",
        ));
        file(
            "Cairn.java",
            render(
                &CairnTemplate {
                    header: header.clone(),
                    doc,
                    abi_version: cairn_api_spec::ABI_VERSION,
                    spec_hash: spec.hash(),
                    ops: ops(),
                },
                "Cairn.java",
            )?,
        );
        file(
            "Native.java",
            render(
                &NativeTemplate {
                    header: header.clone(),
                    ops: ops(),
                },
                "Native.java",
            )?,
        );
        let kinds = spec
            .errors
            .iter()
            .map(|e| JErrorKind {
                constant: constant(&e.name),
                class: naming::pascal(&e.name),
                name: e.name.clone(),
                status: e.http_status,
                doc: javadoc(&e.doc),
            })
            .collect();
        file(
            "CairnException.java",
            render(
                &ExceptionTemplate {
                    header: header.clone(),
                    kinds,
                },
                "CairnException.java",
            )?,
        );
        file(
            "Library.java",
            render(
                &LibraryTemplate {
                    header: header.clone(),
                },
                "Library.java",
            )?,
        );
        file(
            "Json.java",
            render(
                &JsonTemplate {
                    header: header.clone(),
                },
                "Json.java",
            )?,
        );
        file(
            "Keyword.java",
            render(
                &KeywordTemplate {
                    header: header.clone(),
                },
                "Keyword.java",
            )?,
        );
        file(
            "Wire.java",
            render(
                &WireTemplate {
                    header: header.clone(),
                },
                "Wire.java",
            )?,
        );
        file(
            "WireValue.java",
            render(
                &WireValueTemplate {
                    header: header.clone(),
                },
                "WireValue.java",
            )?,
        );
        file(
            "Conv.java",
            render(
                &ConvTemplate {
                    header: header.clone(),
                },
                "Conv.java",
            )?,
        );

        // Types every exposed op mentions.
        let mut used = BTreeSet::new();
        for op in &exposed {
            for a in &op.args {
                crate::types_used(spec, &a.ty, &mut used);
            }
            crate::types_used(spec, &op.ret, &mut used);
        }
        let release = exposed
            .iter()
            .find(|op| op.name == "release" && op.args.len() == 1)
            .and_then(|op| Some((op.args[0].ty.names().first()?.to_string(), op.camel_name())));
        for decl in spec.types.iter().filter(|t| used.contains(&t.name)) {
            let mut tdoc = doc_lines(&decl.doc);
            match &decl.kind {
                TypeKind::Enum { values } => {
                    let values = values
                        .iter()
                        .map(|v| JEnumValue {
                            constant: constant(&v.value),
                            value: v.value.clone(),
                            doc: doc_lines(&v.doc),
                        })
                        .collect();
                    file(
                        &format!("{}.java", decl.name),
                        render(
                            &EnumTemplate {
                                header: header.clone(),
                                name: decl.name.clone(),
                                doc: tdoc,
                                values,
                            },
                            "Enum.java",
                        )?,
                    );
                }
                TypeKind::Handle { fields, identity } => {
                    tdoc.push(String::new());
                    tdoc.extend(para(identity));
                    tdoc.push(String::new());
                    let key = naming::handle_key(&decl.name);
                    tdoc.extend(para(&format!(
                        "On the wire: `{{\"{key}\": {{...}}}}`, the descriptor under one key."
                    )));
                    let fields = fields_of(spec, fields, &wrappers, Some(&key));
                    let release = release
                        .as_ref()
                        .filter(|(t, _)| *t == decl.name)
                        .map(|(_, op)| op.clone());
                    file(
                        &format!("{}.java", decl.name),
                        render(
                            &WrapperTemplate {
                                header: header.clone(),
                                name: decl.name.clone(),
                                doc: tdoc,
                                fields,
                                release,
                            },
                            "Wrapper.java",
                        )?,
                    );
                }
                TypeKind::Map { fields, .. } if wrappers.contains(&decl.name) => {
                    let fields = fields_of(spec, fields, &wrappers, None);
                    file(
                        &format!("{}.java", decl.name),
                        render(
                            &WrapperTemplate {
                                header: header.clone(),
                                name: decl.name.clone(),
                                doc: tdoc,
                                fields,
                                release: None,
                            },
                            "Wrapper.java",
                        )?,
                    );
                }
                _ => {}
            }
        }

        files.push(GeneratedFile::new(
            "java/jni/entry_points.rs",
            render(
                &EntryPointsTemplate { header, ops: ops() },
                "entry_points.rs",
            )?,
        ));
        Ok(files)
    }
}

/// The accessors of a wrapper; `handle_key` is the key a handle's fields
/// sit under.
fn fields_of(
    spec: &Spec,
    fields: &[cairn_api_spec::Field],
    wrappers: &BTreeSet<String>,
    handle_key: Option<&str>,
) -> Vec<JField> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let raw = match handle_key {
                Some(k) => format!("Conv.field(Conv.handle(raw, \"{k}\"), \"{}\", {i})", f.name),
                None => format!("Conv.field(raw, \"{}\", {i})", f.name),
            };
            let (ty, conv) = ret_type(spec, &f.ty, &raw, 0, wrappers);
            let absent = if f.optional || matches!(f.ty, TypeRef::Maybe { .. }) {
                "; null when absent"
            } else {
                ""
            };
            let text = format!(
                "{} Key `:{}`, spec type `{}`{absent}.",
                f.doc,
                f.name,
                crate::spec_type(&f.ty)
            );
            JField {
                key: f.name.clone(),
                accessor: java_ident(&f.name),
                ty: if ty == "Void" { "Object".into() } else { ty },
                conv,
                doc: doc_lines(&text),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javadoc_escapes_what_java_would_misread() {
        assert_eq!(
            javadoc("`[:db/add e]` a <b> & c"),
            "{@code [:db/add e]} a &lt;b&gt; &amp; c"
        );
        assert_eq!(javadoc("`{:a 1}`"), "{@code {:a 1}}");
        assert_eq!(javadoc("`}`"), "<code>&#125;</code>");
        assert_eq!(javadoc("x */ y @z \\u0041"), "x *&#47; y &#64;z &#92;u0041");
    }

    #[test]
    fn identifiers_are_java_identifiers() {
        assert_eq!(java_ident("tx-input"), "txInput");
        assert_eq!(java_ident("db/id"), "dbId");
        assert_eq!(java_ident("default"), "default_");
        assert_eq!(java_ident("hash-code"), "hashCode_");
        assert_eq!(constant("as-of"), "AS_OF");
        assert_eq!(naming::handle_key("Db"), "cairn/db");
        assert_eq!(naming::handle_key("TxReport"), "cairn/tx-report");
    }
}
