//! `generated/python/`: the `cairn` Python package, a pip-installable
//! binding over the C ABI through ctypes (no compiler needed beyond the
//! `cairn-ffi` cdylib).
//!
//! - `cairn/_native.py`: finds and loads the library (`CAIRN_LIB`, a
//!   library shipped in the package, or the repository's `target/`), checks
//!   its ABI version and spec hash, and runs calls over the JSON wire.
//! - `cairn/types.py`: one definition per named type the Python ops use:
//!   `TypedDict`s for maps, `Literal` aliases for enums, `Union` aliases for
//!   variants, `dict` subclasses for handles (with one method per op that
//!   takes the handle first), aliases for scalars and vectors.
//! - `cairn/api.py`: one typed, documented function per op.
//! - `cairn/errors.py`: `CairnError` and one subclass per error kind.
//! - `cairn/wire.py`: helpers for the wire rule's tagged objects.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use cairn_api_spec::{JsonScalar, Op, Spec, Target, TypeDecl, TypeKind, TypeRef, naming};

use crate::{CodegenError, CodegenErrors, GeneratedFile, Generator, Support};

/// The Python generator.
#[derive(Clone, Copy, Debug)]
pub struct Python;

/// Attributes of `dict` (and the handle base class) that a generated handle
/// method must not shadow.
const DICT_ATTRS: &[&str] = &[
    "clear",
    "copy",
    "fromkeys",
    "get",
    "items",
    "keys",
    "pop",
    "popitem",
    "setdefault",
    "update",
    "values",
    "descriptor",
    "TAG",
];

/// One argument of a generated function.
#[derive(Debug)]
struct PyArg {
    /// Python parameter name (`tx_input`).
    name: String,
    /// Spec name, used as the key of a named call (`tx-input`).
    wire: String,
    /// Type annotation.
    ty: String,
    /// Optional: a keyword argument defaulting to `None`, omitted when `None`.
    optional: bool,
}

/// One generated function (and, maybe, a method of a handle class).
#[derive(Debug)]
struct PyOp {
    /// Python name (`pull_many`).
    name: String,
    /// Spec name (`pull-many`).
    spec_name: String,
    args: Vec<PyArg>,
    /// Return annotation.
    ret: String,
    /// Whether the op returns nil (`None`): no cast needed.
    returns_none: bool,
    /// Docstring lines (escaped, unindented).
    doc: Vec<String>,
    /// The summary's docstring lines.
    summary: Vec<String>,
    /// Number of required arguments.
    required: usize,
}

impl PyOp {
    /// The function's docstring (body indented by four spaces).
    fn docstring(&self) -> String {
        docstring(&self.doc, 4)
    }

    /// The docstring of the handle method: the function's summary and a
    /// pointer to the function.
    fn method_docstring(&self) -> String {
        let mut lines = self.summary.clone();
        lines.push(String::new());
        let rest = if self.args.len() > 1 { ", ..." } else { "" };
        lines.push(format!("Same as ``cairn.{}(self{rest})``.", self.name));
        docstring(&lines, 8)
    }

    /// `["conn: Connection", "limit: Optional[int] = None"]` (`self` first
    /// for a method, in place of the handle argument).
    fn params(&self, skip_first: bool) -> Vec<String> {
        let mut out = Vec::new();
        if skip_first {
            out.push("self".to_string());
        }
        for a in self.args.iter().skip(usize::from(skip_first)) {
            if a.optional {
                out.push(format!("{}: Optional[{}] = None", a.name, a.ty));
            } else {
                out.push(format!("{}: {}", a.name, a.ty));
            }
        }
        out
    }

    /// The `def` line(s): one line when it fits in 88 columns, else one
    /// parameter per line.
    fn def(&self, method: bool) -> String {
        let indent = if method { "    " } else { "" };
        let params = self.params(method);
        let one = format!(
            "{indent}def {}({}) -> {}:",
            self.name,
            params.join(", "),
            self.ret
        );
        if one.len() <= 88 {
            return one.trim_start().to_string();
        }
        let mut out = format!("def {}(\n", self.name);
        for p in &params {
            out.push_str(&format!("{indent}    {p},\n"));
        }
        out.push_str(&format!("{indent}) -> {}:", self.ret));
        out
    }

    /// `"conn", "tx-input"`: the wire names, as a Python tuple body.
    fn wire_names(&self) -> String {
        let names: Vec<String> = self.args.iter().map(|a| py_str(&a.wire)).collect();
        tuple(&names)
    }

    /// `conn, tx_input`: the values, as a Python tuple body.
    fn values(&self) -> String {
        let names: Vec<String> = self.args.iter().map(|a| a.name.clone()).collect();
        tuple(&names)
    }

    /// The arguments after the first, passed on by a handle method.
    fn rest_args(&self) -> String {
        let mut out = vec!["self".to_string()];
        out.extend(self.args.iter().skip(1).map(|a| a.name.clone()));
        out.join(", ")
    }
}

/// A Python tuple display of `items` (`("a",)` for one).
fn tuple(items: &[String]) -> String {
    match items.len() {
        0 => "()".to_string(),
        1 => format!("({},)", items[0]),
        _ => format!("({})", items.join(", ")),
    }
}

/// One key of a generated `TypedDict`.
#[derive(Debug)]
struct PyField {
    /// The key as a Python string literal (`"keep-history?"`).
    key: String,
    /// Annotation, wrapped in `NotRequired[..]` when optional.
    ty: String,
}

/// One generated named type.
#[derive(Debug)]
struct PyType {
    name: String,
    /// `alias`, `typeddict` or `handle`.
    kind: &'static str,
    /// For an alias: the right-hand side.
    alias: String,
    /// For a `TypedDict`: its keys.
    fields: Vec<PyField>,
    /// For a handle: its tag key (`cairn/connection`), as a literal.
    tag: String,
    /// For a handle: the ops that take it first, as methods.
    methods: Vec<usize>,
    /// For a handle: whether a `release` op makes it a context manager.
    releasable: bool,
    /// Docstring lines (escaped, unindented).
    doc: Vec<String>,
}

impl PyType {
    /// The type's docstring, indented by `indent` spaces.
    fn docstring(&self, indent: usize) -> String {
        docstring(&self.doc, indent)
    }
}

/// One error kind.
#[derive(Debug)]
struct PyError {
    /// `CairnNotFoundError`.
    class: String,
    /// `not-found`.
    kind: String,
    doc: Vec<String>,
}

impl PyError {
    /// The class docstring.
    fn docstring(&self) -> String {
        docstring(&self.doc, 4)
    }
}

#[derive(Template)]
#[template(path = "python/pyproject.toml", escape = "none")]
struct PyprojectTemplate {
    header: String,
    version: String,
    description: String,
}

#[derive(Template)]
#[template(path = "python/py.typed", escape = "none")]
struct PyTypedTemplate {
    header: String,
}

#[derive(Template)]
#[template(path = "python/__init__.py", escape = "none")]
struct InitTemplate {
    header: String,
    doc: Vec<String>,
    types: Vec<String>,
    functions: Vec<String>,
    errors: Vec<String>,
    op_names: Vec<(String, String)>,
}

impl InitTemplate {
    /// The package docstring.
    fn docstring(&self) -> String {
        docstring(&self.doc, 0)
    }
}

#[derive(Template)]
#[template(path = "python/_native.py", escape = "none")]
struct NativeTemplate {
    header: String,
    abi_version: u32,
    spec_hash: String,
}

#[derive(Template)]
#[template(path = "python/wire.py", escape = "none")]
struct WireTemplate {
    header: String,
}

#[derive(Template)]
#[template(path = "python/errors.py", escape = "none")]
struct ErrorsTemplate {
    header: String,
    errors: Vec<PyError>,
}

#[derive(Template)]
#[template(path = "python/types.py", escape = "none")]
struct TypesTemplate {
    header: String,
    types: Vec<PyType>,
    ops: Vec<PyOp>,
}

#[derive(Template)]
#[template(path = "python/api.py", escape = "none")]
struct ApiTemplate {
    header: String,
    types: Vec<String>,
    ops: Vec<PyOp>,
}

/// A docstring of `lines` (already escaped) for a body indented by
/// `indent` spaces: one line, or a summary line, then the rest indented.
fn docstring(lines: &[String], indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    match lines.as_slice() {
        [] => "\"\"\"\"\"\"".to_string(),
        [one] => format!("\"\"\"{one}\"\"\""),
        [first, rest @ ..] => {
            let mut out = format!("\"\"\"{first}\n");
            for l in rest {
                if !l.is_empty() {
                    out.push_str(&pad);
                    out.push_str(l);
                }
                out.push('\n');
            }
            out.push_str(&pad);
            out.push_str("\"\"\"");
            out
        }
    }
}

/// A Python string literal (double-quoted, escaped).
fn py_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text made safe inside a `"""` docstring.
fn doc_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
}

/// `s` wrapped to `width` and escaped, each line prefixed by `indent`
/// (continuation lines by `indent` plus four spaces when `hanging`).
fn doc_lines(s: &str, width: usize, indent: &str, hanging: bool) -> Vec<String> {
    crate::wrap(&doc_text(s), width)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if l.is_empty() {
                String::new()
            } else if hanging && i > 0 {
                format!("{indent}    {l}")
            } else {
                format!("{indent}{l}")
            }
        })
        .collect()
}

/// Python parameter name for a spec argument name.
fn param_name(name: &str) -> String {
    let snake = naming::snake(name);
    if naming::PYTHON_RESERVED.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// Generation context: the spec and which named types need what.
struct Ctx<'a> {
    spec: &'a Spec,
    /// Named types reachable from some op's arguments.
    in_args: BTreeSet<String>,
}

impl Ctx<'_> {
    /// The annotation of a type reference; `arg` picks the abstract
    /// collection types (`Sequence`, `Mapping`) that arguments accept.
    fn ty(&self, t: &TypeRef, arg: bool) -> String {
        match t {
            TypeRef::Named { name } => self.named(name),
            TypeRef::Vector { of } => {
                let inner = self.ty(of, arg);
                if arg {
                    format!("Sequence[{inner}]")
                } else {
                    format!("list[{inner}]")
                }
            }
            TypeRef::Maybe { of } => format!("Optional[{}]", self.ty(of, arg)),
            // JSON object keys are strings whatever the spec's key type.
            TypeRef::MapOf { value, .. } => {
                let v = self.ty(value, arg);
                if arg {
                    format!("Mapping[str, {v}]")
                } else {
                    format!("dict[str, {v}]")
                }
            }
        }
    }

    /// A named type as used in an annotation: Python builtins for plain
    /// booleans, integers, numbers, nil and `String`; the alias otherwise.
    fn named(&self, name: &str) -> String {
        match self.spec.type_decl(name).map(|d| &d.kind) {
            Some(TypeKind::Scalar { json }) => match json {
                JsonScalar::Boolean => "bool".into(),
                JsonScalar::Integer => "int".into(),
                JsonScalar::Number => "float".into(),
                JsonScalar::Nil => "None".into(),
                JsonScalar::String if name == "String" => "str".into(),
                _ => name.to_string(),
            },
            _ => name.to_string(),
        }
    }

    /// A short description of a type for docstrings: the spec notation.
    fn describe(&self, t: &TypeRef) -> String {
        crate::spec_type(t)
    }

    /// The definition of one named type.
    fn type_def(&self, decl: &TypeDecl, ops: &[PyOp], spec_ops: &[&Op]) -> PyType {
        let mut doc = doc_lines(&decl.doc, 72, "", false);
        let mut t = PyType {
            name: decl.name.clone(),
            kind: "alias",
            alias: String::new(),
            fields: Vec::new(),
            tag: String::new(),
            methods: Vec::new(),
            releasable: false,
            doc: Vec::new(),
        };
        match &decl.kind {
            TypeKind::Scalar { json } => {
                t.alias = match json {
                    JsonScalar::Boolean => "bool".into(),
                    JsonScalar::Integer => "int".into(),
                    JsonScalar::Number => "float".into(),
                    JsonScalar::String if decl.name == "Path" => {
                        "Union[str, os.PathLike[str]]".into()
                    }
                    JsonScalar::String | JsonScalar::Keyword => "str".into(),
                    JsonScalar::Instant => "Union[datetime, TaggedValue, str]".into(),
                    JsonScalar::Uuid => "Union[UUID, TaggedValue, str]".into(),
                    JsonScalar::Nil => "None".into(),
                    JsonScalar::Any => "Any".into(),
                };
                let note = match json {
                    JsonScalar::Keyword => Some(
                        "Build one with `keyword(\"ns/name\")`; results carry `\":ns/name\"` strings.",
                    ),
                    JsonScalar::Instant => Some(
                        "Pass a `datetime` (naive ones are UTC) or `inst(..)`; results carry RFC 3339 strings (`parse_inst` reads them).",
                    ),
                    JsonScalar::Uuid => Some("Pass a `uuid.UUID` or `uuid(..)`."),
                    JsonScalar::String if decl.name == "Path" => {
                        Some("A `str` or any `os.PathLike`.")
                    }
                    _ => None,
                };
                if let Some(n) = note {
                    doc.push(String::new());
                    doc.extend(doc_lines(n, 72, "", false));
                }
            }
            TypeKind::Vector { of } => t.alias = format!("list[{}]", self.ty(of, false)),
            TypeKind::Enum { values } => {
                let lits: Vec<String> = values
                    .iter()
                    .map(|v| py_str(&format!(":{}", v.value)))
                    .collect();
                t.alias = format!("Literal[{}]", lits.join(", "));
                doc.push(String::new());
                doc.push("Values:".into());
                for v in values {
                    doc.extend(doc_lines(
                        &format!("\":{}\": {}", v.value, v.doc),
                        68,
                        "    ",
                        true,
                    ));
                }
            }
            TypeKind::Variant { variants } => {
                let alts: Vec<String> = variants.iter().map(|v| self.ty(&v.ty, false)).collect();
                t.alias = if alts.len() == 1 {
                    alts[0].clone()
                } else {
                    format!("Union[{}]", alts.join(", "))
                };
                doc.push(String::new());
                doc.push("One of:".into());
                for v in variants {
                    doc.extend(doc_lines(
                        &format!("{} ({}): {}", v.name, self.describe(&v.ty), v.doc),
                        68,
                        "    ",
                        true,
                    ));
                }
            }
            TypeKind::Map { fields, open } => {
                // An open map that only comes back from the runtime holds
                // arbitrary keys (an entity, a schema): a plain dict. One
                // that is passed in (a config) is a TypedDict of its known
                // keys; the runtime accepts others too.
                if fields.is_empty() || (*open && !self.in_args.contains(&decl.name)) {
                    t.alias = "dict[str, Any]".into();
                } else {
                    t.kind = "typeddict";
                    t.fields = fields
                        .iter()
                        .map(|f| {
                            let ty = self.ty(&f.ty, false);
                            PyField {
                                key: py_str(&f.name),
                                ty: if f.optional {
                                    format!("NotRequired[{ty}]")
                                } else {
                                    ty
                                },
                            }
                        })
                        .collect();
                }
                if *open {
                    doc.push(String::new());
                    doc.push("Other keys are allowed.".into());
                }
                if !fields.is_empty() {
                    doc.push(String::new());
                    doc.push("Keys:".into());
                    for f in fields {
                        doc.extend(doc_lines(
                            &format!(
                                "\"{}\" ({}{}): {}",
                                f.name,
                                self.describe(&f.ty),
                                if f.optional { ", optional" } else { "" },
                                f.doc
                            ),
                            68,
                            "    ",
                            true,
                        ));
                    }
                }
            }
            TypeKind::Handle { identity, fields } => {
                t.kind = "handle";
                let tag = naming::handle_key(&decl.name);
                t.tag = py_str(&tag);
                doc.push(String::new());
                doc.extend(doc_lines(identity, 72, "", false));
                doc.push(String::new());
                doc.extend(doc_lines(
                    &format!(
                        "A handle is the runtime's descriptor `{{\"{tag}\": {{..}}}}` as a dict; \
                         any such dict may be wrapped: `{}(raw)`.",
                        decl.name
                    ),
                    72,
                    "",
                    false,
                ));
                doc.push(String::new());
                doc.push("Descriptor keys:".into());
                for f in fields {
                    doc.extend(doc_lines(
                        &format!(
                            "\"{}\" ({}{}): {}",
                            f.name,
                            self.describe(&f.ty),
                            if f.optional { ", optional" } else { "" },
                            f.doc
                        ),
                        68,
                        "    ",
                        true,
                    ));
                }
                for (i, op) in spec_ops.iter().enumerate() {
                    let first_is_this = matches!(
                        op.args.first().map(|a| &a.ty),
                        Some(TypeRef::Named { name }) if *name == decl.name
                    );
                    if first_is_this && !DICT_ATTRS.contains(&ops[i].name.as_str()) {
                        t.methods.push(i);
                        if op.name == "release" && op.args.len() == 1 {
                            t.releasable = true;
                        }
                    }
                }
            }
        }
        t.doc = doc;
        t
    }

    /// The generated function of one op.
    fn op(&self, op: &Op) -> PyOp {
        let args: Vec<PyArg> = op
            .args
            .iter()
            .map(|a| PyArg {
                name: param_name(&a.name),
                wire: a.name.clone(),
                ty: self.ty(&a.ty, true),
                optional: a.optional,
            })
            .collect();
        let summary = op.summary().trim();
        let mut doc = doc_lines(summary, 72, "", false);
        let rest = op.doc[summary.len().min(op.doc.len())..].trim();
        if !rest.is_empty() {
            doc.push(String::new());
            doc.extend(doc_lines(rest, 72, "", false));
        }
        if !op.args.is_empty() {
            doc.push(String::new());
            doc.push("Args:".into());
            for (a, pa) in op.args.iter().zip(&args) {
                let mut text = format!(
                    "{} ({}{}): {}",
                    pa.name,
                    self.describe(&a.ty),
                    if a.optional { ", optional" } else { "" },
                    a.doc
                );
                if a.optional {
                    match &a.default {
                        Some(d) => text.push_str(&format!(" Omitted when None (default {d}).")),
                        None => text.push_str(" Omitted when None."),
                    }
                }
                doc.extend(doc_lines(&text, 68, "    ", true));
            }
        }
        doc.push(String::new());
        doc.push("Returns:".into());
        let ret_doc = match &op.ret {
            TypeRef::Named { name } => self
                .spec
                .type_decl(name)
                .map(|d| d.doc.clone())
                .unwrap_or_default(),
            TypeRef::Maybe { of } => match of.as_ref() {
                TypeRef::Named { name } => format!(
                    "{} or None.",
                    self.spec
                        .type_decl(name)
                        .map(|d| d.doc.trim_end_matches('.').to_string())
                        .unwrap_or_default()
                ),
                _ => "The value, or None.".into(),
            },
            _ => String::new(),
        };
        doc.extend(doc_lines(
            format!("{}: {}", self.describe(&op.ret), ret_doc).trim_end_matches([' ', ':']),
            68,
            "    ",
            true,
        ));
        doc.push(String::new());
        doc.push("Raises:".into());
        let kinds: Vec<String> = self
            .spec
            .errors
            .iter()
            .map(|e| format!("{} (`{}`)", error_class(&e.name), e.name))
            .collect();
        doc.extend(doc_lines(
            &format!(
                "CairnError: the runtime refused the call; the subclass names the error kind: {}.",
                kinds.join(", ")
            ),
            68,
            "    ",
            true,
        ));
        doc.extend(doc_lines(
            "CairnLibraryError: the cairn-ffi library is missing or was built from another spec.",
            68,
            "    ",
            true,
        ));
        PyOp {
            name: op.python_name(),
            spec_name: op.name.clone(),
            required: op.required_arity(),
            returns_none: self.ty(&op.ret, false) == "None",
            ret: self.ty(&op.ret, false),
            args,
            summary: doc_lines(summary, 72, "", false),
            doc,
        }
    }
}

/// `not-found` → `CairnNotFoundError`.
fn error_class(kind: &str) -> String {
    format!("Cairn{}Error", naming::pascal(kind))
}

/// The named types a type declaration refers to directly.
fn direct_deps(decl: &TypeDecl) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |t: &TypeRef| out.extend(t.names().into_iter().map(str::to_string));
    match &decl.kind {
        TypeKind::Map { fields, .. } => fields.iter().for_each(|f| add(&f.ty)),
        TypeKind::Vector { of } => add(of),
        TypeKind::Variant { variants } => variants.iter().for_each(|v| add(&v.ty)),
        // Handle classes come first and only mention types in (lazy)
        // annotations; scalars and enums stand alone.
        TypeKind::Handle { .. } | TypeKind::Scalar { .. } | TypeKind::Enum { .. } => {}
    }
    out
}

/// `used` in definition order: handles first (their annotations are lazy),
/// then every other type after the types it refers to, otherwise in
/// declaration order.
fn definition_order<'a>(spec: &'a Spec, used: &BTreeSet<String>) -> Vec<&'a TypeDecl> {
    fn visit<'a>(
        spec: &'a Spec,
        name: &str,
        used: &BTreeSet<String>,
        seen: &mut BTreeSet<String>,
        out: &mut Vec<&'a TypeDecl>,
    ) {
        if !used.contains(name) || !seen.insert(name.to_string()) {
            return;
        }
        let Some(decl) = spec.type_decl(name) else {
            return;
        };
        for d in direct_deps(decl) {
            visit(spec, &d, used, seen, out);
        }
        out.push(decl);
    }
    let mut out: Vec<&TypeDecl> = Vec::new();
    let mut seen = BTreeSet::new();
    for decl in &spec.types {
        if used.contains(&decl.name) && matches!(decl.kind, TypeKind::Handle { .. }) {
            seen.insert(decl.name.clone());
            out.push(decl);
        }
    }
    for decl in &spec.types {
        visit(spec, &decl.name, used, &mut seen, &mut out);
    }
    out
}

fn render<T: Template>(t: &T, path: &str) -> Result<GeneratedFile, CodegenErrors> {
    let text = t.render().map_err(|e| {
        CodegenErrors(vec![CodegenError {
            generator: "python",
            op: None,
            message: format!("template for {path} failed: {e}"),
        }])
    })?;
    Ok(GeneratedFile::new(format!("python/{path}"), text))
}

impl Generator for Python {
    fn name(&self) -> &'static str {
        "python"
    }
    fn target(&self) -> Option<Target> {
        Some(Target::Python)
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
        let spec_ops = crate::ops_of(spec, self.target());
        let mut used = BTreeSet::new();
        let mut in_args = BTreeSet::new();
        for op in &spec_ops {
            for a in &op.args {
                crate::types_used(spec, &a.ty, &mut in_args);
            }
            crate::types_used(spec, &op.ret, &mut used);
        }
        used.extend(in_args.iter().cloned());
        let ctx = Ctx { spec, in_args };

        // Names must be unique in the package namespace and valid Python.
        let mut errs = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for op in &spec_ops {
            let name = op.python_name();
            if naming::PYTHON_RESERVED.contains(&name.as_str()) {
                errs.push(CodegenError {
                    generator: "python",
                    op: Some(op.name.clone()),
                    message: format!(
                        "Python name `{name}` is reserved; set `:names {{:python ..}}`"
                    ),
                });
            }
            if let Some(other) = seen.insert(name.clone(), op.name.clone()) {
                errs.push(CodegenError {
                    generator: "python",
                    op: Some(op.name.clone()),
                    message: format!("Python name `{name}` is also the name of op `{other}`"),
                });
            }
        }
        if !errs.is_empty() {
            return Err(CodegenErrors(errs));
        }

        let ops: Vec<PyOp> = spec_ops.iter().map(|op| ctx.op(op)).collect();
        let types: Vec<PyType> = definition_order(spec, &used)
            .into_iter()
            .map(|d| ctx.type_def(d, &ops, &spec_ops))
            .collect();
        let type_names: Vec<String> = types.iter().map(|t| t.name.clone()).collect();
        let errors: Vec<PyError> = spec
            .errors
            .iter()
            .map(|e| PyError {
                class: error_class(&e.name),
                kind: e.name.clone(),
                doc: doc_lines(
                    &format!("{} (kind `{}`, HTTP {})", e.doc, e.name, e.http_status),
                    72,
                    "",
                    false,
                ),
            })
            .collect();
        let header = crate::header("#", self.name(), spec);
        let mut files = vec![
            render(
                &PyprojectTemplate {
                    header: header.clone(),
                    version: env!("CARGO_PKG_VERSION").to_string(),
                    description: py_str(
                        "Cairn, a durable Datalog database: Python binding over the C ABI",
                    ),
                },
                "pyproject.toml",
            )?,
            render(
                &PyTypedTemplate {
                    header: header.clone(),
                },
                "cairn/py.typed",
            )?,
        ];
        files.push(render(
            &InitTemplate {
                header: header.clone(),
                doc: {
                    let mut d = vec!["Cairn: the Python binding (over the C ABI of the cairn-ffi library).".to_string(), String::new()];
                    d.extend(doc_lines(&spec.doc, 72, "", false));
                    d.push(String::new());
                    d.extend(doc_lines("Usage: `with cairn.connect(config) as conn: cairn.transact(conn, [...])`; every function takes the raw handle objects it returned. See the package README section \"Python\" in the Cairn repository.", 72, "", false));
                    d
                },
                types: type_names.clone(),
                functions: ops.iter().map(|o| o.name.clone()).collect(),
                errors: errors.iter().map(|e| e.class.clone()).collect(),
                op_names: ops
                    .iter()
                    .map(|o| (py_str(&o.spec_name), py_str(&o.name)))
                    .collect(),
            },
            "cairn/__init__.py",
        )?);
        files.push(render(
            &NativeTemplate {
                header: header.clone(),
                abi_version: cairn_api_spec::ABI_VERSION,
                spec_hash: spec.hash(),
            },
            "cairn/_native.py",
        )?);
        files.push(render(
            &WireTemplate {
                header: header.clone(),
            },
            "cairn/wire.py",
        )?);
        files.push(render(
            &ErrorsTemplate {
                header: header.clone(),
                errors,
            },
            "cairn/errors.py",
        )?);
        // The types module needs the ops (for handle methods); the api
        // module needs the type names.
        let ops_for_types: Vec<PyOp> = spec_ops.iter().map(|op| ctx.op(op)).collect();
        files.push(render(
            &TypesTemplate {
                header: header.clone(),
                types,
                ops: ops_for_types,
            },
            "cairn/types.py",
        )?);
        files.push(render(
            &ApiTemplate {
                header,
                types: type_names,
                ops,
            },
            "cairn/api.py",
        )?);
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(naming::kebab("Connection"), "connection");
        assert_eq!(naming::kebab("TxReport"), "tx-report");
        assert_eq!(error_class("not-found"), "CairnNotFoundError");
        assert_eq!(param_name("tx-input"), "tx_input");
        assert_eq!(param_name("type"), "type_");
        assert_eq!(py_str("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(tuple(&["a".into()]), "(a,)");
    }

    #[test]
    fn refuses_reserved_and_clashing_python_names() {
        let mut spec = cairn_api_spec::load().unwrap();
        let with = spec.ops.iter_mut().find(|o| o.name == "with").unwrap();
        with.names.python = Some("class".into());
        let db = spec.ops.iter_mut().find(|o| o.name == "db-with").unwrap();
        db.names.python = Some("pull".into());
        let errs = Python.generate(&spec).unwrap_err().to_string();
        assert!(
            errs.contains("op `with`: Python name `class` is reserved"),
            "{errs}"
        );
        assert!(
            errs.contains("op `pull`: Python name `pull` is also the name of op `db-with`"),
            "{errs}"
        );
    }

    #[test]
    fn every_op_gets_a_typed_function_and_every_used_type_a_definition() {
        let spec = cairn_api_spec::load().unwrap();
        let files = Python.generate(&spec).unwrap();
        let api = &files
            .iter()
            .find(|f| f.path == "python/cairn/api.py")
            .unwrap();
        let types = &files
            .iter()
            .find(|f| f.path == "python/cairn/types.py")
            .unwrap();
        for op in spec.ops_for(Target::Python) {
            assert!(
                api.contents
                    .contains(&format!("\ndef {}(", op.python_name())),
                "{}",
                op.name
            );
        }
        assert!(!api.contents.contains("def listen("));
        for name in [
            "TxReport",
            "Config",
            "Connection",
            "Db",
            "TimePoint",
            "StoreBackend",
        ] {
            assert!(
                types.contents.contains(&format!("\n    \"{name}\",")),
                "{name}"
            );
        }
        assert!(types.contents.contains("\"db-before\": Db,"));
        assert!(
            types
                .contents
                .contains("StoreBackend: TypeAlias = Literal[\":redb\", \":memory\"]")
        );
    }
}
